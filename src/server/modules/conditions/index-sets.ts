/**
 * Sets of condition indexes as sorted arrays, for the analysis and its unlocking sets: they
 * are shared between gates and conditions and never changed once made.
 */

/** Condition indexes in increasing order; shared between families and never changed. */
export type IndexSet = readonly number[];

export const EMPTY: IndexSet = [];

export function union(a: IndexSet, b: IndexSet): IndexSet {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j === b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else if (i === a.length || b[j] < a[i]) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}

export function intersection(a: IndexSet, b: IndexSet): IndexSet {
  if (a === b) return a;
  const out: number[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] < b[j]) i++;
    else if (b[j] < a[i]) j++;
    else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}

export function isSubset(small: IndexSet, big: IndexSet): boolean {
  if (small.length > big.length) return false;
  let j = 0;
  for (const x of small) {
    while (j < big.length && big[j] < x) j++;
    if (j === big.length || big[j] !== x) return false;
    j++;
  }
  return true;
}

/** Fewer members first, then by members, so that the smallest sets are the ones kept. */
export function bySize(a: IndexSet, b: IndexSet): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}
