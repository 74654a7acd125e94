/**
 * Measuring tools: the real app on a loopback port, HTTP load with autocannon, and the
 * same work called directly in a loop, so the two can be compared.
 */
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon, { type Request, type Result } from 'autocannon';
import { buildApp, type ConcordApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import type { Db } from '../src/server/db/db.ts';

export interface Figures {
  /** Completed operations per second. */
  rate: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  count: number;
  /** Non-2xx responses plus errors and timeouts; always 0 for direct calls that did not throw. */
  failures: number;
  failureDetail?: string;
}

export interface RunningApp {
  app: ConcordApp;
  url: string;
  /** Resolves once the app has stopped using the database (see trackActivity). */
  settled(): Promise<void>;
}

/**
 * The database as the app sees it, counting the work in flight. When autocannon's time is
 * up it closes its connections, but the server still finishes the requests it had begun
 * (seconds of work, under heavy load), and that leftover
 * must not run into the next measurement. Counting costs nothing measurable per query.
 */
function trackActivity(db: Db): { db: Db; settled(): Promise<void> } {
  let active = 0;
  let last = performance.now();
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    active++;
    try {
      return await work();
    } finally {
      active--;
      last = performance.now();
    }
  };
  const tracked: Db = {
    query: (query, values) => track(() => db.query(query, values)),
    exec: (script) => track(() => db.exec(script)),
    transaction: (work) => track(() => db.transaction(work)),
    close: () => db.close(),
  };
  // Quiet for a whole second: a sign-in spends a few hundred ms in argon2 between queries.
  const settled = async () => {
    while (active > 0 || performance.now() - last < 1000) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  return { db: tracked, settled };
}

/** `dataDir` holds the audit log's key and checkpoint file: give the bench a directory of its own. */
export async function startApp(raw: Db, dataDir?: string, wrap: (db: Db) => Db = (db) => db): Promise<RunningApp> {
  const { db: tracked, settled } = trackActivity(raw);
  const db = wrap(tracked);
  const config = { ...loadConfig({}), seed: 'none' as const, ...(dataDir ? { dataDir } : {}) };
  const app = await buildApp({ db, config, logger: false });
  // Loopback only: nothing in the bench listens on or reaches another interface.
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, settled };
}

/**
 * One HTTP request without a time limit (fetch gives up on headers after 300 s, and
 * verifying a long audit trail on a slow machine can take longer).
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Signs in and returns the session cookie ("concord_session=..."). */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await httpRequest(`${baseUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = [response.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('concord_session='));
  if (response.status !== 200 || !cookie) throw new Error(`sign-in as ${email} failed: ${response.status} ${response.body.slice(0, 300)}`);
  return cookie.split(';')[0];
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  requests: { method?: string; path: string; headers?: Record<string, string>; body?: string }[];
  /** Instead of each connection walking `requests` on its own, all connections take these paths in turn. */
  rotatePaths?: string[];
  /** An autocannon setupRequest module that rewrites each request before it is sent. */
  setupRequest?: string;
  /** Waits for the server to finish what a run left in flight. */
  settled: () => Promise<void>;
}

const ROTATE_PATH = fileURLToPath(new URL('./rotate-path.cjs', import.meta.url));

function describeFailures(result: Result): string | undefined {
  const codes = Object.entries(result.statusCodeStats)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, { count }]) => `${count}× ${code}`);
  if (result.errors) codes.push(`${result.errors} errors (${result.timeouts} timeouts)`);
  return codes.length ? codes.join(', ') : undefined;
}

/**
 * HTTP load from autocannon. The load runs in a worker thread, so sending requests and
 * reading answers does not compete with the server for this thread's event loop; it
 * still shares the machine's cores with the server (and, on PostgreSQL, the database).
 * One second of warm-up first, so the figures are not of cold code paths.
 */
export async function httpLoad(options: LoadOptions): Promise<Figures> {
  let requests: Request[] = options.requests;
  if (options.rotatePaths) {
    process.env.BENCH_ROTATE_PATHS = JSON.stringify(options.rotatePaths);
    requests = options.requests.map((request) => ({ ...request, setupRequest: ROTATE_PATH }));
  }
  if (options.setupRequest) requests = options.requests.map((request) => ({ ...request, setupRequest: options.setupRequest }));
  const base = { url: options.url, connections: options.connections, workers: 1, requests, timeout: 60 };
  await autocannon({ ...base, duration: 1 });
  await options.settled();
  const result = await autocannon({ ...base, duration: options.seconds });
  await options.settled();
  const failures = result.non2xx + result.errors;
  return {
    rate: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    count: result.requests.total,
    failures,
    failureDetail: describeFailures(result),
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Calls `work(i)` for `seconds` from `concurrency` loops at once, each starting the next
 * call as soon as its previous one ends: the direct-call counterpart of autocannon's
 * connections. The loops share the counter i, as the connections share rotate-path.cjs.
 * As autocannon does, only calls that finish within the time count; the rest are awaited
 * so they cannot overlap the next measurement.
 */
export async function directLoad(
  work: (i: number) => Promise<unknown>,
  options: { seconds: number; concurrency: number },
): Promise<Figures> {
  // Warm-up: one second of calls, at least one.
  const warm = performance.now() + 1000;
  for (let i = 0; i === 0 || performance.now() < warm; i++) await work(i);
  const latencies: number[] = [];
  const end = performance.now() + options.seconds * 1000;
  let next = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await work(next++);
      const done = performance.now();
      if (done <= end) latencies.push(done - t);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / options.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    count: latencies.length,
    failures: 0,
  };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - start) / 1000 };
}
