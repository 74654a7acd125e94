/**
 * A gate's minimal unlocking sets (see unlocking.ts), worked out with sets as bit masks.
 *
 * A gate's sets are made of the conditions in the families of the conditions it names: its
 * universe, numbered 0, 1, 2... in increasing order of index. A set is a bit mask over the
 * universe, in as many 32-bit words as it takes (one, nearly always), so that joining two
 * sets is an OR and testing containment an AND. Each part of the expression leaves its
 * sets on top of one preallocated stack, so a gate is worked out without allocating.
 */
import type { AnalysisModel, Compiled, ModelGate, Truth } from './expressions.ts';
import { bySize, type IndexSet } from './index-sets.ts';
import type { Family, GateFamily } from './unlocking.ts';

/** AND/OR levels of a compiled expression. */
function expressionDepth(node: Compiled): number {
  return typeof node === 'number' ? 0 : 1 + Math.max(...node.args.map(expressionDepth));
}

/** Where a count of sets is expected: the part holds now. */
export const HOLDS = -1;

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The sets a MaskStack found for one gate, as words of `w` per set, decoded when read. */
class MaskFamily implements GateFamily {
  readonly members: IndexSet;

  constructor(
    private readonly words: readonly number[],
    private readonly w: number,
    private readonly universe: readonly number[],
    readonly truncated: boolean,
  ) {
    const all: number[] = words.slice(0, w);
    for (let k = w; k < words.length; k++) all[k % w] |= words[k];
    this.members = this.decode(all, 0);
  }

  private decode(words: readonly number[], at: number): IndexSet {
    const set: number[] = [];
    for (let k = 0; k < this.universe.length; k++) if (words[at + (k >>> 5)] & (1 << (k & 31))) set.push(this.universe[k]);
    return set;
  }

  /** Smallest first, then by members. */
  sets(): IndexSet[] {
    const sets: IndexSet[] = [];
    for (let k = 0; k < this.words.length; k += this.w) sets.push(this.decode(this.words, k));
    return sets.sort(bySize);
  }
}

export class MaskStack {
  /** 32-bit words per set. */
  private w = 1;
  private s = new Int32Array(4096);
  private top = 0;
  /** Whether the family just left on the stack is truncated, and whether it is loose (see unlocking.ts). */
  private truncated = false;
  private loose = false;
  /** Scratch per condition: its number in the universe plus one (0 outside it), and where its sets are in `leaves`. */
  private readonly position: Int32Array;
  private readonly leafStart: Int32Array;
  private readonly leafCount: Int32Array;
  private leaves = new Int32Array(256);
  private readonly universe: number[] = [];
  /** Counting sort by size: how many sets of each size. */
  private sizes = new Int32Array(33);

  constructor(
    model: AnalysisModel,
    private readonly truth: Truth,
    private readonly families: readonly (Family | null)[],
    private readonly limit: number,
  ) {
    this.position = new Int32Array(model.conditions.length);
    this.leafStart = new Int32Array(model.conditions.length);
    this.leafCount = new Int32Array(model.conditions.length);
  }

  private room(size: number) {
    if (size <= this.s.length) return;
    const grown = new Int32Array(Math.max(size, 2 * this.s.length));
    grown.set(this.s);
    this.s = grown;
  }

  gateFamily(gate: ModelGate): GateFamily {
    const { effective } = this.truth;
    const universe = this.universe;
    universe.length = 0;
    let leafSets = 0;
    for (const c of gate.names) {
      if (effective[c]) continue;
      const family = this.families[c]!;
      leafSets += family.sets.length;
      for (const set of family.sets) {
        for (const member of set) {
          if (this.position[member]) continue;
          this.position[member] = 1;
          universe.push(member);
        }
      }
    }
    // Insertion sort: a universe is a handful of conditions.
    for (let i = 1; i < universe.length; i++) {
      const c = universe[i];
      let j = i - 1;
      for (; j >= 0 && universe[j] > c; j--) universe[j + 1] = universe[j];
      universe[j + 1] = c;
    }
    for (let k = 0; k < universe.length; k++) this.position[universe[k]] = k + 1;
    // A single word keeps its top bit free, so that a set is never -1 (see neededOne).
    const w = Math.ceil((universe.length + 1) / 32);
    this.w = w;

    // Each named condition's sets as masks.
    if (leafSets * w > this.leaves.length) this.leaves = new Int32Array(2 * leafSets * w);
    let used = 0;
    for (const c of gate.names) {
      if (effective[c]) continue;
      const sets = this.families[c]!.sets;
      this.leafStart[c] = used;
      this.leafCount[c] = sets.length;
      for (const set of sets) {
        for (let t = 0; t < w; t++) this.leaves[used + t] = 0;
        for (const member of set) {
          const bit = this.position[member] - 1;
          this.leaves[used + (bit >>> 5)] |= 1 << (bit & 31);
        }
        used += w;
      }
    }
    for (const c of universe) this.position[c] = 0;

    this.top = 0;
    let count = this.familyOf(gate.expression);
    const truncated = this.truncated;
    if (this.loose) count = this.tighten(gate.expression, count);
    const words: number[] = [];
    for (let k = 0; k < count * w; k++) words.push(this.s[k]);
    return new MaskFamily(words, w, universe.slice(), truncated);
  }

  /**
   * Leaves the family of `node` on top of the stack and says how many sets it has, or
   * HOLDS; sets `truncated` and `loose` for it.
   */
  private familyOf(node: Compiled): number {
    const w = this.w;
    if (typeof node === 'number') {
      this.truncated = this.loose = false;
      if (this.truth.effective[node]) return HOLDS;
      // A condition's own truncated family may hold sets that are not minimal.
      this.truncated = this.loose = this.families[node]!.truncated;
      const count = this.leafCount[node];
      this.room(this.top + count * w);
      const s = this.s;
      const start = this.leafStart[node];
      for (let k = 0; k < count * w; k++) s[this.top + k] = this.leaves[start + k];
      this.top += count * w;
      return count;
    }
    const base = this.top;
    let truncated = false;
    let loose = false;
    if (node.and) {
      let count = HOLDS;
      for (const arg of node.args) {
        const n = this.familyOf(arg);
        if (n === HOLDS) continue;
        if (count === HOLDS) {
          count = n;
          truncated = this.truncated;
          loose = this.loose;
          continue;
        }
        // A set that a truncated side dropped could have been within one joined here.
        loose = truncated || this.truncated;
        truncated ||= this.truncated;
        // The AND so far is at [base, part), this part at [part, top): join every pair above them.
        const part = base + count * w;
        const joined = this.top;
        this.room(joined + count * n * w);
        const s = this.s;
        let k = joined;
        for (let i = 0; i < count; i++) {
          for (let j = 0; j < n; j++) {
            for (let t = 0; t < w; t++) s[k++] = s[base + i * w + t] | s[part + j * w + t];
          }
        }
        this.truncated = truncated;
        const kept = count * n === 1 ? 1 : this.minimise(joined, count * n);
        truncated = this.truncated;
        s.copyWithin(base, joined, joined + kept * w);
        this.top = base + kept * w;
        count = kept;
      }
      this.truncated = truncated;
      this.loose = loose;
      return count;
    }
    for (const arg of node.args) {
      if (this.familyOf(arg) === HOLDS) {
        this.top = base;
        this.truncated = this.loose = false;
        return HOLDS;
      }
      truncated ||= this.truncated;
    }
    const count = (this.top - base) / w;
    this.truncated = truncated;
    this.loose = truncated;
    const kept = node.args.length === 1 ? count : this.minimise(base, count);
    this.top = base + kept * w;
    return kept;
  }

  /**
   * Orders the `count` sets at `start` by size, keeping their order within a size (a
   * counting sort: one pass, where sorting thousands of joined sets by comparison would
   * cost more than all the rest).
   */
  private bySize(start: number, count: number) {
    const w = this.w;
    if (count <= 8) {
      // Insertion sort, which keeps the order within a size too; the top of the stack holds the set moved.
      this.room(start + (count + 1) * w);
      const s = this.s;
      const held = start + count * w;
      for (let i = 1; i < count; i++) {
        const size = this.sizeAt(start + i * w);
        let j = i - 1;
        if (this.sizeAt(start + j * w) <= size) continue;
        for (let t = 0; t < w; t++) s[held + t] = s[start + i * w + t];
        for (; j >= 0 && this.sizeAt(start + j * w) > size; j--) {
          for (let t = 0; t < w; t++) s[start + (j + 1) * w + t] = s[start + j * w + t];
        }
        for (let t = 0; t < w; t++) s[start + (j + 1) * w + t] = s[held + t];
      }
      return;
    }
    const scratch = start + count * w;
    this.room(scratch + count * w);
    if (this.sizes.length <= 32 * w) this.sizes = new Int32Array(32 * w + 1);
    const sizes = this.sizes;
    const t = this.s;
    sizes.fill(0);
    for (let k = 0; k < count; k++) sizes[this.sizeAt(start + k * w)]++;
    for (let size = 0, at = 0; size < sizes.length; size++) {
      const n = sizes[size];
      sizes[size] = at;
      at += n;
    }
    for (let k = 0; k < count; k++) {
      const from = start + k * w;
      const to = scratch + sizes[this.sizeAt(from)]++ * w;
      for (let u = 0; u < w; u++) t[to + u] = t[from + u];
    }
    t.copyWithin(start, scratch, scratch + count * w);
  }

  private sizeAt(at: number): number {
    let size = 0;
    for (let t = 0; t < this.w; t++) size += popcount(this.s[at + t]);
    return size;
  }

  private within(small: number, big: number): boolean {
    const s = this.s;
    for (let t = 0; t < this.w; t++) if ((s[small + t] & s[big + t]) !== s[small + t]) return false;
    return true;
  }

  /**
   * minimal() on the stack: keeps the minimal sets of the `count` at `start` there,
   * smallest first, and says how many; sets `truncated` when it keeps only `limit`.
   */
  private minimise(start: number, count: number): number {
    this.bySize(start, count);
    const w = this.w;
    const s = this.s;
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const candidate = start + i * w;
      let absorbed = false;
      if (w === 1) {
        const c = s[candidate];
        for (let j = start; j < start + kept && !absorbed; j++) absorbed = (s[j] & c) === s[j];
      } else for (let j = 0; j < kept && !absorbed; j++) absorbed = this.within(start + j * w, candidate);
      if (absorbed) continue;
      if (kept === this.limit) {
        this.truncated = true;
        break;
      }
      for (let t = 0; t < w; t++) s[start + kept * w + t] = s[candidate + t];
      kept++;
    }
    return kept;
  }

  /**
   * With the statuses of the set at `marked` set true: whether `node` holds, and if so, at
   * `out`, the members of that set without which it would not. Read from the families of
   * the conditions it names, so exact when those are: a condition holds when some of its
   * sets are within the marked set, and needs what all those sets share; an AND needs what
   * any part needs; an OR needs what every part that holds needs.
   */
  private needed(node: Compiled, marked: number, out: number): boolean {
    const w = this.w;
    const s = this.s;
    if (typeof node === 'number') {
      for (let t = 0; t < w; t++) s[out + t] = 0;
      if (this.truth.effective[node]) return true;
      let found = false;
      const leaves = this.leaves;
      const end = this.leafStart[node] + this.leafCount[node] * w;
      for (let set = this.leafStart[node]; set < end; set += w) {
        let within = true;
        for (let t = 0; t < w && within; t++) within = (leaves[set + t] & s[marked + t]) === leaves[set + t];
        if (!within) continue;
        for (let t = 0; t < w; t++) s[out + t] = found ? s[out + t] & leaves[set + t] : leaves[set + t];
        found = true;
      }
      return found;
    }
    let found = false;
    const child = out + w;
    for (const arg of node.args) {
      const holds = this.needed(arg, marked, child);
      if (node.and) {
        if (!holds) return false;
        for (let t = 0; t < w; t++) s[out + t] = found ? s[out + t] | s[child + t] : s[child + t];
        found = true;
      } else if (holds) {
        for (let t = 0; t < w; t++) s[out + t] = found ? s[out + t] & s[child + t] : s[child + t];
        found = true;
      }
    }
    if (node.and && !found) for (let t = 0; t < w; t++) s[out + t] = 0;
    return node.and || found;
  }

  /** needed() for sets of one word, as numbers; -1 when `node` does not hold. */
  private neededOne(node: Compiled, marked: number): number {
    if (typeof node === 'number') {
      if (this.truth.effective[node]) return 0;
      let needed = -1;
      const end = this.leafStart[node] + this.leafCount[node];
      for (let k = this.leafStart[node]; k < end; k++) {
        const set = this.leaves[k];
        if ((set & marked) === set) needed = needed === -1 ? set : needed & set;
      }
      return needed;
    }
    let acc = node.and ? 0 : -1;
    for (const arg of node.args) {
      const part = this.neededOne(arg, marked);
      if (node.and) {
        if (part === -1) return -1;
        acc |= part;
      } else if (part !== -1) acc = acc === -1 ? part : acc & part;
    }
    return acc;
  }

  /**
   * The `count` sets at the bottom of a loose family made minimal: each leaves out, one at
   * a time, a member that is not needed. Then minimised again, since two sets may have
   * become one.
   */
  private tighten(node: Compiled, count: number): number {
    const w = this.w;
    const out = count * w;
    // needed() writes one set per level of the expression above `out`; the stack must not move meanwhile.
    this.room(out + (expressionDepth(node) + 2) * w);
    for (let k = 0; k < count; k++) {
      const set = k * w;
      if (w === 1) {
        let current = this.s[set];
        for (let needed = this.neededOne(node, current); needed !== current; needed = this.neededOne(node, current)) {
          const spare = current & ~needed;
          current &= ~(spare & -spare);
        }
        this.s[set] = current;
        continue;
      }
      for (;;) {
        this.needed(node, set, out);
        const s = this.s;
        let t = 0;
        while (t < w && (s[set + t] & ~s[out + t]) === 0) t++;
        if (t === w) break;
        const spare = s[set + t] & ~s[out + t];
        s[set + t] &= ~(spare & -spare);
      }
    }
    const truncated = this.truncated;
    const kept = this.minimise(0, count);
    this.truncated = truncated;
    return kept;
  }
}
