/**
 * Every list and overview endpoint beside its own SQL: each GET route without path
 * parameters is called through HTTP (one request at a time, signed in as an administrator, who
 * sees everything), the queries it made are recorded, and the same queries with the same
 * values are then run directly on the database, one after another. The ratio says how much
 * the API adds to its SQL (authentication, validation, JSON, HTTP). Figures only.
 */

import { pathToFileURL } from 'node:url';
import type { ConcordApp } from '../src/server/app.ts';
import type { Queryable, QueryResult } from '../src/server/db/db.ts';
import { DEMO_PASSWORD } from '../src/server/scenario/gaza.ts';
import { prepareDatabase } from '../src/server/server.ts';
import { benchDataDir } from './audit-log.ts';
import { openBenchEmbedded } from './engines.ts';
import { httpRequest, signIn, startApp } from './measure.ts';

interface Recorded {
  text: string;
  values: unknown[];
}

/** A database wrapper that records the queries made while `recording` is set. */
export class QueryRecorder {
  recording: Recorded[] | null = null;

  wrap<T extends Queryable>(db: T): T {
    const record = (text: string, values: unknown[]) => this.recording?.push({ text, values });
    const wrapQueryable = (q: Queryable): Queryable => ({
      query: (query, values) => {
        const text = typeof query === 'string' ? query : query.text;
        record(text, typeof query === 'string' ? (values ?? []) : query.values);
        return q.query(query, values);
      },
      exec: (script) => q.exec(script),
    });
    const wrapped = wrapQueryable(db) as T;
    const transaction = (db as unknown as { transaction?: (work: (tx: Queryable) => Promise<unknown>, o?: unknown) => Promise<unknown> })
      .transaction;
    if (transaction) {
      Object.assign(wrapped, {
        transaction: (work: (tx: Queryable) => Promise<unknown>, options?: unknown) =>
          transaction.call(db, (tx: Queryable) => work(wrapQueryable(tx)), options),
        close: () => (db as unknown as { close(): Promise<void> }).close(),
      });
    }
    return wrapped;
  }
}

/** Routes that answer with a file or a document rather than a list or an overview. */
const NOT_LISTS = [
  /^\/api\/docs/,
  /^\/api\/openapi\.json$/,
  /^\/api\/funding\/exports\//,
  /^\/api\/funding\/statements/,
  /^\/api\/problems$/,
];

export interface ApiSqlRow {
  path: string;
  api: number;
  sql: number;
  queries: number;
  status: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** The GET endpoints of `app` (without path parameters), each through HTTP and as its SQL alone. */
export async function measureApiVsSql(
  app: ConcordApp,
  url: string,
  db: Queryable,
  recorder: QueryRecorder,
  options: { cookie: string; runs: number; paths?: string[]; onProgress?: (line: string) => void },
): Promise<ApiSqlRow[]> {
  const paths =
    options.paths ??
    app.routeTable
      .filter((route) => route.method === 'GET' && route.url.startsWith('/api/') && !route.url.includes(':'))
      .map((route) => route.url)
      .filter((path) => !NOT_LISTS.some((pattern) => pattern.test(path)));
  const rows: ApiSqlRow[] = [];
  for (const path of [...new Set(paths)].sort()) {
    options.onProgress?.(`API and SQL: ${path}`);
    const call = () => httpRequest(`${url}${path}`, { headers: { cookie: options.cookie } });
    // Warm up (kept models, prepared plans), then record one request's queries.
    await call();
    recorder.recording = [];
    const first = await call();
    const queries = recorder.recording;
    recorder.recording = null;
    const api: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const start = performance.now();
      await call();
      api.push(performance.now() - start);
    }
    const sql: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const start = performance.now();
      for (const q of queries) await (db.query(q.text, q.values) as Promise<QueryResult<unknown>>);
      sql.push(performance.now() - start);
    }
    rows.push({ path, api: median(api), sql: median(sql), queries: queries.length, status: first.status });
  }
  return rows;
}

export function formatApiSqlRows(rows: ApiSqlRow[]): { label: string; value: string }[] {
  const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
  return rows.map((row) => ({
    label: `API ÷ SQL: GET ${row.path}`,
    value:
      row.status >= 400
        ? `not measured: HTTP ${row.status} without parameters`
        : `API ${ms(row.api)} ms · SQL ${ms(row.sql)} ms (${row.queries} queries) · ${(row.api / row.sql).toFixed(2)}×`,
  }));
}

/** Every list and overview on the Gaza scenario, on a fresh embedded server. */
export async function runApiVsSqlOnScenario(
  runs: number,
  onProgress?: (line: string) => void,
): Promise<{ label: string; value: string }[]> {
  const bench = await openBenchEmbedded();
  const dataDir = await benchDataDir();
  try {
    await prepareDatabase(bench.db, 'gaza');
    const recorder = new QueryRecorder();
    const running = await startApp(bench.db, dataDir.path, (db) => recorder.wrap(db));
    try {
      const cookie = await signIn(running.url, 'admin@concord.example', DEMO_PASSWORD);
      const rows = await measureApiVsSql(running.app, running.url, bench.db, recorder, {
        cookie,
        runs,
        paths: process.env.BENCH_PATHS?.split(','),
        onProgress,
      });
      return formatApiSqlRows(rows);
    } finally {
      await running.app.close();
    }
  } finally {
    await dataDir.remove();
    await bench.dispose();
  }
}

// `npx tsx bench/api-vs-sql.ts`: that, alone.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await runApiVsSqlOnScenario(Number(process.env.BENCH_RUNS ?? 30))) console.log(`${row.label.padEnd(60)} ${row.value}`);
}
