/**
 * A fresh, migrated database of its own for a test file: a copy of the template that
 * global-setup.ts made, on the embedded test cluster or on TEST_DATABASE_URL's server.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../src/server/db/db.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { withDatabase } from './global-setup.ts';

export interface TestDb {
  db: Db;
  /** The connection string of the test database. */
  url: string;
  drop(): Promise<void>;
}

/** Runs `work` with a superuser connection to the test server. */
export async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** An empty database (not migrated) on the test server, dropped by `drop`. */
export async function createEmptyDatabase(template = 'template0'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `concord_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`create database ${name} template ${template}`));
  return {
    url: withDatabase(inject('databaseUrl'), name),
    drop: () => withAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

export async function createTestDb(): Promise<TestDb> {
  const { url, drop } = await createEmptyDatabase(inject('postgresTemplate'));
  const db = new PostgresDb(url, 8);
  return {
    db,
    url,
    async drop() {
      await db.close();
      await drop();
    },
  };
}
