/**
 * What the security log costs: refused requests through HTTP on the loopback interface (a
 * throw-away embedded PostgreSQL), each written to the security log with the alert check of
 * its address, beside an answer that writes nothing (/api/health) and a refusal the log does
 * not count (the session probe). All from one address, so after ten refusals an alert is
 * open and the rest only add rows. Figures only; nothing here passes or fails.
 *
 *   npx tsx bench/refusals.ts
 */
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { prepareDatabase } from '../src/server/server.ts';
import { openBenchEmbedded } from './engines.ts';
import { startApp } from './measure.ts';

interface Row {
  name: string;
  value: string;
}

const CONNECTIONS = 8;

export async function runRefusalsBench(seconds = 5, onProgress: (line: string) => void = () => {}): Promise<Row[]> {
  const bench = await openBenchEmbedded();
  await prepareDatabase(bench.db, 'none');
  const { app, url } = await startApp(bench.db);
  const rows: Row[] = [];
  try {
    const cases = [
      ['GET /api/health (200, nothing written)', '/api/health'],
      ['GET /api/places anonymous (401, written to the security log)', '/api/places'],
      ['GET /api/auth/session anonymous (401, not a refusal to log)', '/api/auth/session'],
    ] as const;
    for (const [name, path] of cases) {
      onProgress(`${name}, ${seconds} s...`);
      const result = await autocannon({ url: `${url}${path}`, connections: CONNECTIONS, duration: seconds, workers: 1 });
      rows.push({
        name: `${name}, ${CONNECTIONS} connections`,
        value: `${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
      });
    }
    const logged = await bench.db.query<{ n: number }>('select count(*)::int as n from security_events');
    rows.push({ name: 'Refusals in the security log afterwards', value: String(logged.rows[0].n) });
  } finally {
    await app.close();
    await bench.dispose();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await runRefusalsBench(5, (line) => console.log(line))) console.log(`${row.name}: ${row.value}`);
}
