/**
 * Prepares one migrated database that every test file copies (a PostgreSQL template
 * database), so no test file pays for migrations and no test sees another's data.
 *
 * The server is the one TEST_DATABASE_URL names or, without it, an embedded PostgreSQL
 * cluster started here in a temporary directory and removed at the end. That throw-away
 * cluster runs without fsync: nothing in it must survive a power cut.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/server/db/embedded.ts';
import { migrate } from '../../src/server/db/migrate.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { seedRoles } from '../../src/server/scenario/gaza.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection to the test server's maintenance database. */
    databaseUrl: string;
    /** The migrated template database that test databases are copied from. */
    postgresTemplate: string;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Settings for a throw-away cluster: fast, and nothing in it must survive a crash. */
export const THROWAWAY_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' };

export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL;
  let stopCluster = async () => {};
  if (!url) {
    const dir = await mkdtemp(join(tmpdir(), 'concord-test-'));
    const cluster = await startEmbeddedPostgres({ pgdata: join(dir, 'postgres'), settings: THROWAWAY_SETTINGS });
    url = cluster.url('postgres');
    stopCluster = async () => {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const name = `concord_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  const db = new PostgresDb(withDatabase(url, name), 2);
  await migrate(db);
  await db.transaction((tx) => seedRoles(tx));
  await db.close();
  project.provide('databaseUrl', url);
  project.provide('postgresTemplate', name);
  return async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await stopCluster();
  };
}
