/**
 * Opens the database the configuration names: the PostgreSQL server DATABASE_URL points
 * at, or else the embedded PostgreSQL server in CONCORD_DATA_DIR, which this process
 * starts, holds (data-dir.ts) and stops again on close.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config.ts';
import { acquireDataDir, type DataDirLock, legacyPgliteDataPath, pgdataPath } from './data-dir.ts';
import type { Db } from './db.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.ts';
import { PostgresDb } from './postgres.ts';

export interface OpenedDb {
  db: Db;
  lock: DataDirLock | null;
  /** The embedded server, when this process runs one. */
  embedded: EmbeddedPostgres | null;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, log: (line: string) => void = () => {}): Promise<OpenedDb> {
  if (config.databaseUrl) {
    const db = new PostgresDb(config.databaseUrl, config.dbPoolSize);
    return { db, lock: null, embedded: null, close: () => db.close() };
  }
  const lock = acquireDataDir(config.dataDir);
  try {
    if (existsSync(legacyPgliteDataPath(config.dataDir))) {
      log(
        `${legacyPgliteDataPath(config.dataDir)} holds data of the earlier embedded engine (PGlite), which Concord no longer reads; a new PostgreSQL cluster is used beside it.`,
      );
    }
    const embedded = await startEmbeddedPostgres({ pgdata: pgdataPath(config.dataDir), log });
    const db = new PostgresDb(embedded.url(), config.dbPoolSize);
    return {
      db,
      lock,
      embedded,
      async close() {
        try {
          await db.close();
        } finally {
          await embedded.stop();
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
