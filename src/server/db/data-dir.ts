/**
 * The embedded database's data directory and its guard. The process that starts the
 * embedded PostgreSQL server owns it: it holds `concord.lock` (its pid) and, when it is a
 * server, serves a control socket beside it that the CLI talks to instead of starting a
 * second server on the same cluster.
 *
 *   CONCORD_DATA_DIR/postgres      the PostgreSQL cluster (mode 0700, owner-only files)
 *   CONCORD_DATA_DIR/postgres.log  the embedded server's log
 *   CONCORD_DATA_DIR/concord.lock  {"pid", "startedAt", "address"} of the holder
 *   CONCORD_DATA_DIR/concord.sock  the running server's control socket (owner-only)
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const pgdataPath = (dataDir: string) => join(dataDir, 'postgres');
/** Where the earlier embedded engine (PGlite) kept its files; no longer read. */
export const legacyPgliteDataPath = (dataDir: string) => join(dataDir, 'pgdata');
export const lockPath = (dataDir: string) => join(dataDir, 'concord.lock');
export const socketPath = (dataDir: string) => join(dataDir, 'concord.sock');

export interface LockInfo {
  pid: number;
  startedAt: string;
  address: string | null;
}

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `The data directory ${dataDir} is in use by another Concord process (pid ${holder.pid}${holder.address ? `, serving ${holder.address}` : ''}). ` +
        'Two processes must never open one embedded database: stop that process first.',
    );
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

/** The live holder of the directory, if any; a lock left by a dead process is ignored. */
export function readLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
    return info.pid !== process.pid && alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export interface DataDirLock {
  setAddress(address: string): void;
  release(): void;
}

export function acquireDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockPath(dataDir);
  const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), address: null };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return {
        setAddress(address) {
          info.address = address;
          rmSync(file, { force: true });
          const again = openSync(file, 'wx', 0o600);
          writeSync(again, JSON.stringify(info));
          closeSync(again);
        },
        release() {
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(dataDir);
      if (holder) throw new DataDirBusyError(dataDir, holder);
      rmSync(file, { force: true }); // left behind by a process that is gone
    }
  }
  throw new Error(`Could not lock ${dataDir}.`);
}
