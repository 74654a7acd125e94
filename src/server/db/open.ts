/**
 * Opens the database the configuration names: PostgreSQL when DATABASE_URL is set,
 * otherwise the embedded PGlite in CONCORD_DATA_DIR, guarded against a second process.
 */
import type { Config } from '../config.ts';
import { acquireDataDir, type DataDirLock, pgdataPath } from './data-dir.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { PostgresDb } from './postgres.ts';

export interface OpenedDb {
  db: Db;
  lock: DataDirLock | null;
  close(): Promise<void>;
}

export async function openDatabase(config: Config): Promise<OpenedDb> {
  if (config.databaseUrl) {
    const db = new PostgresDb(config.databaseUrl);
    return { db, lock: null, close: () => db.close() };
  }
  const lock = acquireDataDir(config.dataDir);
  try {
    const db = await openPglite(pgdataPath(config.dataDir));
    return {
      db,
      lock,
      async close() {
        await db.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
