/**
 * `npm run bench`: builds a large data set on the embedded PostgreSQL and on a PostgreSQL
 * server, measures sign-in,
 * paginated lists and the audit trail through the real HTTP app and directly on the
 * database, seals and verifies the audit log (bench/audit-log.ts), and prints one markdown
 * table (also written to bench/results/latest.md).
 *
 * These are measurements on whatever machine runs them, not pass/fail checks.
 *
 * Each engine also gets the conditions analysis at the issue's scale (2,000 conditions,
 * 50,000 gated commitments) through GET /api/conditions/analysis, POST /api/conditions/what-if
 * and GET /api/conditions/:id/gates: cold (the first request after a write) and warm; and the
 * funding ledger at a million entries (bench/funding-ledger.ts).
 * Last, IATI import throughput on a generated file of 100 MB (10 MB quick) beside
 * `xmllint --stream` (bench/iati-read.ts, which also runs alone), what refusing hostile
 * import files costs (bench/import-hostile.ts, which also runs alone), and what writing refused
 * requests to the security log costs (bench/refusals.ts, which also runs alone).
 *
 *   BENCH_QUICK=1               10x less data and 2 s runs (a 10 MB IATI file), to check that it works
 *   BENCH_ENGINES=embedded      only these engines (comma-separated: embedded, postgresql)
 *   BENCH_AUDIT_ROWS=n          audit rows (default 1,000,000)
 *   BENCH_DATABASE_URL / TEST_DATABASE_URL   the PostgreSQL server (default: local, port 5432)
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Db } from '../src/server/db/db.ts';
import { systemActor } from '../src/server/http/authenticate.ts';
import { listUsers } from '../src/server/modules/access/users.repo.ts';
import { prepareDatabase } from '../src/server/server.ts';
import { formatApiSqlRows, measureApiVsSql, QueryRecorder, runApiVsSqlOnScenario } from './api-vs-sql.ts';
import { benchDataDir, runAuditBench } from './audit-log.ts';
import { runConditionsAnalysisBench } from './conditions-analysis.ts';
import { runConditionsDbBench } from './conditions-db.ts';
import { type BenchDb, openBenchEmbedded, openBenchPostgres, postgresUrl, probePostgres, redact } from './engines.ts';
import { runFundingBench } from './funding-ledger.ts';
import { BENCH_ADMIN_EMAIL, BENCH_PASSWORD, generate } from './generate.ts';
import { runIatiReadBench } from './iati-read.ts';
import { runImportHostileBench } from './import-hostile.ts';
import { directLoad, type Figures, httpLoad, signIn, startApp, timed } from './measure.ts';
import { runPostingsBench } from './postings.ts';
import { runRefusalsBench } from './refusals.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const SCALE = QUICK ? 10 : 1;
const ORGANISATIONS = 10_000 / SCALE;
const USERS_PER_ORGANISATION = 5;
const PAGE_SIZE = 25;
const AUDIT_ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000) / SCALE;
// Direct calls run as long as the HTTP runs: a deep page can take a second, and short
// runs of slow calls give few samples.
const SECONDS = QUICK ? { signIn: 2, list: 2, direct: 2, audit: 2 } : { signIn: 5, list: 10, direct: 10, audit: 10 };
// Sign-in is argon2id-bound (a few CPU-heavy verifications at a time are all the cores
// allow); reads use as many connections as the server's PostgreSQL pool has.
const SIGN_IN_CONNECTIONS = 4;
const CONNECTIONS = 10;
const SIGN_IN_ACCOUNTS = 50;
// The issue's conditions scale: 2,000 conditions and 50,000 gated commitments.
const CONDITIONS = 2_000 / SCALE;
const GATES = 50_000 / SCALE;
const CONDITION_RUNS = QUICK ? 3 : 5;
// The issue's ledger scale: a million entries, two per transaction.
const LEDGER_TRANSACTIONS = 500_000 / SCALE;
const CONDITION_WARM_RUNS = QUICK ? 20 : 100;

type Engine = 'embedded' | 'postgresql';
const ENGINES: Engine[] = ['embedded', 'postgresql'];
const NAMES: Record<Engine, string> = { embedded: 'Embedded PostgreSQL', postgresql: 'PostgreSQL server' };

/** A table row: its label and one cell per engine. */
type Rows = Map<string, Partial<Record<Engine, string>>>;

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(1) : int(n));
const secs = (s: number) => (s < 10 ? `${s.toFixed(1)} s` : s < 120 ? `${int(s)} s` : `${int(s)} s (${(s / 60).toFixed(1)} min)`);
const rate = (f: Figures, unit: string) =>
  `${f.rate < 100 ? f.rate.toFixed(1) : int(f.rate)} ${unit} · p50 ${ms(f.p50)} ms · p99 ${ms(f.p99)} ms${f.failures ? ` · ⚠ ${f.failureDetail}` : ''}`;

function log(engine: Engine, line: string) {
  console.log(`[${NAMES[engine]}] ${line}`);
}

/** Pages 1..10, and ten pages spread evenly from the first to the last. */
function pageSets(users: number) {
  const last = Math.ceil(users / PAGE_SIZE);
  return {
    first: Array.from({ length: 10 }, (_, i) => i + 1),
    spread: Array.from({ length: 10 }, (_, i) => Math.round(1 + (i * (last - 1)) / 9)),
    last,
  };
}

async function benchEngine(engine: Engine, bench: BenchDb, rows: Rows): Promise<void> {
  const set = (label: string, value: string) => rows.set(label, { ...rows.get(label), [engine]: value });
  const db: Db = bench.db;
  const started = performance.now();

  const prepared = await timed(() => prepareDatabase(db, 'none'));
  set('Migrate and seed roles (fresh database)', secs(prepared.seconds));

  const auditRows = AUDIT_ROWS;
  const data = await generate(db, {
    organisations: ORGANISATIONS,
    usersPerOrganisation: USERS_PER_ORGANISATION,
    auditRows,
    auditBatch: Math.min(50_000, auditRows),
    onProgress: (line) => log(engine, line),
  });
  set('Data: organisations / users / audit rows', `${int(data.organisations)} / ${int(data.users)} / ${int(data.auditRows)}`);
  set('Generate organisations, users, roles (set-based SQL)', secs(data.peopleSeconds));
  set('Generate audit rows (plain inserts, set-based)', `${secs(data.auditSeconds)} · ${int(data.auditRows / data.auditSeconds)} rows/s`);
  const size = await db.query<{ size: string }>('select pg_size_pretty(pg_database_size(current_database())) as size');
  set('Database size after generation', size.rows[0].size);

  const dataDir = await benchDataDir();
  const recorder = new QueryRecorder();
  const { app, url, settled } = await startApp(db, dataDir.path, (wrapped) => recorder.wrap(wrapped));
  try {
    // Sign-in: generated accounts in turn, all with the same (valid) password.
    log(engine, `sign-in for ${SECONDS.signIn} s...`);
    const emails = Array.from(
      { length: SIGN_IN_ACCOUNTS },
      (_, i) => `user${1 + ((i * 37) % ORGANISATIONS)}.${1 + (i % USERS_PER_ORGANISATION)}@bench.example`,
    );
    const signIns = await httpLoad({
      url,
      settled,
      connections: SIGN_IN_CONNECTIONS,
      seconds: SECONDS.signIn,
      requests: emails.map((email) => ({
        method: 'POST',
        path: '/api/auth/sign-in',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: BENCH_PASSWORD }),
      })),
    });
    set(`Sign-in: POST /api/auth/sign-in (${SIGN_IN_CONNECTIONS} connections)`, rate(signIns, 'req/s'));

    const cookie = await signIn(url, BENCH_ADMIN_EMAIL, BENCH_PASSWORD);
    const pages = pageSets(data.users);
    for (const [key, label] of [
      ['first', 'pages 1–10'],
      ['spread', `10 pages spread over all ${int(pages.last)}`],
    ] as const) {
      const list = pages[key];
      log(engine, `GET /api/users, ${label}, for ${SECONDS.list} s...`);
      const api = await httpLoad({
        url,
        settled,
        connections: CONNECTIONS,
        seconds: SECONDS.list,
        requests: [{ path: '/api/users', headers: { cookie } }],
        rotatePaths: list.map((page) => `/api/users?page=${page}&pageSize=${PAGE_SIZE}`),
      });
      const work = (i: number) => listUsers(db, systemActor('bench'), { page: list[i % list.length], pageSize: PAGE_SIZE });
      log(engine, `listUsers() directly, ${label}...`);
      const sequential = await directLoad(work, { seconds: SECONDS.direct, concurrency: 1 });
      const concurrent = await directLoad(work, { seconds: SECONDS.direct, concurrency: CONNECTIONS });
      set(`GET /api/users?pageSize=${PAGE_SIZE}, ${label} (${CONNECTIONS} connections)`, rate(api, 'req/s'));
      set(`listUsers() on the database, ${label}, one at a time`, rate(sequential, 'calls/s'));
      set(`listUsers() on the database, ${label}, ${CONNECTIONS} at a time`, rate(concurrent, 'calls/s'));
      set(`API ÷ database throughput, ${label} (${CONNECTIONS} at a time)`, `${(api.rate / concurrent.rate).toFixed(2)}×`);
    }

    log(engine, `GET /api/audit for ${SECONDS.audit} s...`);
    const audit = await httpLoad({
      url,
      settled,
      connections: CONNECTIONS,
      seconds: SECONDS.audit,
      requests: [{ path: '/api/audit?pageSize=50', headers: { cookie } }],
    });
    set(`GET /api/audit?pageSize=50, newest page (${CONNECTIONS} connections)`, rate(audit, 'req/s'));

    // The audit log: sealing the trail, writes with the sealer running, full and since-checkpoint verification.
    const auditFigures = await runAuditBench(
      db,
      { app, url, settled },
      { seconds: SECONDS.audit, connections: CONNECTIONS, dataDir: dataDir.path, onProgress: (line) => log(engine, line) },
    );
    for (const row of auditFigures) set(row.label, row.value);

    // The conditions analysis at the issue's scale, on this database and through the app.
    const conditionRows = await runConditionsDbBench(
      db,
      { app, url, settled },
      {
        conditions: CONDITIONS,
        gates: GATES,
        runs: CONDITION_RUNS,
        warmRuns: CONDITION_WARM_RUNS,
        onProgress: (line) => log(engine, line),
      },
    );
    for (const row of conditionRows) set(row.label, row.value);

    // The funding ledger at a million entries: the overview figures and postings through the app.
    const fundingRows = await runFundingBench(
      db,
      { app, url, settled },
      {
        transactions: LEDGER_TRANSACTIONS,
        seconds: SECONDS.list,
        connections: CONNECTIONS,
        onProgress: (line) => log(engine, line),
      },
    );
    for (const row of fundingRows) set(row.label, row.value);

    // Postings at 32 connections against pgbench on the same server, in the same run.
    const postingRows = await runPostingsBench(
      db,
      { app, url, settled },
      {
        seconds: SECONDS.list,
        adminUrl: bench.adminUrl,
        onProgress: (line) => log(engine, line),
      },
    );
    for (const row of postingRows) set(row.label, row.value);

    // Every list and overview endpoint beside its own SQL, at this scale (a million ledger entries).
    log(engine, 'every list and overview endpoint beside its SQL...');
    const apiSql = await measureApiVsSql(app, url, db, recorder, {
      cookie: await signIn(url, BENCH_ADMIN_EMAIL, BENCH_PASSWORD),
      runs: QUICK ? 5 : 15,
    });
    for (const row of formatApiSqlRows(apiSql)) set(`${row.label} (1M ledger entries)`, row.value);
  } finally {
    await app.close();
    await dataDir.remove();
  }
  set('Wall time for this engine (setup, generation, measurements)', secs((performance.now() - started) / 1000));
}

function machineLine(versions: string[]): string {
  const cpu = cpus();
  const load = loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
  return (
    `Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, ` +
    `${process.platform}/${process.arch}, Node ${process.version}; ${versions.join('; ')}; ` +
    `load average (1/5/15 min) at the end: ${load}`
  );
}

async function main() {
  const only = process.env.BENCH_ENGINES?.split(',').map((s) => s.trim());
  const engines = ENGINES.filter((engine) => !only || only.includes(engine));
  const rows: Rows = new Map();
  const notes: string[] = [];
  const versions: string[] = [];
  const started = performance.now();
  console.log(
    `Concord bench${QUICK ? ' (BENCH_QUICK=1: 10x less data, 2 s runs)' : ''}; load average at start: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}`,
  );

  for (const engine of engines) {
    let bench: BenchDb;
    if (engine === 'postgresql') {
      const { url, source } = postgresUrl();
      const probe = await probePostgres(url);
      if (!probe.ok) {
        const why = `skipped: no PostgreSQL server answered at ${redact(url)} (${source === 'default' ? 'the default; set BENCH_DATABASE_URL or TEST_DATABASE_URL' : source}): ${probe.reason}`;
        console.log(`[PostgreSQL] ${why}`);
        notes.push(`PostgreSQL ${why}.`);
        rows.set('Data: organisations / users / audit rows', {
          ...rows.get('Data: organisations / users / audit rows'),
          postgresql: 'skipped (no server answered)',
        });
        continue;
      }
      log(engine, `fresh database on ${redact(url)}`);
      bench = await openBenchPostgres(url);
    } else {
      log(engine, 'fresh cluster in a temporary directory...');
      const opened = await timed(() => openBenchEmbedded());
      bench = opened.result;
      rows.set('Start the embedded server (initdb on first use)', { embedded: secs(opened.seconds) });
    }
    versions.push(`${NAMES[engine]}: ${bench.version}`);
    try {
      await benchEngine(engine, bench, rows);
    } finally {
      await bench.dispose();
    }
  }

  console.log('[engine] conditions analysis in process, no database...');
  const analysisRows = await runConditionsAnalysisBench();

  console.log('[engine] IATI import throughput beside xmllint --stream...');
  const iatiRows = await runIatiReadBench((line) => console.log(`[IATI] ${line}`));

  console.log('[engine] refusing hostile import files...');
  const hostileRows = await runImportHostileBench((line) => console.log(`[hostile] ${line}`));

  console.log('[scenario] every list and overview endpoint beside its SQL, on the Gaza scenario...');
  const scenarioApiSql = await runApiVsSqlOnScenario(QUICK ? 5 : 30);

  console.log('[engine] refused requests and the security log...');
  const refusalRows = await runRefusalsBench(QUICK ? 2 : 10, (line) => console.log(`[refusals] ${line}`));

  const shown = engines.filter((engine) => [...rows.values()].some((cells) => cells[engine]));
  const order = [...rows.keys()];
  // Columns padded to one width, so the table reads as well in a terminal as rendered.
  const cells = [
    ['Measurement', ...shown.map((e) => NAMES[e])],
    ...order.map((label) => [label, ...shown.map((e) => rows.get(label)?.[e] ?? '–')]),
  ];
  const padded = (cells: string[][]) => {
    const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
    const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
    return [line(cells[0]), line(widths.map((width) => '-'.repeat(width))), ...cells.slice(1).map(line)];
  };
  const table = padded(cells);
  notes.push(
    'Each API request also finds its session (one more query), validates and serialises through zod; the database rows time listUsers() alone. In both, the connections (or loops) take the pages in turn. A sign-in also writes a session, a sign-in attempt and an audit row.',
  );
  notes.push(
    'Conditions, cold: the first request after a write (one commitment changed in SQL), which rebuilds the model from the database for the caller. Warm: the model kept from an earlier request at the same analysis generation, found after reading one counter row. p99 over 5 cold runs is their slowest.',
  );
  notes.push(
    `Latencies are per request as autocannon saw them (or per call for listUsers()); req/s counts 2xx answers only. ` +
      `Load came from one autocannon worker thread on the same machine as the server and PostgreSQL.`,
  );
  const output = [
    `## Concord bench${QUICK ? ' (quick: BENCH_QUICK=1)' : ''} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    ...table,
    '',
    ...notes.map((note) => `- ${note}`),
    '',
    '### Conditions analysis engine (2,000 conditions, 50,000 gates, in process)',
    '',
    ...padded([['Measurement', 'Time'], ...analysisRows.map((row) => [row.name, row.value])]),
    '',
    `### IATI import (streaming reader on a generated ${QUICK ? '10' : '100'} MB IATI 2.03 file, beside xmllint --stream)`,
    '',
    ...padded([['Measurement', 'Figure'], ...iatiRows.map((row) => [row.name, row.value])]),
    '',
    '### API beside its SQL on the Gaza scenario (embedded PostgreSQL; median of sequential requests, then the same queries replayed directly)',
    '',
    ...padded([['Endpoint', 'API, SQL, ratio'], ...scenarioApiSql.map((row) => [row.label, row.value])]),
    '',
    '### Hostile imports refused (streamed over loopback HTTP; the import reads in a worker thread)',
    '',
    ...padded([['File', 'Answer, time, memory, health meanwhile'], ...hostileRows.map((row) => [row.name, row.value])]),
    '',
    '### Refused requests (over loopback HTTP, embedded PostgreSQL, one address: its alert is open after ten)',
    '',
    ...padded([['Request', 'Throughput and latency'], ...refusalRows.map((row) => [row.name, row.value])]),
    '',
    machineLine(versions),
    `Total bench time: ${secs((performance.now() - started) / 1000)}`,
    '',
  ].join('\n');
  console.log(`\n${output}`);
  const file = new URL('./results/latest.md', import.meta.url);
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(file, output);
  console.log('Written to bench/results/latest.md');
}

await main();
