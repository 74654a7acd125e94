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
 * The analysis needs, for every blocked gate, which conditions are in its sets, and the
 * sets themselves only for the gates someone looks at. Most gates are read-once (below):
 * those two things are read off their shape, and their sets worked out only when asked.
 * The others are worked out at once on a stack of bit masks (mask-stack.ts). Conditions'
 * own families are sorted arrays of indexes (index-sets.ts).
 */
import { type AnalysisModel, type Compiled, holds, type ModelGate, type Truth } from './expressions.ts';
import { bySize, EMPTY, type IndexSet, isSubset, union } from './index-sets.ts';
import { HOLDS, MaskStack } from './mask-stack.ts';

/** How many sets a family keeps before it is truncated. */
export const MAX_UNLOCKING_SETS = 64;

/** The minimal unlocking sets of something false now, smallest first. */
export interface Family {
  sets: readonly IndexSet[];
  /** More sets exist than are listed; a set listed may then also not be minimal (see above). */
  truncated: boolean;
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
    const before = this.members.length;
    let count = HOLDS;
    for (const arg of node.args) {
      let part = this.walk(arg);
      // An OR that holds adds nothing, whatever its parts: forget what they marked.
      if (part === NOT_READ_ONCE && !node.and && holds(node, this.effective)) part = HOLDS;
      if (part === NOT_READ_ONCE) return NOT_READ_ONCE;
      if (part === HOLDS) {
        if (node.and) continue;
        for (let k = before; k < this.members.length; k++) this.owner[this.members[k]] = 0;
        this.members.length = before;
        return HOLDS;
      }
      count = count === HOLDS ? part : Math.min(this.limit + 1, node.and ? count * part : count + part);
    }
    return count;
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
