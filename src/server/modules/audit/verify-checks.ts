/**
 * The checks a verification of the audit log is made of (verify.ts puts them together):
 * the signed heads against the key and the checkpoint file, the stored leaf hashes rebuilt
 * into the tree and compared with the heads, the records' content recomputed against their
 * stored leaf hashes, and the MACs that name the first record not sealed at its place.
 */
import sql from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { asBuffer, leafHashSql } from './audit.repo.ts';
import { type CompactRange, HASH_SIZE } from './merkle.ts';
import type { SigningKey } from './signing-key.ts';
import { recordMac, sameTreeHead, type TreeHead, verifyTreeHead } from './tree-head.ts';

export type FindingCode =
  | 'record.changed'
  | 'record.not-sealed-here'
  | 'record.missing'
  | 'record.deleted'
  | 'record.never-sealed'
  | 'log.truncated'
  | 'head.signature'
  | 'head.mismatch'
  | 'head.missing'
  | 'checkpoint.missing-in-database'
  | 'checkpoint.disagrees'
  | 'checkpoint.unreadable'
  | 'checkpoint.other-log'
  | 'key.other';

export interface Finding {
  code: FindingCode;
  /** The record's place in the log (its sequence number), when the finding is about one. */
  seq: number | null;
  /** The record's id in audit_log, when known. */
  id: number | null;
  /** The tree size of the head the finding is about, when it is about a head. */
  treeSize: number | null;
  detail: string;
}

const BATCH = 65_536;

export interface Heads {
  /** Heads with a good signature, one per size, by size. */
  valid: TreeHead[];
  checked: number;
  fileLatest: TreeHead | null;
}

export function checkHeads(
  tableHeads: TreeHead[],
  file: { exists: boolean; heads: TreeHead[]; unreadable: number[] },
  logId: string,
  key: SigningKey,
  findings: Finding[],
): Heads {
  const bySize = new Map<number, TreeHead>();
  let checked = 0;
  for (const head of tableHeads) {
    checked++;
    if (verifyTreeHead(key.publicKey, head)) bySize.set(head.treeSize, head);
    else {
      findings.push({
        code: 'head.signature',
        seq: null,
        id: null,
        treeSize: head.treeSize,
        detail: `The signed tree head of ${head.treeSize} records in the database does not verify with the signing key (${key.keyId.slice(0, 16)}…): it was changed, or signed with another key.`,
      });
    }
  }
  let fileLatest: TreeHead | null = null;
  const otherLogs = new Map<string, number>();
  const tableBySize = new Map(tableHeads.map((h) => [h.treeSize, h]));
  for (const head of file.heads) {
    if (head.logId !== logId) {
      if (head.keyId === key.keyId) otherLogs.set(head.logId, Math.max(otherLogs.get(head.logId) ?? 0, head.treeSize));
      continue;
    }
    if (!fileLatest || head.treeSize >= fileLatest.treeSize) fileLatest = head;
    const stored = tableBySize.get(head.treeSize);
    if (stored && sameTreeHead(stored, head)) continue; // checked above
    checked++;
    if (!verifyTreeHead(key.publicKey, head)) {
      findings.push({
        code: 'checkpoint.disagrees',
        seq: null,
        id: null,
        treeSize: head.treeSize,
        detail: `The checkpoint file's head of ${head.treeSize} records does not verify with the signing key: the file was changed.`,
      });
      continue;
    }
    if (stored) {
      findings.push({
        code: 'checkpoint.disagrees',
        seq: null,
        id: null,
        treeSize: head.treeSize,
        detail: `The checkpoint file and the database hold different signed heads for ${head.treeSize} records: the log was rewritten after that head was signed.`,
      });
    } else {
      findings.push({
        code: 'checkpoint.missing-in-database',
        seq: null,
        id: null,
        treeSize: head.treeSize,
        detail: `The checkpoint file holds a signed head of ${head.treeSize} records that the database no longer has.`,
      });
    }
    const known = bySize.get(head.treeSize);
    if (!known) bySize.set(head.treeSize, head);
  }
  for (const line of file.unreadable) {
    findings.push({
      code: 'checkpoint.unreadable',
      seq: null,
      id: null,
      treeSize: null,
      detail: `Line ${line} of the checkpoint file is not a signed tree head.`,
    });
  }
  for (const [other, size] of otherLogs) {
    findings.push({
      code: 'checkpoint.other-log',
      seq: null,
      id: null,
      treeSize: size,
      detail: `The checkpoint file holds heads of another log (${other}, up to ${size} records) signed with this key: the log was replaced. If a new database was started on purpose, move the old checkpoint file aside.`,
    });
  }
  return { valid: [...bySize.values()].sort((a, b) => a.treeSize - b.treeSize), checked, fileLatest };
}

export async function readHeads(db: Queryable, logId: string, fromSize: number): Promise<TreeHead[]> {
  const { rows } = await db.query<{
    tree_size: number;
    root_hash: Uint8Array;
    timestamp_ms: number;
    signature: Uint8Array;
    key_id: string;
  }>(sql`select tree_size, root_hash, timestamp_ms, signature, key_id from audit_tree_heads
         where tree_size >= ${fromSize} order by tree_size`);
  return rows.map((row) => ({
    logId,
    treeSize: Number(row.tree_size),
    rootHash: asBuffer(row.root_hash),
    timestamp: Number(row.timestamp_ms),
    keyId: row.key_id,
    signature: asBuffer(row.signature),
  }));
}

export interface TreeWalk {
  range: CompactRange;
  /** The first place with no record, if the sequence has a hole. */
  gap: number | null;
  /** The first head whose root differs from the rebuilt tree, and the size of the last one that matched. */
  mismatch: { head: TreeHead; after: number } | null;
}

/** Appends the stored leaf hashes [from, end) to `range`, comparing the tree with each head on the way. */
export async function walkTree(db: Queryable, range: CompactRange, end: number, heads: TreeHead[]): Promise<TreeWalk> {
  const pending = heads.filter((h) => h.treeSize > range.size && h.treeSize <= end);
  let next = 0;
  let lastGood = range.size;
  const fetch = (from: number) =>
    db.query<{ leaves: Uint8Array | null; n: number }>(sql`
      select string_agg(leaf_hash, ''::bytea order by seq) as leaves, count(*)::int as n
      from audit_leaves where seq >= ${from} and seq < ${Math.min(end, from + BATCH)}`);
  let request = range.size < end ? fetch(range.size) : null;
  while (request) {
    const from = range.size;
    const { rows } = await request;
    const want = Math.min(end, from + BATCH) - from;
    request = from + want < end ? fetch(from + want) : null; // the next batch loads while this one hashes
    const leaves = asBuffer(rows[0].leaves);
    if (rows[0].n !== want || leaves.length !== want * HASH_SIZE) {
      await request?.catch(() => {});
      const hole = await db.query<{ s: number }>(sql`
        select s from generate_series(${from}::bigint, ${from + want - 1}::bigint) s
        where not exists (select 1 from audit_leaves l where l.seq = s and length(l.leaf_hash) = ${HASH_SIZE})
        order by s limit 1`);
      return { range, gap: Number(hole.rows[0]?.s ?? from), mismatch: null };
    }
    for (let i = 0; i < want; i++) {
      range.append(leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
      if (next < pending.length && pending[next].treeSize === range.size) {
        if (!range.root().equals(pending[next].rootHash)) {
          await request?.catch(() => {});
          return { range, gap: null, mismatch: { head: pending[next], after: lastGood } };
        }
        lastGood = range.size;
        next++;
      }
    }
  }
  return { range, gap: null, mismatch: null };
}

/** The first record in [from, to) whose MAC does not bind it to its place. */
export async function firstUnsealedPlace(
  db: Queryable,
  key: SigningKey,
  logId: string,
  from: number,
  to: number,
): Promise<{ seq: number; id: number } | null> {
  for (let start = from; start < to; start += BATCH) {
    const { rows } = await db.query<{ seq: number; audit_id: number; leaf_hash: Uint8Array; mac: Uint8Array }>(sql`
      select seq, audit_id, leaf_hash, mac from audit_leaves
      where seq >= ${start} and seq < ${Math.min(to, start + BATCH)} order by seq`);
    for (const row of rows) {
      const seq = Number(row.seq);
      if (!recordMac(key.macKey, logId, seq, asBuffer(row.leaf_hash)).equals(asBuffer(row.mac))) {
        return { seq, id: Number(row.audit_id) };
      }
    }
  }
  return null;
}

export interface ContentCheck {
  checked: number;
  firstChanged: { seq: number; id: number } | null;
  firstDeleted: number | null;
  pending: number;
  firstNeverSealed: number | null;
}

/** Recomputes the leaf hash of every sealed record in [from, end) from its content. */
export async function checkContent(db: Queryable, from: number, end: number, watermark: string): Promise<ContentCheck> {
  if (from === 0) {
    // The whole log in one pass, which PostgreSQL runs in parallel.
    const { rows } = await db.query<{
      sealed: number;
      first_changed: number | null;
      pending: number;
      first_never_sealed: number | null;
    }>(sql`
      select count(l.seq) filter (where l.seq < ${end})::int as sealed,
             min(l.seq) filter (where l.seq < ${end} and l.leaf_hash is distinct from ${leafHashSql('a')}) as first_changed,
             count(*) filter (where l.seq is null and a.xid >= ${watermark}::xid8)::int as pending,
             min(a.id) filter (where l.seq is null and a.xid < ${watermark}::xid8) as first_never_sealed
      from audit_log a left join audit_leaves l on l.audit_id = a.id`);
    const row = rows[0];
    const deleted =
      row.sealed < end
        ? await db.query<{ seq: number | null }>(sql`
            select min(l.seq) as seq from audit_leaves l
            where l.seq < ${end} and not exists (select 1 from audit_log a where a.id = l.audit_id)`)
        : null;
    return {
      checked: row.sealed,
      firstChanged: await placeOf(db, row.first_changed),
      firstDeleted: deleted?.rows[0].seq == null ? null : Number(deleted.rows[0].seq),
      pending: row.pending,
      firstNeverSealed: row.first_never_sealed == null ? null : Number(row.first_never_sealed),
    };
  }
  const [recent, counts] = await Promise.all([
    db.query<{ checked: number; first_changed: number | null; first_deleted: number | null }>(sql`
      select count(a.id)::int as checked,
             min(l.seq) filter (where a.id is not null and l.leaf_hash is distinct from ${leafHashSql('a')}) as first_changed,
             min(l.seq) filter (where a.id is null) as first_deleted
      from audit_leaves l left join audit_log a on a.id = l.audit_id
      where l.seq >= ${from} and l.seq < ${end}`),
    // One statement, one snapshot: every record is sealed or waiting, unless one slipped past the sealer.
    db.query<{ rows: number; leaves: number; pending: number }>(sql`
      select (select count(*) from audit_log)::int as rows, (select count(*) from audit_leaves)::int as leaves,
             (select count(*) from audit_log a
              where a.xid >= ${watermark}::xid8 and not exists (select 1 from audit_leaves l where l.audit_id = a.id))::int as pending`),
  ]);
  const { rows, leaves, pending } = counts.rows[0];
  let firstNeverSealed: number | null = null;
  if (rows !== leaves + pending) {
    const never = await db.query<{ id: number | null }>(sql`
      select min(a.id) as id from audit_log a
      where a.xid < ${watermark}::xid8 and not exists (select 1 from audit_leaves l where l.audit_id = a.id)`);
    firstNeverSealed = never.rows[0].id == null ? null : Number(never.rows[0].id);
  }
  const row = recent.rows[0];
  return {
    checked: row.checked,
    firstChanged: await placeOf(db, row.first_changed),
    firstDeleted: row.first_deleted == null ? null : Number(row.first_deleted),
    pending,
    firstNeverSealed,
  };
}

export async function placeOf(db: Queryable, seq: number | null): Promise<{ seq: number; id: number } | null> {
  if (seq == null) return null;
  const { rows } = await db.query<{ audit_id: number }>(sql`select audit_id from audit_leaves where seq = ${seq}`);
  return { seq: Number(seq), id: Number(rows[0]?.audit_id ?? 0) };
}
