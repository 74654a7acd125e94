/**
 * Verifying the audit log: is every sealed record still the one that was sealed, in its
 * place, and is the tree it makes the one the signed tree heads describe?
 *
 * The trust comes from outside the database: the signing key file (to check every head's
 * signature and each record's MAC) and the checkpoint file (heads the database may have
 * lost). From the database come the records, their stored leaf hashes and the heads.
 *
 * Two checks run side by side. In the database, each record's leaf hash is recomputed from
 * its content and compared with the stored one (a record edited with SQL). In Node, the
 * stored leaf hashes are appended in sequence order to a compact range and the tree's head
 * is compared with every signed head along the way (stored hashes recomputed to hide an
 * edit, records inserted, removed or reordered). When a head does not match, the records
 * it added are checked against their MACs, which no one without the key can recompute, to
 * name the first one that is not what was sealed at that place.
 *
 * "Since the last checkpoint" starts from the tree this server last found intact (its size,
 * root and compact range, kept in a file outside the database), recomputes only the records
 * sealed after it, and checks that every newer head extends it: a consistency check that
 * rebuilds the new part instead of trusting stored interior nodes.
 */
import sql from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { asBuffer, leafHashSql } from './audit.repo.ts';
import { readCheckpoints, readRecentCheckpoints, readVerifiedState, type VerifiedState, writeVerifiedState } from './checkpoint-file.ts';
import { CompactRange, HASH_SIZE } from './merkle.ts';
import { readTreeState } from './sealer.ts';
import { type AuditFiles, AuditKeyError, readSigningKey } from './signing-key.ts';
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

export interface HeadSummary {
  treeSize: number;
  rootHash: string;
  timestamp: number;
}

export interface VerifyReport {
  status: 'intact' | 'broken';
  mode: 'full' | 'since-checkpoint';
  logId: string;
  /** Records sealed into the tree. */
  records: number;
  /** Records whose content was recomputed by this run (all of them, or those since the checkpoint). */
  checkedRecords: number;
  /** Records written but not sealed yet (the sealer takes them within a second or so). */
  pending: number;
  /** Signed tree heads whose signature was checked. */
  heads: number;
  latestHead: HeadSummary | null;
  /** The newest head in the checkpoint file outside the database. */
  checkpoint: HeadSummary | null;
  /** The tree verified before, which this run started from (since-checkpoint only). */
  since: { treeSize: number; rootHash: string; verifiedAt: string } | null;
  firstBad: Finding | null;
  findings: Finding[];
  seconds: number;
}

const BATCH = 65_536;
const MAX_FINDINGS = 20;

const summary = (head: TreeHead): HeadSummary => ({
  treeSize: head.treeSize,
  rootHash: head.rootHash.toString('hex'),
  timestamp: head.timestamp,
});

/** Records are named by their place and id; the first bad one is the lowest place. */
function firstBadOf(findings: Finding[]): Finding | null {
  const records = findings.filter((f) => f.seq !== null).sort((a, b) => (a.seq as number) - (b.seq as number));
  return records[0] ?? findings.find((f) => f.code.startsWith('record.')) ?? findings[0] ?? null;
}

interface Heads {
  /** Heads with a good signature, one per size, by size. */
  valid: TreeHead[];
  checked: number;
  fileLatest: TreeHead | null;
}

function checkHeads(
  tableHeads: TreeHead[],
  file: { exists: boolean; heads: TreeHead[]; unreadable: number[] },
  logId: string,
  key: NonNullable<ReturnType<typeof readSigningKey>>,
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
  for (const head of file.heads) {
    if (head.logId !== logId) {
      if (head.keyId === key.keyId) otherLogs.set(head.logId, Math.max(otherLogs.get(head.logId) ?? 0, head.treeSize));
      continue;
    }
    if (!fileLatest || head.treeSize >= fileLatest.treeSize) fileLatest = head;
    const stored = tableHeads.find((h) => h.treeSize === head.treeSize);
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

async function readHeads(db: Queryable, logId: string, fromSize: number): Promise<TreeHead[]> {
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

interface TreeWalk {
  range: CompactRange;
  /** The first place with no record, if the sequence has a hole. */
  gap: number | null;
  /** The first head whose root differs from the rebuilt tree, and the size of the last one that matched. */
  mismatch: { head: TreeHead; after: number } | null;
}

/** Appends the stored leaf hashes [from, end) to `range`, comparing the tree with each head on the way. */
async function walkTree(db: Queryable, range: CompactRange, end: number, heads: TreeHead[]): Promise<TreeWalk> {
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
async function firstUnsealedPlace(
  db: Queryable,
  key: NonNullable<ReturnType<typeof readSigningKey>>,
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

interface ContentCheck {
  checked: number;
  firstChanged: { seq: number; id: number } | null;
  firstDeleted: number | null;
  pending: number;
  firstNeverSealed: number | null;
}

/** Recomputes the leaf hash of every sealed record in [from, end) from its content. */
async function checkContent(db: Queryable, from: number, end: number, watermark: string): Promise<ContentCheck> {
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

async function placeOf(db: Queryable, seq: number | null): Promise<{ seq: number; id: number } | null> {
  if (seq == null) return null;
  const { rows } = await db.query<{ audit_id: number }>(sql`select audit_id from audit_leaves where seq = ${seq}`);
  return { seq: Number(seq), id: Number(rows[0]?.audit_id ?? 0) };
}

export interface VerifyOptions {
  mode: 'full' | 'since-checkpoint';
  /** Remember an intact result for the next run since the checkpoint (default true). */
  remember?: boolean;
}

export async function verifyAuditLog(db: Queryable, files: AuditFiles, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const key = readSigningKey(files.keyFile);
  const tree = await readTreeState(db);
  const findings: Finding[] = [];

  // Where to start: the tree verified last time, if it is this log's and still self-consistent.
  let since: VerifiedState | null = null;
  if (options.mode === 'since-checkpoint') {
    const state = await readVerifiedState(files.verifiedFile);
    if (state && state.logId === tree.logId) {
      try {
        if (CompactRange.from(state.treeSize, state.frontier).root().equals(state.rootHash)) since = state;
      } catch {}
    }
  }
  const from = since?.treeSize ?? 0;

  // The file first: a head reaches it only after its records are committed, so whatever it
  // holds must be in the database read next. Then the sealed size and the newest head in
  // one statement, so a round sealing meanwhile cannot split them; heads signed after that
  // statement are left for the next run.
  const read = since ? await readRecentCheckpoints(files.checkpointFile, from) : await readCheckpoints(files.checkpointFile);
  const file = { ...read, heads: read.heads.filter((h) => h.treeSize >= from) };
  const extent = await db.query<{ end: number; head_size: number | null }>(sql`
    select (select coalesce(max(seq) + 1, 0) from audit_leaves)::bigint as end,
           (select max(tree_size) from audit_tree_heads) as head_size`);
  const headSize = Number(extent.rows[0].head_size ?? 0);
  const tableHeads = (await readHeads(db, tree.logId, from)).filter((h) => h.treeSize <= headSize);

  const nothingYet = Number(extent.rows[0].end) === 0 && tableHeads.length === 0 && !file.heads.some((h) => h.logId === tree.logId);
  if (!key) {
    if (!nothingYet) {
      throw new AuditKeyError(
        `The audit signing key ${files.keyFile} is not there, so the signed tree heads cannot be checked. Restore it, or point CONCORD_AUDIT_KEY_FILE at it.`,
      );
    }
  }
  if (key && tree.publicKey && tree.publicKey !== key.publicKeyPem) {
    findings.push({
      code: 'key.other',
      seq: null,
      id: null,
      treeSize: null,
      detail: `The database says the log is signed with another key than ${files.keyFile} (${key.keyId.slice(0, 16)}…).`,
    });
  }
  const heads = key ? checkHeads(tableHeads, file, tree.logId, key, findings) : { valid: [], checked: 0, fileLatest: null };
  const latest = heads.valid[heads.valid.length - 1] ?? null;
  const end = Number(extent.rows[0].end);
  // Records sealed past the newest good head exist only when rows or heads were changed with SQL.
  const signedEnd = Math.min(end, latest?.treeSize ?? 0);
  for (const head of heads.valid.filter((h) => h.treeSize > end).slice(-1)) {
    findings.push({
      code: 'log.truncated',
      seq: end,
      id: null,
      treeSize: head.treeSize,
      detail: `A signed tree head covers ${head.treeSize} records, but the log holds only ${end}: the records from place ${end} on were removed.`,
    });
  }
  if (since && end < since.treeSize) {
    findings.push({
      code: 'log.truncated',
      seq: end,
      id: null,
      treeSize: since.treeSize,
      detail: `This server verified ${since.treeSize} records on ${since.verifiedAt}, but the log now holds only ${end}: the records from place ${end} on were removed.`,
    });
  }

  const start = since ? CompactRange.from(since.treeSize, since.frontier) : CompactRange.empty();
  if (since) {
    // A head at the verified size must be the tree verified then.
    const same = heads.valid.find((h) => h.treeSize === since.treeSize);
    if (same && !same.rootHash.equals(since.rootHash)) {
      findings.push({
        code: 'head.mismatch',
        seq: null,
        id: null,
        treeSize: same.treeSize,
        detail: `The signed head of ${same.treeSize} records differs from the tree this server verified on ${since.verifiedAt}.`,
      });
    }
  }
  const [walk, content] = await Promise.all([
    walkTree(db, start, Math.max(start.size, signedEnd), heads.valid),
    checkContent(db, from, end, tree.watermark),
  ]);

  if (content.firstChanged) {
    findings.push({
      code: 'record.changed',
      ...content.firstChanged,
      treeSize: null,
      detail: 'Its content no longer matches the hash it was sealed with: it was changed after it was sealed.',
    });
  }
  if (content.firstDeleted != null) {
    const sealedAs = await db.query<{ audit_id: number }>(sql`select audit_id from audit_leaves where seq = ${content.firstDeleted}`);
    findings.push({
      code: 'record.deleted',
      seq: content.firstDeleted,
      id: sealedAs.rows[0] ? Number(sealedAs.rows[0].audit_id) : null,
      treeSize: null,
      detail: 'The record sealed at this place was deleted.',
    });
  }
  if (content.firstNeverSealed != null) {
    findings.push({
      code: 'record.never-sealed',
      seq: null,
      id: content.firstNeverSealed,
      treeSize: null,
      detail:
        'It was never sealed, although the sealer has passed the transaction that wrote it: it was inserted behind Concord’s back, or its seal was removed.',
    });
  }
  if (walk.gap != null) {
    findings.push({
      code: 'record.missing',
      seq: walk.gap,
      id: null,
      treeSize: null,
      detail: 'No record holds this place in the log: a sealed record was deleted.',
    });
  }
  // Where the tree stops matching the heads (or the heads stop), the records' MACs say which
  // one is not what was sealed at its place.
  const suspectFrom = walk.mismatch ? walk.mismatch.after : end > signedEnd ? signedEnd : null;
  if (suspectFrom !== null && key) {
    const culprit = await firstUnsealedPlace(db, key, tree.logId, suspectFrom, end);
    if (culprit) {
      findings.push({
        code: 'record.not-sealed-here',
        ...culprit,
        treeSize: null,
        detail:
          'This is not the record that was sealed at this place: a record was changed, inserted, removed or moved here, and the stored hashes recomputed to hide it.',
      });
    }
  }
  if (walk.mismatch) {
    const { head, after } = walk.mismatch;
    findings.push({
      code: 'head.mismatch',
      seq: null,
      id: null,
      treeSize: head.treeSize,
      detail: `The records no longer make the tree that the signed head of ${head.treeSize} records describes (the first ${after} still do).`,
    });
  }
  if (end > signedEnd) {
    findings.push({
      code: 'head.missing',
      seq: null,
      id: null,
      treeSize: end,
      detail: `No signed tree head covers the records from place ${signedEnd} on: the heads that did were removed or changed, or records were added with SQL.`,
    });
  }

  const firstBad = firstBadOf(findings);
  const status = findings.length === 0 ? 'intact' : 'broken';
  if (status === 'intact' && options.remember !== false && key && latest && walk.range.size === latest.treeSize) {
    await writeVerifiedState(files.verifiedFile, {
      logId: tree.logId,
      treeSize: walk.range.size,
      rootHash: walk.range.root(),
      frontier: walk.range.hashes,
      verifiedAt: new Date().toISOString(),
    });
  }
  return {
    status,
    mode: since ? 'since-checkpoint' : 'full',
    logId: tree.logId,
    records: end,
    checkedRecords: content.checked,
    pending: content.pending,
    heads: heads.checked,
    latestHead: latest ? summary(latest) : null,
    checkpoint: heads.fileLatest ? summary(heads.fileLatest) : null,
    since: since ? { treeSize: since.treeSize, rootHash: since.rootHash.toString('hex'), verifiedAt: since.verifiedAt } : null,
    firstBad,
    findings: findings.slice(0, MAX_FINDINGS),
    seconds: Math.round(performance.now() - started) / 1000,
  };
}
