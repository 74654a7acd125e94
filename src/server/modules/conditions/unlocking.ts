/**
 * Minimal unlocking sets. A blocked gate's minimal unlocking sets are the smallest sets of
 * conditions whose status is not true such that marking exactly those met opens it, with
 * requirements applying as everywhere in the analysis. "Smallest" means no condition of a
 * set can be left out; it is not about counting. A gate "A OR B" has the sets {A} and {B};
 * "A AND (B OR C)" has {A, B} and {A, C}; if A requires D and D is unmet, {A, D, B} and
 * {A, D, C}. A condition belongs to every set exactly when it holds the gate back on its
 * own; it makes up a set alone exactly when marking it met alone opens the gate.
 *
 * The sets are worked out symbolically rather than by trying subsets: each false part of
 * an expression becomes its family of sets (an OR takes the sets of each false child; an
 * AND joins one set from each false child, in every combination), a condition's family
 * joins itself with its requirement's, and after each step a set that contains another
 * is dropped. The number of sets can grow exponentially with an expression, so a family
 * keeps at most `limit` sets, smallest first, and says it is truncated. A set kept after a
 * part was truncated still opens the gate but may contain a smaller set that was dropped
 * on the way, so the sets of a truncated family are made minimal again by evaluation.
 *
 * Conditions' families are arrays of condition indexes. A gate's sets are worked out over
 * the few conditions it can involve, numbered by bit: with at most 31 of them (nearly
 * always) a set is a bit mask and the work is done on one preallocated stack, without
 * allocating, which keeps the analysis of 50,000 gates fast; above that, with arrays.
 */
import { type AnalysisModel, type Compiled, holds, type ModelGate, type Truth } from './expressions.ts';

/** How many sets a family keeps before it is truncated. */
export const MAX_UNLOCKING_SETS = 64;

/** Condition indexes in increasing order; shared between families and never changed. */
export type IndexSet = readonly number[];

/** The minimal unlocking sets of something false now, smallest first. */
export interface Family {
  sets: readonly IndexSet[];
  /** More sets exist than are listed; a set listed may then also not be minimal (see above). */
  truncated: boolean;
}

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

function isSubset(small: IndexSet, big: IndexSet): boolean {
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
function bySize(a: IndexSet, b: IndexSet): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

/**
 * The sets no other set is contained in, at most `limit` of them. Taken in order of size,
 * a set can only contain one taken before it, so each is checked against the kept ones.
 */
function minimal(candidates: IndexSet[], truncated: boolean, limit: number): Family {
  candidates.sort(bySize);
  const kept: IndexSet[] = [];
  for (const candidate of candidates) {
    if (kept.some((set) => isSubset(set, candidate))) continue;
    if (kept.length === limit) return { sets: kept, truncated: true };
    kept.push(candidate);
  }
  return { sets: kept, truncated };
}

/** AND: one set from each side, joined, in every combination. */
function both(a: Family, b: Family, limit: number): Family {
  const truncated = a.truncated || b.truncated;
  if (a.sets.length === 1 && b.sets.length === 1) return { sets: [union(a.sets[0], b.sets[0])], truncated };
  const candidates: IndexSet[] = [];
  for (const x of a.sets) for (const y of b.sets) candidates.push(union(x, y));
  return minimal(candidates, truncated, limit);
}

/** The family of `node` from those of the conditions it names; null when it holds now. */
function familyOf(node: Compiled, effective: Uint8Array, families: readonly (Family | null)[], limit: number): Family | null {
  if (typeof node === 'number') return effective[node] ? null : families[node];
  if (node.and) {
    let acc: Family | null = null;
    for (const arg of node.args) {
      const part = familyOf(arg, effective, families, limit);
      if (part !== null) acc = acc === null ? part : both(acc, part, limit);
    }
    return acc;
  }
  const parts: Family[] = [];
  for (const arg of node.args) {
    const part = familyOf(arg, effective, families, limit);
    if (part === null) return null;
    parts.push(part);
  }
  if (parts.length === 1) return parts[0];
  return minimal(
    parts.flatMap((part) => part.sets),
    parts.some((part) => part.truncated),
    limit,
  );
}

/**
 * Each condition's family, requirements first: what must be marked met for it to hold
 * effectively. A condition whose status is true but whose requirement does not hold needs
 * only its requirement; one whose status is not true needs itself as well.
 */
function conditionFamilies(model: AnalysisModel, truth: Truth, limit: number): (Family | null)[] {
  const families: (Family | null)[] = model.conditions.map(() => null);
  for (const i of model.order) {
    if (truth.effective[i]) continue;
    const requirement = model.requires[i];
    const needed = requirement === null ? null : familyOf(requirement, truth.effective, families, limit);
    const own: Family = { sets: [[i]], truncated: false };
    if (truth.statusTrue[i]) families[i] = needed;
    else families[i] = needed === null ? own : both(own, needed, limit);
  }
  return families;
}

/** A blocked gate's minimal unlocking sets. `sets()` spells them out when asked: most gates are only counted. */
export interface GateFamily {
  /** The conditions in at least one set. */
  readonly members: IndexSet;
  readonly truncated: boolean;
  sets(): IndexSet[];
}

class ListedFamily implements GateFamily {
  readonly members: IndexSet;

  constructor(
    private readonly listed: readonly IndexSet[],
    readonly truncated: boolean,
  ) {
    this.members = listed.reduce(union, EMPTY);
  }

  sets(): IndexSet[] {
    return [...this.listed];
  }
}

/** A family whose members and size are known from its shape; its sets are worked out when read. */
class LazyFamily implements GateFamily {
  constructor(
    readonly members: IndexSet,
    readonly truncated: boolean,
    private readonly gate: ModelGate,
    private readonly work: (gate: ModelGate) => GateFamily,
  ) {}

  sets(): IndexSet[] {
    return this.work(this.gate).sets();
  }
}

/**
 * The minimal unlocking sets of blocked gates under `truth`: returns a function from a
 * blocked gate to its family, each set listed minimal even when the family is truncated.
 */
export function unlockingSets(model: AnalysisModel, truth: Truth, limit = MAX_UNLOCKING_SETS): (gate: ModelGate) => GateFamily {
  const families = conditionFamilies(model, truth, limit);
  const stack = new MaskStack(model, truth, families, limit);
  const readOnce = new ReadOnce(model.conditions.length, truth.effective, families, limit);
  const work = (gate: ModelGate): GateFamily => {
    const found = stack.gateFamily(gate);
    if (!found.truncated || !gate.names.some((c) => families[c]?.truncated)) return found;
    // A condition's own family was truncated: only the statuses can say what is minimal.
    const opens = statusesOpen(model, truth, gate.expression);
    return new ListedFamily(
      minimal(
        found.sets().map((set) => shrinkByTrying(set, opens)),
        true,
        limit,
      ).sets,
      true,
    );
  };
  return (gate) => {
    const count = readOnce.count(gate.expression);
    if (count === NOT_READ_ONCE) return work(gate);
    return new LazyFamily(readOnce.members.slice(), count > limit, gate, work);
  };
}

// --- Read-once gates
//
// Nearly every gate names each condition once, and the conditions it needs (with their
// requirements) are all different. Then no set can contain another: an AND has a set for
// every choice of one set per false part, an OR the sets of all its parts, and every
// condition in a false part is in some set. So its members and how many sets it has are
// read from its shape in one walk, and its sets are worked out only when someone asks.

const NOT_READ_ONCE = -2;

class ReadOnce {
  /** The conditions in the sets of the gate walked last. */
  readonly members: number[] = [];
  /** Per condition, the occurrence of a named condition that needed it last; occurrences are numbered across gates. */
  private readonly owner: Int32Array;
  private occurrence = 0;
  private gateStart = 0;

  constructor(
    conditions: number,
    private readonly effective: Uint8Array,
    private readonly families: readonly (Family | null)[],
    private readonly limit: number,
  ) {
    this.owner = new Int32Array(conditions);
  }

  /** How many minimal sets the false `node` has (limit + 1 standing for more), or NOT_READ_ONCE. */
  count(node: Compiled): number {
    this.members.length = 0;
    this.gateStart = this.occurrence;
    return this.walk(node);
  }

  private walk(node: Compiled): number {
    if (typeof node === 'number') {
      if (this.effective[node]) return HOLDS;
      const family = this.families[node]!;
      if (family.truncated) return NOT_READ_ONCE;
      const occurrence = ++this.occurrence;
      for (const set of family.sets) {
        for (const member of set) {
          const owner = this.owner[member];
          if (owner === occurrence) continue;
          if (owner > this.gateStart) return NOT_READ_ONCE;
          this.owner[member] = occurrence;
          this.members.push(member);
        }
      }
      return family.sets.length;
    }
    // A part that holds adds nothing: an OR that holds is not walked into.
    if (!node.and && holds(node, this.effective)) return HOLDS;
    let count = HOLDS;
    for (const arg of node.args) {
      const part = this.walk(arg);
      if (part === NOT_READ_ONCE) return NOT_READ_ONCE;
      if (part === HOLDS) continue;
      count = count === HOLDS ? part : Math.min(this.limit + 1, node.and ? count * part : count + part);
    }
    return count;
  }
}

// --- A gate's family, with sets as bit masks on one stack
//
// A gate's sets are made of the conditions in the families of the conditions it names: its
// universe, numbered 0, 1, 2... in increasing order of index. A set is a bit mask over the
// universe, in as many 32-bit words as it takes (one, nearly always), so that joining two
// sets is an OR and testing containment an AND. Each part of the expression leaves its
// sets on top of one preallocated stack, so a gate is worked out without allocating.

/** Where a count of sets is expected: the part holds now. */
const HOLDS = -1;

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

class MaskStack {
  /** 32-bit words per set. */
  private w = 1;
  private s = new Int32Array(4096);
  private top = 0;
  /** Whether the family just left on the stack is truncated, and whether it is loose (see the file's header). */
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
    const w = Math.max(1, Math.ceil(universe.length / 32));
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
    this.room(out + 2 * w);
    const s = this.s;
    if (typeof node === 'number') {
      s.fill(0, out, out + w);
      if (this.truth.effective[node]) return true;
      let found = false;
      const leaves = this.leaves;
      for (let k = 0; k < this.leafCount[node]; k++) {
        const set = this.leafStart[node] + k * w;
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
      const r = this.s;
      if (node.and) {
        if (!holds) return false;
        for (let t = 0; t < w; t++) r[out + t] = found ? r[out + t] | r[child + t] : r[child + t];
        found = true;
      } else if (holds) {
        for (let t = 0; t < w; t++) r[out + t] = found ? r[out + t] & r[child + t] : r[child + t];
        found = true;
      }
    }
    if (node.and && !found) this.s.fill(0, out, out + w);
    return node.and || found;
  }

  /**
   * The `count` sets at the bottom of a loose family made minimal: each leaves out, one at
   * a time, a member that is not needed. Then minimised again, since two sets may have
   * become one.
   */
  private tighten(node: Compiled, count: number): number {
    const w = this.w;
    const out = count * w;
    for (let k = 0; k < count; k++) {
      const set = k * w;
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

// --- Making sets minimal when a condition's own family was truncated
//
// Then the families cannot say whether a set opens the gate, so the statuses do: only the
// conditions marked and those that require them, directly or not, can change.

/** Truth with some conditions changed: `changed` is 1 or 0 for those, -1 for the rest. */
function holdsWith(node: Compiled, effective: Uint8Array, changed: Int8Array): boolean {
  if (typeof node === 'number') return changed[node] === -1 ? effective[node] === 1 : changed[node] === 1;
  if (node.and) {
    for (const arg of node.args) if (!holdsWith(arg, effective, changed)) return false;
    return true;
  }
  for (const arg of node.args) if (holdsWith(arg, effective, changed)) return true;
  return false;
}

/** Whether `node` holds with the statuses of a set of conditions set true. */
function statusesOpen(model: AnalysisModel, truth: Truth, node: Compiled): (marked: IndexSet) => boolean {
  const requiredBy: number[][] = model.conditions.map(() => []);
  const position = new Int32Array(model.conditions.length);
  for (const [k, i] of model.order.entries()) position[i] = k;
  const visit = (part: Compiled, owner: number) => {
    if (typeof part !== 'number') for (const arg of part.args) visit(arg, owner);
    else if (!requiredBy[part].includes(owner)) requiredBy[part].push(owner);
  };
  for (const [i, requirement] of model.requires.entries()) if (requirement !== null) visit(requirement, i);
  const changed = new Int8Array(model.conditions.length).fill(-1);
  return (marked) => {
    const affected: number[] = [];
    const stack = [...marked];
    while (stack.length) {
      const c = stack.pop()!;
      if (changed[c] !== -1 || truth.effective[c]) continue;
      changed[c] = 0;
      affected.push(c);
      stack.push(...requiredBy[c]);
    }
    affected.sort((a, b) => position[a] - position[b]);
    for (const c of affected) {
      const requirement = model.requires[c];
      const status = truth.statusTrue[c] === 1 || marked.includes(c);
      changed[c] = status && (requirement === null || holdsWith(requirement, truth.effective, changed)) ? 1 : 0;
    }
    const result = holdsWith(node, truth.effective, changed);
    for (const c of affected) changed[c] = -1;
    return result;
  };
}

/**
 * `set` made minimal by leaving out, one at a time, every member without which the rest
 * still opens. One pass is enough because opening is monotone: a member kept was needed
 * with more than what remains, so it is needed still.
 */
function shrinkByTrying(set: IndexSet, opens: (marked: IndexSet) => boolean): IndexSet {
  let current = set;
  for (const c of set) {
    const smaller = current.filter((x) => x !== c);
    if (opens(smaller)) current = smaller;
  }
  return current;
}
