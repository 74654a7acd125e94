/**
 * The embedded PostgreSQL server as `npm start` runs it: a private cluster (owner-only
 * files, socket only, fsync on), no committed posting lost when Concord or PostgreSQL is
 * killed with SIGKILL during postings, and a start as root and as a plain user.
 *
 * These always use the embedded server, so they run once, in the pass without
 * TEST_DATABASE_URL.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgdataPath } from '../../src/server/db/data-dir.ts';
import { EMBEDDED_SYSTEM_USER, EmbeddedUnavailableError, embeddedBinaries } from '../../src/server/db/embedded.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { DEMO_PASSWORD } from '../../src/server/scenario/gaza.ts';
import { type ServerProcess, startServerProcess, tempDir } from '../support/processes.ts';

const onEmbedded = !process.env.TEST_DATABASE_URL;
const asRoot = process.getuid?.() === 0;

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(address: string, email: string): Promise<Session> {
  const response = await fetch(`${address}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  const body = await response.json();
  return { cookie: response.headers.get('set-cookie')!.split(';')[0], csrf: body.csrfToken };
}

async function receiptCount(address: string, session: Session): Promise<number> {
  const response = await fetch(`${address}/api/funding/transactions?kind=receipt&pageSize=1`, { headers: { cookie: session.cookie } });
  return (await response.json()).total;
}

/** Every file and directory under `dir`, with its mode. */
function walk(dir: string): { path: string; mode: number }[] {
  const found = [{ path: dir, mode: statSync(dir).mode & 0o777 }];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walk(path));
    else found.push({ path, mode: statSync(path).mode & 0o777 });
  }
  return found;
}

const postmasterPid = (dataDir: string) => Number(readFileSync(join(pgdataPath(dataDir), 'postmaster.pid'), 'utf8').split('\n')[0]);
const postgresLog = (dataDir: string) => readFileSync(join(dataDir, 'postgres.log'), 'utf8').split('\n').slice(-30).join('\n');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(check: () => Promise<boolean>, ms: number, what: () => string) {
  const until = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!onEmbedded)('the embedded PostgreSQL server', { timeout: 300_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = await tempDir();
    env = { CONCORD_DATA_DIR: dir.path, DATABASE_URL: '', CONCORD_SEED: 'gaza' };
    server = await startServerProcess(env);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    // A server killed last leaves PostgreSQL running: a normal start and stop cleans it up.
    const last = await startServerProcess(env).catch(() => undefined);
    await last?.stop();
    await dir?.remove();
  });

  it('keeps a private cluster: owner-only files, a Unix socket and no TCP, fsync on', async () => {
    expect(server.output()).toMatch(/database: embedded PostgreSQL 18\.\d+ in .* \(Unix socket only\)/);
    const pgdata = pgdataPath(dir.path);
    const entries = walk(pgdata);
    expect(entries.length).toBeGreaterThan(100);
    expect(entries.filter((e) => e.mode & 0o077).map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
    expect(statSync(pgdata).mode & 0o777).toBe(0o700);
    // Concord's own folder: nobody else may list it.
    expect(statSync(dir.path).mode & 0o066).toBe(0);

    const db = new PostgresDb(`postgresql://concord@localhost:5432/concord?host=${encodeURIComponent(pgdata)}`, 1);
    try {
      const settings = await db.query<{ name: string; setting: string }>(
        `select name, setting from pg_settings where name in ('fsync', 'listen_addresses', 'unix_socket_permissions', 'synchronous_commit') order by name`,
      );
      expect(Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]))).toEqual({
        fsync: 'on',
        listen_addresses: '',
        synchronous_commit: 'on',
        unix_socket_permissions: '0700',
      });
      const hba = await db.query<{ type: string }>('select distinct type from pg_hba_file_rules');
      expect(hba.rows.map((r) => r.type)).toEqual(['local']);
    } finally {
      await db.close();
    }
  });

  it('loses no acknowledged posting when Concord or PostgreSQL is killed with SIGKILL during postings', async () => {
    let session = await signIn(server.address, 'finance@concord.example');
    const instruments = (
      await (await fetch(`${server.address}/api/funding/instruments?pageSize=100`, { headers: { cookie: session.cookie } })).json()
    ).items as { id: string }[];
    expect(instruments.length).toBeGreaterThan(0);

    // Sixteen writers post receipts until their server stops answering; count what was acknowledged.
    const postUntilRefused = async (address: string, who: Session, killed: () => boolean) => {
      let acknowledged = 0;
      await Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          for (let i = 0; !killed(); i++) {
            try {
              const response = await fetch(`${address}/api/funding/receipts`, {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  cookie: who.cookie,
                  'x-csrf-token': who.csrf,
                  'idempotency-key': randomUUID(),
                },
                body: JSON.stringify({
                  instrumentId: instruments[(w + i) % instruments.length].id,
                  amount: '1.00',
                  valueDate: '2026-06-01',
                }),
              });
              if (response.status === 201) acknowledged++;
              else await response.text();
            } catch {
              await new Promise((r) => setTimeout(r, 20));
            }
          }
        }),
      );
      return acknowledged;
    };

    for (const victim of ['concord', 'postgres', 'concord', 'postgres'] as const) {
      const before = await receiptCount(server.address, session);
      const postmaster = postmasterPid(dir.path);
      let killed = false;
      const writing = postUntilRefused(server.address, session, () => killed);
      await new Promise((r) => setTimeout(r, 1500));
      if (victim === 'concord') {
        await server.stop('SIGKILL');
        killed = true;
        const acknowledged = await writing;
        expect(acknowledged).toBeGreaterThan(0);
        // The next start stops the PostgreSQL server the killed process left behind, then starts its own.
        expect(alive(postmaster)).toBe(true);
        server = await startServerProcess(env);
        expect(server.output()).toContain('left running by an earlier Concord process');
        expect(alive(postmaster)).toBe(false);
        session = await signIn(server.address, 'finance@concord.example');
        expect(await receiptCount(server.address, session)).toBeGreaterThanOrEqual(before + acknowledged);
      } else {
        process.kill(postmaster, 'SIGKILL');
        // Writes fail while PostgreSQL is down; Concord starts it again and they succeed again.
        await waitFor(
          async () => postmasterPid(dir.path) !== postmaster && alive(postmasterPid(dir.path)),
          60_000,
          () => `a new postmaster:\n${server.output()}\n${postgresLog(dir.path)}`,
        );
        await waitFor(
          async () => (await fetch(`${server.address}/api/health`)).status === 200 && (await receiptCount(server.address, session)) > 0,
          60_000,
          () => `the server to answer again:\n${server.output()}\n${postgresLog(dir.path)}`,
        );
        killed = true;
        const acknowledged = await writing;
        expect(acknowledged).toBeGreaterThan(0);
        expect(server.output()).toContain('stopped unexpectedly');
        expect(await receiptCount(server.address, session)).toBeGreaterThanOrEqual(before + acknowledged);
      }
      // Every receipt posted is a balanced pair of entries: nothing half-written survived.
      const check = await fetch(`${server.address}/api/funding/overview`, { headers: { cookie: session.cookie } });
      expect(check.status).toBe(200);
    }
  });
});

// Started as root, PostgreSQL runs as its own system user; started as a plain user, as that user.
describe.skipIf(!onEmbedded)('the embedded server started as root and as a plain user', { timeout: 180_000 }, () => {
  const root = resolve(import.meta.dirname, '../..');
  // A plain user must be able to read the checkout to run it at all.
  const nobody = { uid: 65534, gid: 65534 };
  const readable =
    asRoot &&
    spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(root, 'bin/concord.mjs'))})`], nobody).status === 0;

  it.skipIf(!asRoot)('as root: PostgreSQL runs as the dedicated system user', async () => {
    const dir = await tempDir();
    const server = await startServerProcess({ CONCORD_DATA_DIR: dir.path, DATABASE_URL: '', CONCORD_SEED: 'none' });
    try {
      const pid = postmasterPid(dir.path);
      const owner = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)![1];
      const expected = spawnSync('id', ['-u', EMBEDDED_SYSTEM_USER], { encoding: 'utf8' }).stdout.trim();
      expect(owner).toBe(expected);
      expect(statSync(pgdataPath(dir.path)).uid).toBe(Number(expected));
    } finally {
      await server.stop();
      await dir.remove();
    }
  });

  it.skipIf(!asRoot)(
    'as root, with the data directory inside a folder private to root: the cluster is kept in a system folder',
    async () => {
      const dir = await tempDir();
      await chmod(dir.path, 0o700);
      const dataDir = join(dir.path, 'data');
      const server = await startServerProcess({ CONCORD_DATA_DIR: dataDir, DATABASE_URL: '', CONCORD_SEED: 'none' });
      const moved = readFileSync(join(dataDir, 'postgres.location'), 'utf8').trim();
      try {
        expect(server.output()).toContain(`cannot enter ${dataDir}, so the PostgreSQL cluster of this data directory is kept in ${moved}`);
        expect(moved).toMatch(/^\/var\/lib\/concord-postgres\/[0-9a-f]{16}$/);
        const health = await (await fetch(`${server.address}/api/health`)).json();
        expect(health).toMatchObject({ status: 'ok' });
        expect(statSync(join(moved, 'postgres')).mode & 0o777).toBe(0o700);
      } finally {
        expect(await server.stop()).toBe(0);
        await rm(moved, { recursive: true, force: true });
        await dir.remove();
      }
    },
  );

  it.skipIf(!readable)('as a plain user: PostgreSQL runs as that user', async () => {
    const dir = await tempDir();
    chownSync(dir.path, nobody.uid, nobody.gid);
    const server = await startServerProcess(
      { CONCORD_DATA_DIR: dir.path, DATABASE_URL: '', CONCORD_SEED: 'gaza', HOME: dir.path },
      90_000,
      undefined,
      nobody,
    );
    try {
      const health = await (await fetch(`${server.address}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok', database: 'postgresql' });
      const pid = postmasterPid(dir.path);
      expect(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)![1]).toBe(String(nobody.uid));
      expect(statSync(pgdataPath(dir.path)).uid).toBe(nobody.uid);
      expect(statSync(dir.path).mode & 0o777).toBe(0o700);
    } finally {
      expect(await server.stop()).toBe(0);
      await dir.remove();
    }
  });
});

describe('the embedded server on a platform it has no binaries for', () => {
  it('says so in one plain sentence that names DATABASE_URL', () => {
    expect(() => embeddedBinaries('aix', 'ppc64')).toThrow(
      new EmbeddedUnavailableError(
        'The embedded PostgreSQL has no binaries for aix-ppc64 on this machine; set DATABASE_URL to a PostgreSQL server (postgres://user@host:5432/db) to run Concord.',
      ),
    );
    expect(embeddedBinaries().version).toMatch(/^18\.\d+/);
  });
});
