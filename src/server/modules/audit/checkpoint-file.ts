/**
 * The copies of the audit log's state kept outside the database.
 *
 * The checkpoint file: every tree head the sealer signs, one JSON line each, appended and
 * flushed to disk after the head is committed to the database (mode 0600). Someone who can
 * change the database but not this file cannot roll the log back or rewrite it unseen.
 *
 * The verified state: the last tree this server's verification found intact, with its
 * compact range, so the next verification recomputes only the records sealed since.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HASH_SIZE } from './merkle.ts';
import { type TreeHead, treeHeadFromJson, treeHeadToJson } from './tree-head.ts';

export async function appendCheckpoint(file: string, head: TreeHead): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.appendFile(`${JSON.stringify(treeHeadToJson(head))}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface CheckpointFile {
  exists: boolean;
  heads: TreeHead[];
  /** Line numbers (from 1) that are not a tree head. */
  unreadable: number[];
}

function parseLines(text: string, firstLine: number, heads: TreeHead[], unreadable: number[]): void {
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let head: TreeHead | null = null;
    try {
      head = treeHeadFromJson(JSON.parse(line));
    } catch {}
    if (head) heads.push(head);
    else unreadable.push(firstLine + i);
  });
}

/** Every head in the file, in the order written. */
export async function readCheckpoints(file: string): Promise<CheckpointFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, heads: [], unreadable: [] };
    throw error;
  }
  const heads: TreeHead[] = [];
  const unreadable: number[] = [];
  parseLines(text, 1, heads, unreadable);
  return { exists: true, heads, unreadable };
}

/**
 * The heads at the end of the file, back to the first one smaller than `minTreeSize`: what
 * a verification since an earlier tree needs, without reading years of lines. Line numbers
 * of unreadable lines count from the end here (-1 is the last line).
 */
export async function readRecentCheckpoints(file: string, minTreeSize: number): Promise<CheckpointFile> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, heads: [], unreadable: [] };
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    let tail = Buffer.alloc(0);
    let position = size;
    for (let chunk = 64 * 1024; ; chunk *= 2) {
      const start = Math.max(0, position - chunk);
      const buffer = Buffer.alloc(position - start);
      await handle.read(buffer, 0, buffer.length, start);
      tail = Buffer.concat([buffer, tail]);
      position = start;
      // Whole lines only: the first one may have been cut, unless the file starts here.
      const text = tail.toString('utf8');
      const whole = position === 0 ? text : text.slice(text.indexOf('\n') + 1);
      const heads: TreeHead[] = [];
      const unreadable: number[] = [];
      parseLines(whole, 1, heads, unreadable);
      if (position === 0 || (heads.length > 0 && heads[0].treeSize < minTreeSize)) {
        const lines = whole.split('\n').length;
        return { exists: true, heads, unreadable: unreadable.map((line) => line - lines) };
      }
    }
  } finally {
    await handle.close();
  }
}

export interface VerifiedState {
  logId: string;
  treeSize: number;
  rootHash: Buffer;
  /** The compact range of that tree: its perfect subtrees' roots, largest first. */
  frontier: Buffer[];
  verifiedAt: string;
}

export async function readVerifiedState(file: string): Promise<VerifiedState | null> {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null; // none yet, or unreadable: the next verification is a full one
  }
  const hex = (h: unknown) => (typeof h === 'string' && h.length === HASH_SIZE * 2 ? Buffer.from(h, 'hex') : null);
  const rootHash = hex(value.rootHash);
  const frontier = Array.isArray(value.frontier) ? value.frontier.map(hex) : null;
  if (typeof value.logId !== 'string' || !Number.isSafeInteger(value.treeSize) || !rootHash || !frontier || frontier.includes(null)) {
    return null;
  }
  return {
    logId: value.logId,
    treeSize: value.treeSize as number,
    rootHash,
    frontier: frontier as Buffer[],
    verifiedAt: String(value.verifiedAt ?? ''),
  };
}

export async function writeVerifiedState(file: string, state: VerifiedState): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const json = {
    logId: state.logId,
    treeSize: state.treeSize,
    rootHash: state.rootHash.toString('hex'),
    frontier: state.frontier.map((h) => h.toString('hex')),
    verifiedAt: state.verifiedAt,
  };
  // Written aside and renamed, so a crash never leaves half a file.
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(json)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
