/**
 * Configuration comes from the environment only; every setting and its default is listed
 * in the README's configuration table.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  /** Connections each server keeps to PostgreSQL at most. */
  dbPoolSize: number;
  seed: 'gaza' | 'none';
  logLevel: string;
  trustProxy: boolean;
  basemapStyleUrl: string | null;
  basemapPmtiles: string | null;
  webDir: string;
  version: string;
}

const root = resolve(import.meta.dirname, '../..');

export const VERSION: string = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, not "${env.PORT}".`);
  const seed = env.CONCORD_SEED ?? 'gaza';
  if (seed !== 'gaza' && seed !== 'none') throw new ConfigError(`CONCORD_SEED must be "gaza" or "none", not "${seed}".`);
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://.');
  }
  const dbPoolSize = Number(env.CONCORD_DB_POOL_SIZE ?? 20);
  if (!Number.isInteger(dbPoolSize) || dbPoolSize < 2 || dbPoolSize > 500) {
    throw new ConfigError(`CONCORD_DB_POOL_SIZE must be a whole number from 2 to 500, not "${env.CONCORD_DB_POOL_SIZE}".`);
  }
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.CONCORD_DATA_DIR ?? './data'),
    databaseUrl,
    dbPoolSize,
    seed,
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: env.CONCORD_TRUST_PROXY === 'true' || env.CONCORD_TRUST_PROXY === '1',
    basemapStyleUrl: env.CONCORD_BASEMAP_STYLE_URL || null,
    basemapPmtiles: env.CONCORD_BASEMAP_PMTILES ? resolve(env.CONCORD_BASEMAP_PMTILES) : null,
    webDir: resolve(root, 'dist/web'),
    version: VERSION,
  };
}
