/**
 * A fresh, migrated database of its own for a test file: a copy of the template that
 * global-setup.ts made, on PGlite or on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../src/server/db/db.ts';
import { openPglite } from '../../src/server/db/pglite.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { withDatabase } from './global-setup.ts';

export interface TestDb {
  db: Db;
  /** The connection string of a PostgreSQL test database (null on PGlite). */
  url: string | null;
  drop(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const url = process.env.TEST_DATABASE_URL;
  const template = inject('postgresTemplate');
  if (url && template) {
    const name = `concord_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name} template ${template}`);
    const dbUrl = withDatabase(url, name);
    const db = new PostgresDb(dbUrl, 8);
    return {
      db,
      url: dbUrl,
      async drop() {
        await db.close();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const dump = await readFile(inject('pgliteTemplate'));
  const db = await openPglite(undefined, { loadDataDir: new Blob([dump]) });
  return { db, url: null, drop: () => db.close() };
}
