/**
 * Configuration comes from the environment only; every setting and its default is listed
 * in the README's configuration table.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
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
  /** The proxies whose X-Forwarded-For is believed: addresses or CIDR ranges; none by default. */
  trustProxy: string[] | false;
  basemapStyleUrl: string | null;
  basemapPmtiles: string | null;
  webDir: string;
  version: string;
}

const root = resolve(import.meta.dirname, '../..');

export const VERSION: string = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version;

export class ConfigError extends Error {}

/**
 * CONCORD_TRUST_PROXY: the addresses or CIDR ranges of the proxies in front of the server,
 * comma-separated. Only a request that arrives from one of them may say, in X-Forwarded-For
 * and X-Forwarded-Proto, whom it is for: anyone else could claim any address.
 */
export function trustedProxies(value: string | undefined): string[] | false {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (!entries.length || (entries.length === 1 && ['false', '0'].includes(entries[0]))) return false;
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const version = isIP(address);
    const maxBits = version === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!version || !bitsOk || rest.length)
      throw new ConfigError(
        `CONCORD_TRUST_PROXY lists the proxies' addresses or CIDR ranges, comma-separated (e.g. "127.0.0.1,10.0.0.0/8"); "${entry}" is not one.` +
          (entry === 'true' || entry === '1' ? ' Trusting every address would let any client claim any address.' : ''),
      );
  }
  return entries;
}

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
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.CONCORD_DATA_DIR ?? './data'),
    databaseUrl,
    dbPoolSize,
    seed,
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: trustedProxies(env.CONCORD_TRUST_PROXY),
    basemapStyleUrl: env.CONCORD_BASEMAP_STYLE_URL || null,
    basemapPmtiles: env.CONCORD_BASEMAP_PMTILES ? resolve(env.CONCORD_BASEMAP_PMTILES) : null,
    webDir: resolve(root, 'dist/web'),
    version: VERSION,
  };
}
