/**
 * A fresh, throw-away database per engine: the embedded PostgreSQL server in a temporary
 * data directory (the way `npm start` runs it, fsync on), and on a PostgreSQL server a new
 * database; both are removed again at the end, even after Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/server/config.ts';
import type { Db } from '../src/server/db/db.ts';
import { startEmbeddedPostgres } from '../src/server/db/embedded.ts';
import { PostgresDb } from '../src/server/db/postgres.ts';

/** The same pool size a server uses by default, so the figures match a real deployment. */
const POOL_SIZE = loadConfig({}).dbPoolSize;

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDb {
  db: Db;
  /** e.g. "PostgreSQL 15.20", read from the server itself. */
  version: string;
  /** A superuser connection to the same server's maintenance database (for pgbench's own database). */
  adminUrl: string;
  dispose(): Promise<void>;
}

const disposers = new Set<() => Promise<void>>();

// Without this, an interrupted run would leave a PostgreSQL database and a temp directory behind.
process.once('SIGINT', () => {
  console.error('\nInterrupted: removing the bench databases...');
  Promise.allSettled([...disposers].map((dispose) => dispose())).then(() => process.exit(130));
});

function track(dispose: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => (done ??= dispose().finally(() => disposers.delete(once)));
  disposers.add(once);
  return once;
}

async function serverVersion(db: Db): Promise<string> {
  return (await db.query<{ server_version: string }>('show server_version')).rows[0].server_version.split(' ')[0];
}

export async function openBenchEmbedded(): Promise<BenchDb> {
  const dir = await mkdtemp(join(tmpdir(), 'concord-bench-'));
  const server = await startEmbeddedPostgres({ pgdata: join(dir, 'postgres') });
  const db = new PostgresDb(server.url(), POOL_SIZE);
  return {
    db,
    version: `PostgreSQL ${await serverVersion(db)} (embedded)`,
    adminUrl: server.url('postgres'),
    dispose: track(async () => {
      await db.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }),
  };
}

/** The URL the PostgreSQL part uses, and where it came from. */
export function postgresUrl(env = process.env): { url: string; source: string } {
  if (env.BENCH_DATABASE_URL) return { url: env.BENCH_DATABASE_URL, source: 'BENCH_DATABASE_URL' };
  if (env.TEST_DATABASE_URL) return { url: env.TEST_DATABASE_URL, source: 'TEST_DATABASE_URL' };
  return { url: DEFAULT_POSTGRES_URL, source: 'default' };
}

/** The URL without its password, for printing. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Whether a server answers at `url`, and if not, why. */
export async function probePostgres(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message || error.constructor.name : String(error) };
  } finally {
    await client.end().catch(() => {});
  }
}

export async function openBenchPostgres(url: string): Promise<BenchDb> {
  const name = `concord_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const db = new PostgresDb(withDatabase(url, name), POOL_SIZE);
  const dispose = track(async () => {
    await db.close().catch(() => {});
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  return { db, version: `PostgreSQL ${await serverVersion(db)}`, adminUrl: url, dispose };
}
