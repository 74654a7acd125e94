/**
 * Inclusion and consistency proofs (RFC 9162 2.1.3, 2.1.4) from the stored leaf hashes,
 * for whoever keeps copies of the signed tree heads: "is record X in the tree of this
 * head?" and "does the newer head extend the older one?". A proof needs the hashes of
 * O(log n) subtrees; each is computed from its leaves, so a proof over a tree of n
 * records reads up to n leaf hashes (about a second for a million).
 */
import sql from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { asBuffer } from './audit.repo.ts';
import { CompactRange, consistencySpans, HASH_SIZE, inclusionSpans, type Span } from './merkle.ts';

const BATCH = 65_536;

async function spanHash(db: Queryable, [start, end]: Span): Promise<Buffer> {
  const range = CompactRange.empty();
  for (let from = start; from < end; from += BATCH) {
    const to = Math.min(end, from + BATCH);
    const { rows } = await db.query<{ leaves: Uint8Array | null }>(sql`
      select string_agg(leaf_hash, ''::bytea order by seq) as leaves from audit_leaves where seq >= ${from} and seq < ${to}`);
    const leaves = asBuffer(rows[0].leaves);
    if (leaves.length !== (to - from) * HASH_SIZE) throw new Error(`The audit tree has no leaf hashes for places ${from} to ${to - 1}.`);
    for (let i = 0; i < to - from; i++) range.append(leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
  return range.root();
}

export async function inclusionProof(db: Queryable, seq: number, treeSize: number): Promise<Buffer[]> {
  const hashes: Buffer[] = [];
  for (const span of inclusionSpans(seq, treeSize)) hashes.push(await spanHash(db, span));
  return hashes;
}

export async function consistencyProof(db: Queryable, first: number, second: number): Promise<Buffer[]> {
  const hashes: Buffer[] = [];
  for (const span of consistencySpans(first, second)) hashes.push(await spanHash(db, span));
  return hashes;
}
