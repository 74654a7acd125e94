/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1: leaf and node
 * hashes with their 0x00 / 0x01 prefixes, the tree head of any size, the compact range
 * that appends a leaf in O(log n), and inclusion and consistency proofs with their
 * verification. Pure functions over 32-byte SHA-256 hashes; no database here.
 *
 * Sizes and indexes are JavaScript numbers (exact up to 2^53), so halving is done with
 * arithmetic rather than 32-bit bit operations.
 */
import { hash } from 'node:crypto';

export const HASH_SIZE = 32;
const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

const sha256 = (data: Buffer): Buffer => hash('sha256', data, 'buffer');

/** The hash of an empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = sha256(Buffer.alloc(0));

export function leafHash(data: Uint8Array): Buffer {
  return sha256(Buffer.concat([LEAF_PREFIX, data]));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Buffer.concat([NODE_PREFIX, left, right], 1 + 2 * HASH_SIZE));
}

/** The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** How many perfect subtrees a tree of this size is made of (the ones in its binary form). */
export function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = half(rest)) if (isOdd(rest)) count++;
  return count;
}

/**
 * A tree of `size` leaves kept as the roots of its perfect subtrees, largest (leftmost)
 * first: 13 leaves are the roots of subtrees of 8, 4 and 1 leaves. Appending a leaf
 * merges equal-sized subtrees from the right, as adding one to a binary number carries.
 */
export class CompactRange {
  private constructor(
    private count: number,
    private readonly stack: Buffer[],
  ) {}

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Rebuilds a range from stored hashes; refuses hashes that cannot belong to that size. */
  static from(size: number, hashes: Uint8Array[]): CompactRange {
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`Not a tree size: ${size}`);
    if (hashes.length !== popCount(size) || hashes.some((h) => h.length !== HASH_SIZE)) {
      throw new Error(`A tree of ${size} leaves has ${popCount(size)} perfect subtrees, not ${hashes.length}.`);
    }
    return new CompactRange(
      size,
      hashes.map((h) => Buffer.from(h)),
    );
  }

  get size(): number {
    return this.count;
  }

  /** The perfect subtrees' roots, largest first (a copy). */
  get hashes(): Buffer[] {
    return [...this.stack];
  }

  append(leaf: Uint8Array): void {
    let merged: Buffer = Buffer.from(leaf);
    for (let carry = this.count; isOdd(carry); carry = half(carry)) {
      merged = nodeHash(this.stack.pop() as Buffer, merged);
    }
    this.stack.push(merged);
    this.count++;
  }

  /** The tree head of the leaves appended so far (RFC 9162 MTH). */
  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let root = this.stack[this.stack.length - 1];
    for (let i = this.stack.length - 2; i >= 0; i--) root = nodeHash(this.stack[i], root);
    return root;
  }

  clone(): CompactRange {
    return new CompactRange(this.count, [...this.stack]);
  }
}

/** The tree head of these leaf hashes. */
export function rootOf(leaves: readonly Uint8Array[]): Buffer {
  const range = CompactRange.empty();
  for (const leaf of leaves) range.append(leaf);
  return range.root();
}

/** A subtree of leaves [start, end): proofs are lists of such subtrees' hashes. */
export type Span = readonly [start: number, end: number];

function pathSpans(index: number, start: number, end: number, out: Span[]): void {
  const n = end - start;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (index < k) {
    pathSpans(index, start, start + k, out);
    out.push([start + k, end]);
  } else {
    pathSpans(index - k, start + k, end, out);
    out.push([start, start + k]);
  }
}

/** The subtrees whose hashes make the inclusion proof of leaf `index` in a tree of `size` (RFC 9162 2.1.3.1). */
export function inclusionSpans(index: number, size: number): Span[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`Leaf ${index} is not in a tree of ${size} leaves.`);
  const out: Span[] = [];
  pathSpans(index, 0, size, out);
  return out;
}

function subproofSpans(m: number, start: number, end: number, complete: boolean, out: Span[]): void {
  const n = end - start;
  if (m === n) {
    if (!complete) out.push([start, end]);
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproofSpans(m, start, start + k, complete, out);
    out.push([start + k, end]);
  } else {
    subproofSpans(m - k, start + k, end, false, out);
    out.push([start, start + k]);
  }
}

/** The subtrees whose hashes prove a tree of `second` leaves extends the one of `first` (RFC 9162 2.1.4.1). */
export function consistencySpans(first: number, second: number): Span[] {
  if (!(first >= 0 && first <= second)) throw new RangeError(`A tree of ${second} leaves cannot extend one of ${first}.`);
  if (first === 0 || first === second) return [];
  const out: Span[] = [];
  subproofSpans(first, 0, second, true, out);
  return out;
}

/** Leaf hashes in memory: the hash of each span, for proofs over a small tree. */
export function spanHashes(leaves: readonly Uint8Array[], spans: readonly Span[]): Buffer[] {
  return spans.map(([start, end]) => rootOf(leaves.slice(start, end)));
}

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** RFC 9162 2.1.3.2: does `proof` show the leaf at `index` is in the tree of `size` with this root? */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 2.1.4.2: does `proof` show the tree of `second` leaves extends the tree of `first`? */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (!(first >= 0 && first <= second)) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0 && equal(firstRoot, EMPTY_ROOT);
  if (proof.length === 0) return false;
  // When the first tree is a perfect subtree of the second, its root is the proof's first node.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

function isPowerOfTwo(n: number): boolean {
  let rest = n;
  while (rest > 1 && !isOdd(rest)) rest = half(rest);
  return rest === 1;
}
