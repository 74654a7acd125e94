/**
 * Money postings through the API against what the same PostgreSQL server does on its own:
 * `POST /api/funding/receipts` from 32 connections, spread over 10 instruments and then all
 * on one instrument (a donor that funds most is a hot account), each with a fresh
 * Idempotency-Key; and `pgbench` (TPC-B-like, 32 clients) on a database of its own on the same
 * server, in the same run. While the postings run, pg_stat_activity is sampled to show what
 * the server's sessions wait on, if anything. BENCH_NO_PGBENCH=1 leaves pgbench out (when
 * profiling the server alone).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

import type { Db } from '../src/server/db/db.ts';
import { prepareDatabase } from '../src/server/server.ts';
import { openBenchEmbedded } from './engines.ts';
import { BENCH_ADMIN_EMAIL, BENCH_PASSWORD, generate } from './generate.ts';
import { type Figures, httpLoad, type RunningApp, signIn, startApp } from './measure.ts';

const POSTING_SETUP = fileURLToPath(new URL('./posting-request.cjs', import.meta.url));
export const POSTING_CONNECTIONS = 32;
const INSTRUMENTS = 10;

export interface PostingsOptions {
  seconds: number;
  /** A superuser connection string to the server `db` is on, to make and drop pgbench's database. */
  adminUrl: string;
  onProgress?: (line: string) => void;
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n < 10 ? n.toFixed(1) : int(n));

/** What the server's sessions waited on while `work` ran, as shares of the samples taken. */
async function sampleWaits<T>(adminUrl: string, database: string, work: () => Promise<T>): Promise<{ result: T; waits: string }> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      const rows = await client.query<{ wait: string }>(
        `select coalesce(wait_event_type || ':' || wait_event, 'on CPU') as wait from pg_stat_activity
         where datname = $1 and state = 'active' and pid <> pg_backend_pid()`,
        [database],
      );
      samples++;
      for (const { wait } of rows.rows) counts.set(wait, (counts.get(wait) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    const result = await work();
    return {
      result,
      waits:
        [...counts]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([wait, n]) => `${wait} ${(n / samples).toFixed(1)}`)
          .join(', ') || 'no active sessions seen',
    };
  } finally {
    running = false;
    await sampler;
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function runPostingsBench(db: Db, running: RunningApp, options: PostingsOptions): Promise<{ label: string; value: string }[]> {
  const say = options.onProgress ?? (() => {});
  const rows: { label: string; value: string }[] = [];
  const database = (await db.query<{ name: string }>('select current_database() as name')).rows[0].name;

  const instruments = (
    await db.query<{ id: string }>(`
      insert into funding_instruments (donor_org_id, name, kind, owner_org_id, classification)
      select o.id, format('Posting bench instrument %s', g), 'grant', o.id, 'mission'
      from generate_series(1, ${INSTRUMENTS}) g
      cross join lateral (select id from organisations where type = 'donor' order by name offset g limit 1) o
      returning id`)
  ).rows.map((r) => r.id);
  const cookie = await signIn(running.url, BENCH_ADMIN_EMAIL, BENCH_PASSWORD);
  const session = await fetch(`${running.url}/api/auth/session`, { headers: { cookie } });
  const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
  const body = (id: string) => JSON.stringify({ instrumentId: id, amount: '10.00', valueDate: '2026-06-01', reference: 'bench' });

  const post = async (ids: string[]): Promise<{ figures: Figures; waits: string }> => {
    process.env.BENCH_POSTING_BODIES = JSON.stringify(ids.map(body));
    const { result, waits } = await sampleWaits(options.adminUrl, database, () =>
      httpLoad({
        url: running.url,
        settled: running.settled,
        connections: POSTING_CONNECTIONS,
        seconds: options.seconds,
        setupRequest: POSTING_SETUP,
        requests: [
          { method: 'POST', path: '/api/funding/receipts', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' } },
        ],
      }),
    );
    return { figures: result, waits };
  };
  const row = (f: Figures) =>
    `${int(f.rate)} postings/s · p50 ${ms(f.p50)} ms · p99 ${ms(f.p99)} ms${f.failures ? ` · ⚠ ${f.failureDetail}` : ''}`;

  say(`postings: ${POSTING_CONNECTIONS} connections over ${INSTRUMENTS} instruments...`);
  const spread = await post(instruments);
  rows.push({
    label: `Postings: POST /api/funding/receipts, ${POSTING_CONNECTIONS} connections, ${INSTRUMENTS} instruments`,
    value: row(spread.figures),
  });
  rows.push({ label: 'Postings: what the sessions waited on (average sessions per sample)', value: spread.waits });
  say(`postings: ${POSTING_CONNECTIONS} connections, every posting to one instrument...`);
  const hot = await post(instruments.slice(0, 1));
  rows.push({ label: `Postings: the same, every posting to one instrument (a hot account)`, value: row(hot.figures) });
  rows.push({ label: 'Postings: what the sessions waited on, one instrument', value: hot.waits });

  say(`pgbench, TPC-B-like, ${POSTING_CONNECTIONS} clients...`);
  const reference = process.env.BENCH_NO_PGBENCH ? { skipped: 'BENCH_NO_PGBENCH' } : await runPgbench(options.adminUrl, options.seconds);
  if ('skipped' in reference) rows.push({ label: 'pgbench TPC-B-like, same server', value: `skipped: ${reference.skipped}` });
  else {
    rows.push({
      label: `pgbench TPC-B-like, ${POSTING_CONNECTIONS} clients, same server, same run`,
      value: `${int(reference.tps)} transactions/s`,
    });
    rows.push({
      label: 'Postings ÷ pgbench (10 instruments / one instrument)',
      value: `${(spread.figures.rate / reference.tps).toFixed(2)}× / ${(hot.figures.rate / reference.tps).toFixed(2)}×`,
    });
  }
  return rows;
}

/** pgbench on a database of its own, made and dropped here. */
async function runPgbench(adminUrl: string, seconds: number): Promise<{ tps: number } | { skipped: string }> {
  if (spawnSync('pgbench', ['--version']).error) return { skipped: 'pgbench not found (Debian package postgresql-contrib)' };
  const name = `concord_pgbench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    const url = withDatabase(adminUrl, name);
    const init = spawnSync('pgbench', ['-i', '-s', '10', '-q', url], { encoding: 'utf8' });
    if (init.status !== 0) return { skipped: `pgbench -i failed: ${init.stderr.trim().split('\n').at(-1)}` };
    const run = spawnSync('pgbench', ['-c', String(POSTING_CONNECTIONS), '-j', '2', '-T', String(seconds), url], { encoding: 'utf8' });
    const tps = /tps = ([\d.]+)/.exec(run.stdout)?.[1];
    if (run.status !== 0 || !tps) return { skipped: `pgbench failed: ${(run.stderr || run.stdout).trim().split('\n').at(-1)}` };
    return { tps: Number(tps) };
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

// `npx tsx bench/postings.ts`: this measurement alone, on a fresh embedded server (fsync on).
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bench = await openBenchEmbedded();
  try {
    await prepareDatabase(bench.db, 'none');
    await generate(bench.db, { organisations: 100, usersPerOrganisation: 1, auditRows: 0, auditBatch: 1 });
    const running = await startApp(bench.db);
    try {
      const rows = await runPostingsBench(bench.db, running, {
        seconds: Number(process.env.BENCH_SECONDS ?? 10),
        adminUrl: bench.adminUrl,
        onProgress: (line) => console.log(line),
      });
      for (const row of rows) console.log(`${row.label.padEnd(90)}  ${row.value}`);
    } finally {
      await running.app.close();
    }
  } finally {
    await bench.dispose();
  }
}
