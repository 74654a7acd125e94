import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  consistencySpans,
  EMPTY_ROOT,
  inclusionSpans,
  leafHash,
  rootOf,
  spanHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

// The published test data of RFC 6962 implementations (Certificate Transparency, Trillian):
// eight leaf inputs, the tree head of every size, and proofs (leaf numbers there count from 1).
const INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
  Buffer.from(h, 'hex'),
);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION: [leaf: number, size: number, proof: string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [first: number, second: number, proof: string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => Buffer.from(h, 'hex');
const LEAVES = INPUTS.map(leafHash);

// The plain definitions of RFC 9162 2.1, written out as recursion over arrays: the model the
// incremental code is compared with.
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function path(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}
function subproof(m: number, leaves: Buffer[], complete: boolean): Buffer[] {
  if (m === leaves.length) return complete ? [] : [mth(leaves)];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), complete), mth(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}

const leavesArb = (max: number) => fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: max }).map((d) => d.map(leafHash));
const flip = (b: Buffer) => {
  const copy = Buffer.from(b);
  copy[0] ^= 1;
  return copy;
};

describe('RFC 9162 Merkle tree', () => {
  it('hashes leaves with 0x00 and matches the published tree head of every size 0..8', () => {
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
    expect(hex(leafHash(Buffer.alloc(0)))).toBe(ROOTS[1]);
    const range = CompactRange.empty();
    expect(hex(range.root())).toBe(ROOTS[0]);
    for (let n = 1; n <= 8; n++) {
      range.append(LEAVES[n - 1]);
      expect(hex(range.root()), `size ${n}`).toBe(ROOTS[n]);
      expect(hex(rootOf(LEAVES.slice(0, n)))).toBe(ROOTS[n]);
    }
  });

  it('builds and verifies the published inclusion proofs', () => {
    for (const [leaf, size, expected] of INCLUSION) {
      const proof = spanHashes(LEAVES, inclusionSpans(leaf - 1, size));
      expect(proof.map(hex), `leaf ${leaf} of ${size}`).toEqual(expected);
      expect(verifyInclusion(leaf - 1, size, LEAVES[leaf - 1], expected.map(unhex), unhex(ROOTS[size]))).toBe(true);
      expect(verifyInclusion(leaf - 1, size, LEAVES[leaf - 1], expected.map(unhex), unhex(ROOTS[size - 1]))).toBe(false);
    }
  });

  it('builds and verifies the published consistency proofs', () => {
    for (const [first, second, expected] of CONSISTENCY) {
      const proof = spanHashes(LEAVES, consistencySpans(first, second));
      expect(proof.map(hex), `${first} to ${second}`).toEqual(expected);
      expect(verifyConsistency(first, second, expected.map(unhex), unhex(ROOTS[first]), unhex(ROOTS[second]))).toBe(true);
    }
    // The same proofs with a wrong first head fail.
    expect(verifyConsistency(6, 8, CONSISTENCY[2][2].map(unhex), unhex(ROOTS[5]), unhex(ROOTS[8]))).toBe(false);
  });

  it('appends leaf by leaf to the same head as the recursive definition, and restores from its stored hashes', () => {
    fc.assert(
      fc.property(leavesArb(70), (leaves) => {
        const range = CompactRange.empty();
        leaves.forEach((leaf, i) => {
          range.append(leaf);
          expect(range.root()).toEqual(mth(leaves.slice(0, i + 1)));
          const restored = CompactRange.from(range.size, range.hashes);
          expect(restored.root()).toEqual(range.root());
        });
      }),
    );
  });

  it('proves every leaf of every tree size, and refuses a wrong leaf, index, proof or root', () => {
    fc.assert(
      fc.property(leavesArb(40), fc.nat(), (leaves, pick) => {
        const size = leaves.length;
        const index = pick % size;
        const root = mth(leaves);
        const proof = spanHashes(leaves, inclusionSpans(index, size));
        expect(proof).toEqual(path(index, leaves));
        expect(verifyInclusion(index, size, leaves[index], proof, root)).toBe(true);
        expect(verifyInclusion(index, size, flip(leaves[index]), proof, root)).toBe(false);
        expect(verifyInclusion(index, size, leaves[index], proof, flip(root))).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(index, size, leaves[index], [...proof.slice(0, -1), flip(proof[proof.length - 1])], root)).toBe(false);
          expect(verifyInclusion(index, size, leaves[index], proof.slice(0, -1), root)).toBe(false);
        }
        if (size > 1 && !leaves[(index + 1) % size].equals(leaves[index])) {
          expect(verifyInclusion((index + 1) % size, size, leaves[index], proof, root)).toBe(false);
        }
      }),
    );
  });

  it('proves every older tree is a prefix of every newer one, and refuses a rewritten history', () => {
    fc.assert(
      fc.property(leavesArb(40), fc.nat(), (leaves, pick) => {
        const second = leaves.length;
        const first = 1 + (pick % second);
        const proof = spanHashes(leaves, consistencySpans(first, second));
        expect(proof).toEqual(first === second ? [] : subproof(first, leaves, true));
        const firstRoot = mth(leaves.slice(0, first));
        const secondRoot = mth(leaves);
        expect(verifyConsistency(first, second, proof, firstRoot, secondRoot)).toBe(true);
        expect(verifyConsistency(first, second, proof, flip(firstRoot), secondRoot)).toBe(false);
        expect(verifyConsistency(first, second, proof, firstRoot, flip(secondRoot))).toBe(false);
        if (first < second) {
          // Any leaf of the old tree changed: the new head no longer extends the old one.
          const rewritten = [...leaves];
          rewritten[pick % first] = flip(rewritten[pick % first]);
          const forged = spanHashes(rewritten, consistencySpans(first, second));
          expect(verifyConsistency(first, second, forged, firstRoot, mth(rewritten))).toBe(false);
        }
      }),
    );
  });

  it('refuses stored hashes that cannot make a tree of the given size', () => {
    expect(() => CompactRange.from(5, [LEAVES[0]])).toThrow(/2 perfect subtrees/);
    expect(() => CompactRange.from(1, [Buffer.alloc(3)])).toThrow();
  });
});
