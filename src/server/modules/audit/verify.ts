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
import { readCheckpoints, readRecentCheckpoints, readVerifiedState, type VerifiedState, writeVerifiedState } from './checkpoint-file.ts';
import { CompactRange } from './merkle.ts';
import { readTreeState } from './sealer.ts';
import { type AuditFiles, AuditKeyError, readSigningKey } from './signing-key.ts';
import type { TreeHead } from './tree-head.ts';
import { checkContent, checkHeads, type Finding, firstUnsealedPlace, readHeads, walkTree } from './verify-checks.ts';

export type { Finding, FindingCode } from './verify-checks.ts';

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
