/**
 * The conditions analysis: which gates are open, which conditions hold back how much (the
 * long pole), what a condition would unlock, what-if, as of a date, and the earliest date
 * each gate could open. Pure: it takes conditions and gates and returns figures; loading
 * them, access control and audit belong to the service.
 *
 * Definitions (analysis.test.ts and unlocking.test.ts check each against brute force):
 * - A status is true when met or waived. A condition is *effectively* true when its status
 *   is true and its requirement expression holds over effective truth; gates open over
 *   effective truth, so requirements count transitively.
 * - A condition *holds back* a blocked gate when its status is not true and the gate would
 *   stay shut if every other condition's status were set true while this one keeps its
 *   status. If a gate needs A and A requires B, both A (when its status is not true) and B
 *   hold it back. A condition whose status is true but whose requirements do not hold
 *   holds nothing back itself: the conditions it requires do.
 * - A condition *unlocks* a blocked gate when marking that condition alone met, every other
 *   status as it is, opens the gate. Requirements still apply: marking A met unlocks
 *   nothing that needs A while A's requirement B is unmet.
 * - A blocked gate's *minimal unlocking sets* are the smallest sets of conditions whose
 *   status is not true that open it when marked met (unlocking.ts). A condition holds a
 *   gate back exactly when it is in every set, and unlocks it when it is a set alone.
 * - A condition is *in the unlocking sets* of a blocked gate when it is in at least one of
 *   them: it is part of some smallest way to open it. With "A OR B" neither A nor B holds
 *   the gate back, yet both are in its sets. Every blocked gate has at least one set, so
 *   every blocked gate counts for some condition under this measure, and the long pole
 *   ranks by it.
 * - A stakeholder holds back the blocked gates that any condition they must act on holds
 *   back, and is in the unlocking sets of those any of their conditions is in, each gate
 *   counted once however many of their conditions it involves.
 *
 * Partially met counts as not met; a failed condition holds back like an unmet one (it
 * can still be waived).
 *
 * Values are bigints per dimension: money_usd in US cents so money stays exact, the other
 * dimensions are counts.
 */
import {
  type AnalysisModel,
  assertDate,
  type Compiled,
  type ConditionId,
  type ConditionStatus,
  DIMENSIONS,
  type Dimension,
  type DimensionValues,
  type GateInput,
  holds,
  isTrueStatus,
  type ModelGate,
  refuse,
  type Truth,
  truthOf,
  withOverrides,
  zeroValues,
} from './expressions.ts';
import { EMPTY, intersection, union } from './index-sets.ts';
import { type GateFamily, MAX_UNLOCKING_SETS, unlockingSets } from './unlocking.ts';

// Callers of the analysis need only this import; the expression schema and helpers are in expressions.ts.
export {
  type AnalysisModel,
  addValues,
  buildModel,
  CONDITION_STATUSES,
  ConditionGraphError,
  type ConditionId,
  type ConditionInput,
  type ConditionStatus,
  DIMENSIONS,
  type Dimension,
  type DimensionValues,
  type Expression,
  type GateInput,
  zeroValues,
} from './expressions.ts';

/**
 * Running totals per slot (a condition, a stakeholder...) in every dimension. Adding
 * bigints allocates each sum, so while the model's totals fit in 2^53 the sums are kept
 * as floating-point numbers, exact for integers that size; otherwise as bigints. Only the
 * dimensions a gate carries are added.
 */
interface Sums {
  add(slot: number, gate: ModelGate): void;
  get(slot: number): DimensionValues;
}

function numberSums(slots: number): Sums {
  const sums = DIMENSIONS.map(() => new Float64Array(slots));
  return {
    add(slot, gate) {
      for (const d of gate.dimensions) sums[d][slot] += gate.numbers[d];
    },
    get: (slot) => ({
      money_usd: BigInt(sums[0][slot]),
      personnel: BigInt(sums[1][slot]),
      aid_trucks_per_day: BigInt(sums[2][slot]),
      projects: BigInt(sums[3][slot]),
    }),
  };
}

function bigintSums(slots: number): Sums {
  const sums = Array.from({ length: slots }, zeroValues);
  return {
    add(slot, gate) {
      for (const d of gate.dimensions) {
        const dimension = DIMENSIONS[d];
        sums[slot][dimension] += gate.values[dimension];
      }
    },
    get: (slot) => ({ ...sums[slot] }),
  };
}

const sumsFor = (model: AnalysisModel, slots: number) => (model.sumsFitNumbers ? numberSums(slots) : bigintSums(slots));

/**
 * The conditions that hold `node` back (it stays false with every other status true),
 * or null when it is true now. Exact because expressions are monotone and true with every
 * status true: AND needs each child, so it is held back by what holds any false child;
 * OR is held back only by what holds every child. A true part is held back by nothing,
 * since setting more statuses true cannot make it false.
 */
function holdersOf(node: Compiled, effective: Uint8Array, perCondition: readonly (readonly number[])[]): readonly number[] | null {
  if (typeof node === 'number') return effective[node] ? null : perCondition[node];
  let acc: readonly number[] | null = null;
  for (const arg of node.args) {
    const part = holdersOf(arg, effective, perCondition);
    if (node.and) {
      if (part !== null) acc = acc === null ? part : union(acc, part);
    } else {
      if (part === null) return null;
      acc = acc === null ? part : intersection(acc, part);
    }
  }
  return acc;
}

/**
 * The conditions each of which, marked met alone, makes `node` true; null when it is true
 * now. A false AND opens only if every false child does; a false OR if any child does.
 */
function unlockersOf(node: Compiled, effective: Uint8Array, perCondition: readonly (readonly number[])[]): readonly number[] | null {
  if (typeof node === 'number') return effective[node] ? null : perCondition[node];
  let acc: readonly number[] | null = node.and ? null : EMPTY;
  for (const arg of node.args) {
    const part = unlockersOf(arg, effective, perCondition);
    if (node.and) {
      if (part !== null) acc = acc === null ? part : intersection(acc, part);
    } else {
      if (part === null) return null;
      acc = union(acc!, part);
    }
  }
  return acc;
}

/** Holders and unlockers of each condition that is not effectively true, requirements first. */
function perConditionSets(model: AnalysisModel, truth: Truth) {
  const holders: (readonly number[])[] = model.conditions.map(() => EMPTY);
  const unlockers: (readonly number[])[] = model.conditions.map(() => EMPTY);
  for (const i of model.order) {
    if (truth.effective[i]) continue;
    const requirement = model.requires[i];
    const own = truth.statusTrue[i] ? EMPTY : [i];
    holders[i] = requirement === null ? own : union(own, holdersOf(requirement, truth.effective, holders) ?? EMPTY);
    // Not effective with a true status means the requirement is false: only opening it helps.
    // Otherwise marking this condition met is the one move that can, if its requirement holds.
    if (truth.statusTrue[i]) unlockers[i] = unlockersOf(requirement!, truth.effective, unlockers) ?? EMPTY;
    else unlockers[i] = requirement === null || holds(requirement, truth.effective) ? [i] : EMPTY;
  }
  return { holders, unlockers };
}

export interface ConditionImpact {
  id: ConditionId;
  status: ConditionStatus;
  /** Status true and requirements hold. */
  effective: boolean;
  /** Blocked gates that cannot open while this condition is not met, whatever else is met. */
  heldBack: DimensionValues;
  /** The part of heldBack from gates that name this condition themselves, not through requirements. */
  heldBackDirectly: DimensionValues;
  heldBackGateIds: string[];
  /** Blocked gates that marking this condition met alone would open. */
  unlocks: DimensionValues;
  unlocksGateIds: string[];
  /**
   * Blocked gates with this condition in at least one of their minimal unlocking sets: it is
   * part of some smallest way to open them. Includes heldBack; the long pole ranks by it.
   */
  inUnlockingSets: DimensionValues;
  inUnlockingSetsGateIds: string[];
}

export interface GateState {
  readonly id: string;
  readonly subject: GateInput['subject'];
  readonly values: DimensionValues;
  readonly open: boolean;
  /** The conditions that hold it back: those in every minimal unlocking set. */
  readonly heldBackBy: readonly ConditionId[];
  /** The conditions each of which, met alone, opens it: the minimal unlocking sets of one condition. */
  readonly unlockedBy: readonly ConditionId[];
  /** Empty when open; otherwise its minimal unlocking sets (unlocking.ts), smallest first. */
  readonly unlockingSets: readonly (readonly ConditionId[])[];
  /** Working out its sets stopped at MAX_UNLOCKING_SETS somewhere: there may be more than listed. */
  readonly unlockingSetsTruncated: boolean;
  /** The conditions in at least one minimal unlocking set: those it counts for in inUnlockingSets. */
  readonly unlockingSetMembers: readonly ConditionId[];
}

/** A gate's state; its unlocking sets are spelt out only when read, since most gates are only counted. */
class Gate implements GateState {
  readonly id: string;
  readonly subject: GateInput['subject'];
  readonly values: DimensionValues;
  readonly open: boolean;
  readonly #family: GateFamily | null;
  readonly #ids: readonly ConditionId[];

  constructor(
    gate: ModelGate,
    readonly heldBackBy: readonly ConditionId[],
    readonly unlockedBy: readonly ConditionId[],
    family: GateFamily | null,
    ids: readonly ConditionId[],
  ) {
    this.id = gate.input.id;
    this.subject = gate.input.subject;
    this.values = gate.values;
    this.open = family === null;
    this.#family = family;
    this.#ids = ids;
  }

  get unlockingSets(): ConditionId[][] {
    return this.#family ? this.#family.sets().map((set) => set.map((c) => this.#ids[c])) : [];
  }

  get unlockingSetsTruncated(): boolean {
    return this.#family?.truncated ?? false;
  }

  get unlockingSetMembers(): ConditionId[] {
    return this.#family ? this.#family.members.map((c) => this.#ids[c]) : [];
  }
}

export interface StakeholderImpact {
  id: string;
  /** Blocked gates that one of their conditions holds back, each counted once. */
  heldBack: DimensionValues;
  heldBackGateIds: string[];
  /** Blocked gates with one of their conditions in a minimal unlocking set, each counted once. */
  inUnlockingSets: DimensionValues;
}

export interface Analysis {
  conditions: Map<ConditionId, ConditionImpact>;
  gates: Map<string, GateState>;
  /** Only stakeholders named on some condition. */
  stakeholders: Map<string, StakeholderImpact>;
  open: DimensionValues;
  blocked: DimensionValues;
}

export interface AnalysisLimits {
  /** At most this many minimal unlocking sets are worked out per gate. */
  maxUnlockingSets: number;
}

/** Everything the condition and long-pole pages show, under the model's statuses with `overrides` applied. */
export function analyse(
  model: AnalysisModel,
  overrides?: ReadonlyMap<ConditionId, ConditionStatus>,
  limits: AnalysisLimits = { maxUnlockingSets: MAX_UNLOCKING_SETS },
): Analysis {
  const truth = truthOf(model, withOverrides(model, overrides));
  const sets = perConditionSets(model, truth);
  const familyOf = unlockingSets(model, truth, limits.maxUnlockingSets);
  const ids = model.conditions.map((c) => c.id);
  const count = ids.length;
  // Slots: conditions held back [0, n), held back directly [n, 2n), unlocked [2n, 3n), in unlocking sets [3n, 4n).
  const conditionSums = sumsFor(model, 4 * count);
  const conditionGates = {
    heldBack: ids.map((): string[] => []),
    unlocks: ids.map((): string[] => []),
    inUnlockingSets: ids.map((): string[] => []),
  };
  // Slots: stakeholders holding back [0, s), in unlocking sets [s, 2s).
  const stakeholderCount = model.stakeholders.length;
  const stakeholderSums = sumsFor(model, 2 * stakeholderCount);
  const stakeholderGates = model.stakeholders.map((): string[] => []);
  // The last gate counted for each stakeholder, so that each gate counts once per stakeholder.
  const lastHeldBack = new Int32Array(stakeholderCount).fill(-1);
  const lastInSets = new Int32Array(stakeholderCount).fill(-1);
  const totals = sumsFor(model, 2);
  const [OPEN, BLOCKED] = [0, 1];
  const gates = new Map<string, GateState>();
  // Most gates are open or have no single unlocker: they share one empty list instead of
  // allocating 50,000 of them.
  const none: readonly ConditionId[] = Object.freeze([]);

  for (const [g, gate] of model.gates.entries()) {
    const holders = holdersOf(gate.expression, truth.effective, sets.holders);
    const unlockers = holders === null ? EMPTY : unlockersOf(gate.expression, truth.effective, sets.unlockers)!;
    const family = holders === null ? null : familyOf(gate);
    const members = family?.members ?? EMPTY;
    const { id } = gate.input;
    gates.set(
      id,
      new Gate(
        gate,
        holders?.length ? holders.map((c) => ids[c]) : none,
        unlockers.length ? unlockers.map((c) => ids[c]) : none,
        family,
        ids,
      ),
    );
    totals.add(holders === null ? OPEN : BLOCKED, gate);
    for (const c of holders ?? EMPTY) {
      conditionSums.add(c, gate);
      if (gate.names.includes(c)) conditionSums.add(count + c, gate);
      conditionGates.heldBack[c].push(id);
      for (const s of model.stakeholdersOf[c]) {
        if (lastHeldBack[s] === g) continue;
        lastHeldBack[s] = g;
        stakeholderSums.add(s, gate);
        stakeholderGates[s].push(id);
      }
    }
    for (const c of unlockers) {
      conditionSums.add(2 * count + c, gate);
      conditionGates.unlocks[c].push(id);
    }
    for (const c of members) {
      conditionSums.add(3 * count + c, gate);
      conditionGates.inUnlockingSets[c].push(id);
      for (const s of model.stakeholdersOf[c]) {
        if (lastInSets[s] === g) continue;
        lastInSets[s] = g;
        stakeholderSums.add(stakeholderCount + s, gate);
      }
    }
  }

  const conditions = model.conditions.map((c, i): [ConditionId, ConditionImpact] => [
    c.id,
    {
      id: c.id,
      status: truth.statuses[i],
      effective: truth.effective[i] === 1,
      heldBack: conditionSums.get(i),
      heldBackDirectly: conditionSums.get(count + i),
      heldBackGateIds: conditionGates.heldBack[i],
      unlocks: conditionSums.get(2 * count + i),
      unlocksGateIds: conditionGates.unlocks[i],
      inUnlockingSets: conditionSums.get(3 * count + i),
      inUnlockingSetsGateIds: conditionGates.inUnlockingSets[i],
    },
  ]);
  const stakeholders = model.stakeholders.map((id, s): [string, StakeholderImpact] => [
    id,
    {
      id,
      heldBack: stakeholderSums.get(s),
      heldBackGateIds: stakeholderGates[s],
      inUnlockingSets: stakeholderSums.get(stakeholderCount + s),
    },
  ]);
  return {
    conditions: new Map(conditions),
    gates,
    stakeholders: new Map(stakeholders),
    open: totals.get(OPEN),
    blocked: totals.get(BLOCKED),
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Ranked = { id: string; heldBack: DimensionValues; inUnlockingSets: DimensionValues };

function byValueThenKey<T extends Ranked>(dimension: Dimension, key?: (id: string) => string) {
  return (a: T, b: T) => {
    const diff = b.inUnlockingSets[dimension] - a.inUnlockingSets[dimension];
    if (diff !== 0n) return diff > 0n ? 1 : -1;
    const alone = b.heldBack[dimension] - a.heldBack[dimension];
    if (alone !== 0n) return alone > 0n ? 1 : -1;
    return (key && compare(key(a.id), key(b.id))) || compare(a.id, b.id);
  };
}

/** What breaks ties in the long pole, before the id: e.g. a condition's code, a stakeholder's name. */
export interface TieKeys {
  conditions?: (id: ConditionId) => string;
  stakeholders?: (id: string) => string;
}

/**
 * The long pole: conditions and stakeholders by the value of the blocked gates they are
 * part of some minimal unlocking set of (inUnlockingSets), most first, so that every
 * blocked gate counts for at least one condition: an OR of two unmet conditions counts for
 * both. Among equals, what a condition holds back on its own (heldBack) comes first, then
 * `keys` (compared by code point, so the order is the same on every machine), then the id.
 */
export function longPole(
  analysis: Analysis,
  dimension: Dimension,
  keys: TieKeys = {},
): { conditions: ConditionImpact[]; stakeholders: StakeholderImpact[] } {
  return {
    conditions: [...analysis.conditions.values()]
      .filter((c) => c.inUnlockingSets[dimension] > 0n)
      .sort(byValueThenKey(dimension, keys.conditions)),
    stakeholders: [...analysis.stakeholders.values()]
      .filter((s) => s.inUnlockingSets[dimension] > 0n)
      .sort(byValueThenKey(dimension, keys.stakeholders)),
  };
}

export interface WhatIfResult {
  openedGateIds: string[];
  closedGateIds: string[];
  gained: DimensionValues;
  lost: DimensionValues;
  /** Conditions whose effective truth changes, through requirements as well as directly. */
  nowEffective: ConditionId[];
  noLongerEffective: ConditionId[];
}

/**
 * What changes if some conditions had the given statuses (against the model's statuses,
 * or `base` overrides such as those of an earlier date). Only the gates that name a
 * condition whose effective truth changes are evaluated again.
 */
export function whatIf(
  model: AnalysisModel,
  hypothetical: ReadonlyMap<ConditionId, ConditionStatus>,
  base?: ReadonlyMap<ConditionId, ConditionStatus>,
): WhatIfResult {
  const beforeStatuses = withOverrides(model, base);
  const before = truthOf(model, beforeStatuses);
  const after = truthOf(model, withOverrides(model, hypothetical, beforeStatuses));
  const opened: string[] = [];
  const closed: string[] = [];
  const nowEffective: ConditionId[] = [];
  const noLongerEffective: ConditionId[] = [];
  const sums = sumsFor(model, 2);
  const seen = new Uint8Array(model.gates.length);
  for (const [c, condition] of model.conditions.entries()) {
    if (before.effective[c] === after.effective[c]) continue;
    (after.effective[c] ? nowEffective : noLongerEffective).push(condition.id);
    for (const g of model.gatesNaming[c]) {
      if (seen[g]) continue;
      seen[g] = 1;
      const gate = model.gates[g];
      const wasOpen = holds(gate.expression, before.effective);
      const isOpen = holds(gate.expression, after.effective);
      if (isOpen === wasOpen) continue;
      (isOpen ? opened : closed).push(gate.input.id);
      sums.add(isOpen ? 0 : 1, gate);
    }
  }
  return { openedGateIds: opened, closedGateIds: closed, gained: sums.get(0), lost: sums.get(1), nowEffective, noLongerEffective };
}

export interface EvidenceEntry {
  conditionId: ConditionId;
  /** Calendar date, YYYY-MM-DD. */
  date: string;
  /** The status this evidence set. */
  status: ConditionStatus;
}

/**
 * Every condition's status on `date`: the status set by its latest evidence dated on or
 * before it, unmet when there is none. Entries with the same date apply in the order given,
 * so the caller passes them in the order they were recorded.
 */
export function statusesAsOf(model: AnalysisModel, evidence: readonly EvidenceEntry[], date: string): Map<ConditionId, ConditionStatus> {
  assertDate(date, 'As-of date');
  const latest = new Map<ConditionId, EvidenceEntry>();
  for (const entry of evidence) {
    if (!model.indexOf.has(entry.conditionId)) refuse('unknown-condition', `Evidence names an unknown condition "${entry.conditionId}".`);
    assertDate(entry.date, `Evidence for condition "${entry.conditionId}"`);
    const current = latest.get(entry.conditionId);
    if (entry.date <= date && (!current || entry.date >= current.date)) latest.set(entry.conditionId, entry);
  }
  return new Map(model.conditions.map((c) => [c.id, latest.get(c.id)?.status ?? 'unmet']));
}

/** The same analysis over the statuses that held on `date`. */
export function analyseAsOf(model: AnalysisModel, evidence: readonly EvidenceEntry[], date: string): Analysis {
  return analyse(model, statusesAsOf(model, evidence, date));
}

/**
 * When something could open at the earliest: already; on an expected date; unknown, when
 * it waits on a condition without a target date; never, when it waits on a failed one.
 */
export type EarliestOpening = { kind: 'open' } | { kind: 'expected'; date: string } | { kind: 'unknown' } | { kind: 'never' };

function timeOf(node: Compiled, times: Int32Array): number {
  if (typeof node === 'number') return times[node];
  let acc = node.and ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const arg of node.args) acc = node.and ? Math.max(acc, timeOf(arg, times)) : Math.min(acc, timeOf(arg, times));
  return acc;
}

/**
 * The earliest opening of every gate and condition, assuming each open condition is met on
 * its target date. Times are ranks (open < each date < unknown < never) so that an AND takes
 * the latest of its parts and an OR the earliest; a condition waits for its requirements too.
 */
export function earliestOpenings(
  model: AnalysisModel,
  overrides?: ReadonlyMap<ConditionId, ConditionStatus>,
): { conditions: Map<ConditionId, EarliestOpening>; gates: Map<string, EarliestOpening> } {
  const statuses = withOverrides(model, overrides);
  const dates = [...new Set(model.conditions.map((c) => c.targetDate).filter((d): d is string => !!d))].sort();
  const rank = new Map(dates.map((d, i) => [d, i + 1]));
  const [OPEN, UNKNOWN, NEVER] = [0, dates.length + 1, dates.length + 2];
  const decode = (time: number): EarliestOpening =>
    time === OPEN
      ? { kind: 'open' }
      : time === UNKNOWN
        ? { kind: 'unknown' }
        : time === NEVER
          ? { kind: 'never' }
          : { kind: 'expected', date: dates[time - 1] };

  const times = new Int32Array(statuses.length);
  for (const i of model.order) {
    const status = statuses[i];
    const targetDate = model.conditions[i].targetDate;
    const own = isTrueStatus(status) ? OPEN : status === 'failed' ? NEVER : targetDate ? rank.get(targetDate)! : UNKNOWN;
    const requirement = model.requires[i];
    times[i] = requirement === null ? own : Math.max(own, timeOf(requirement, times));
  }
  return {
    conditions: new Map(model.conditions.map((c, i) => [c.id, decode(times[i])])),
    gates: new Map(model.gates.map((g) => [g.input.id, decode(timeOf(g.expression, times))])),
  };
}
