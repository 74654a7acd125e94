/**
 * Starts a real Concord server (`concord serve`) as a child process on a fresh data
 * directory, the way a person would, and reads its address and the demo password from
 * what it prints. Each e2e test file gets its own server, so no file sees another's data.
 * With TEST_DATABASE_URL set, the server runs on a fresh PostgreSQL database of its own
 * (created here, dropped at stop); otherwise on its own embedded database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { type ServerProcess, startServerProcess } from '../../support/processes.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');

export interface ConcordServer {
  /** http://localhost:<port> */
  url: string;
  /** The demo users' password, as printed by the server. */
  demoPassword: string;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
export interface ServerOptions {
  /** Set in the server's environment after the defaults, e.g. CONCORD_BASEMAP_PMTILES. */
  env?: Record<string, string>;
}

export async function startServer(options: ServerOptions = {}): Promise<ConcordServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'concord-e2e-'));
  const database = await createDatabase();
  // Undefined unsets a variable of this process's environment: unless a test says
  // otherwise, the embedded database (or a fresh PostgreSQL one) and the offline map style.
  const env: Record<string, string | undefined> = {
    CONCORD_DATA_DIR: dataDir,
    CONCORD_SEED: 'gaza',
    DATABASE_URL: database?.url,
    CONCORD_BASEMAP_STYLE_URL: undefined,
    CONCORD_BASEMAP_PMTILES: undefined,
    ...options.env,
  };

  let server: ServerProcess | undefined;
  const stop = async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  };
  try {
    server = await startServerProcess(env, START_TIMEOUT_MS, STOP_TIMEOUT_MS);
    const output = server.output;
    const password = /password "([^"]+)"/.exec(output())?.[1];
    if (!password) throw new Error(`The server did not print the demo password. It printed:\n${output()}`);
    return { url: server.address, demoPassword: password, output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A fresh, empty PostgreSQL database for one server, when TEST_DATABASE_URL is set. */
async function createDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return null;
  const name = `concord_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
