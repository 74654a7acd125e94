/**
 * Starts a real Concord server (`concord serve`) as a child process on a fresh data
 * directory, the way a person would, and reads its address and the demo password from
 * what it prints. Each e2e test file gets its own server, so no file sees another's data.
 * With TEST_DATABASE_URL set, the server runs on a fresh PostgreSQL database of its own
 * (created here, dropped at stop); otherwise on its own embedded database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

export interface ServerOptions {
  /** Set in the server's environment after the defaults, e.g. CONCORD_BASEMAP_PMTILES. */
  env?: Record<string, string>;
}

export async function startServer(options: ServerOptions = {}): Promise<ConcordServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'concord-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONCORD_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    CONCORD_SEED: 'gaza',
    LOG_LEVEL: 'warn',
  };
  // Unless a test says otherwise, the offline map style.
  delete env.DATABASE_URL;
  delete env.CONCORD_BASEMAP_STYLE_URL;
  const database = await createDatabase();
  if (database) env.DATABASE_URL = database.url;
  delete env.CONCORD_BASEMAP_PMTILES;
  Object.assign(env, options.env);

  const child = spawn(process.execPath, [join(ROOT, 'bin/concord.mjs'), 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  };

  try {
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`The server did not start within ${START_TIMEOUT_MS / 1000}s. It printed:\n${output}`)),
        START_TIMEOUT_MS,
      );
      const check = () => {
        const match = /is running at (http:\/\/\S+)/.exec(output);
        // Wait for the whole banner: the password line comes after the address.
        if (match && /API documentation/.test(output)) {
          clearTimeout(timer);
          done(match[1]);
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`The server exited (${signal ?? code}) before it was ready. It printed:\n${output}`));
      });
    });
    const password = /password "([^"]+)"/.exec(output)?.[1];
    if (!password) throw new Error(`The server did not print the demo password. It printed:\n${output}`);
    return { url, demoPassword: password, output: () => output, stop };
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
