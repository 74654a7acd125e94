/**
 * The conditions analysis's definitions written as plainly as possible, for the property
 * tests beside it (analysis.test.ts, unlocking.test.ts): brute force over every
 * assignment or subset of conditions, with no code shared with the module beyond its
 * types, so that a mistake in the module cannot hide here too. And the random small
 * scenarios the tests run them on. Only tests import this file.
 */
import fc from 'fast-check';
import { CONDITION_STATUSES, type ConditionInput, DIMENSIONS, type DimensionValues, type GateInput, zeroValues } from './analysis.ts';
import type { ConditionStatus, Expression } from './expressions.ts';

export interface Scenario {
  conditions: ConditionInput[];
  gates: GateInput[];
}
export type Statuses = Record<string, ConditionStatus>;

export const trueStatus = (status: ConditionStatus) => status === 'met' || status === 'waived';

export function plainEval(expression: Expression, isTrue: (id: string) => boolean): boolean {
  if (typeof expression === 'string') return isTrue(expression);
  const results = expression.args.map((arg) => plainEval(arg, isTrue));
  return expression.op === 'and' ? results.every(Boolean) : results.some(Boolean);
}

export function leavesOf(expression: Expression): string[] {
  return typeof expression === 'string' ? [expression] : expression.args.flatMap(leavesOf);
}

export function currentStatuses(s: Scenario): Statuses {
  return Object.fromEntries(s.conditions.map((c) => [c.id, c.status]));
}

export function effectiveUnder(s: Scenario, statuses: Statuses): (id: string) => boolean {
  const effective = (id: string): boolean => {
    const condition = s.conditions.find((c) => c.id === id)!;
    return trueStatus(statuses[id]) && (!condition.requires || plainEval(condition.requires, effective));
  };
  return effective;
}

export const opensUnder = (s: Scenario, gate: GateInput, statuses: Statuses) => plainEval(gate.expression, effectiveUnder(s, statuses));

/** Every assignment of the other conditions, met or unmet, with `held` keeping its status. */
export function* otherAssignments(s: Scenario, held: ConditionInput): Generator<Statuses> {
  const others = s.conditions.filter((c) => c.id !== held.id);
  for (let mask = 0; mask < 1 << others.length; mask++) {
    const statuses: Statuses = { [held.id]: held.status };
    others.forEach((c, k) => {
      statuses[c.id] = mask & (1 << k) ? 'met' : 'unmet';
    });
    yield statuses;
  }
}

export function bruteHolds(s: Scenario, gate: GateInput, condition: ConditionInput): boolean {
  if (trueStatus(condition.status) || opensUnder(s, gate, currentStatuses(s))) return false;
  for (const statuses of otherAssignments(s, condition)) if (opensUnder(s, gate, statuses)) return false;
  return true;
}

export function bruteUnlocks(s: Scenario, gate: GateInput, condition: ConditionInput): boolean {
  const now = currentStatuses(s);
  return !opensUnder(s, gate, now) && opensUnder(s, gate, { ...now, [condition.id]: 'met' });
}

export function sumValues(gates: GateInput[]): DimensionValues {
  const total = zeroValues();
  for (const gate of gates) for (const d of DIMENSIONS) total[d] += gate.values[d] ?? 0n;
  return total;
}

// ---------------------------------------------------------------------------------------
// Random small scenarios: up to 8 conditions whose requirements only name conditions
// before them (so they form a DAG), listed in shuffled order; up to 10 gates.
// ---------------------------------------------------------------------------------------

export function expressionArb(ids: string[], depth: number): fc.Arbitrary<Expression> {
  const leaf = fc.constantFrom(...ids);
  if (depth === 0) return leaf;
  const node = fc.record({
    op: fc.constantFrom('and' as const, 'or' as const),
    args: fc.array(expressionArb(ids, depth - 1), { minLength: 1, maxLength: 3 }),
  });
  return fc.oneof(leaf, node);
}

export const DATES = ['2026-01-15', '2026-03-01', '2026-06-30', '2027-01-01'];

// Now and then a sum beyond 2^53, so that both ways of summing (numbers, bigints) are compared.
export const valuesArb = fc.record({
  money_usd: fc.oneof(
    { arbitrary: fc.bigInt({ min: 0n, max: 10n ** 13n }), weight: 9 },
    { arbitrary: fc.bigInt({ min: 2n ** 52n, max: 2n ** 70n }), weight: 1 },
  ),
  personnel: fc.bigInt({ min: 0n, max: 8000n }),
  aid_trucks_per_day: fc.bigInt({ min: 0n, max: 600n }),
  projects: fc.bigInt({ min: 0n, max: 5n }),
});

export const scenarioArb: fc.Arbitrary<Scenario> = fc.integer({ min: 1, max: 8 }).chain((n) => {
  const ids = Array.from({ length: n }, (_, i) => `c${i}`);
  const conditionArb = (i: number) =>
    fc.record({
      id: fc.constant(ids[i]),
      status: fc.constantFrom(...CONDITION_STATUSES),
      requires: i === 0 ? fc.constant(null) : fc.option(expressionArb(ids.slice(0, i), 2), { nil: null, freq: 2 }),
      targetDate: fc.option(fc.constantFrom(...DATES), { nil: null, freq: 4 }),
      stakeholderIds: fc.subarray(['s1', 's2', 's3']),
    });
  const gateArb = fc.record({ expression: expressionArb(ids, 3), values: valuesArb });
  return fc.record({
    conditions: fc.tuple(...ids.map((_, i) => conditionArb(i))).chain((cs) => fc.shuffledSubarray(cs, { minLength: n, maxLength: n })),
    gates: fc
      .array(gateArb, { maxLength: 10 })
      .map((gates) => gates.map((g, i) => ({ id: `g${i}`, subject: { type: 'commitment', id: `commitment-${i}` }, ...g }))),
  });
});

/** The conditions whose status is not true: what an unlocking set is made of. */
export const notTrue = (s: Scenario) => s.conditions.filter((c) => !trueStatus(c.status)).map((c) => c.id);

/**
 * A blocked gate's minimal unlocking sets by trying every subset of the conditions whose
 * status is not true: those that open the gate when marked met, and without a proper subset
 * that does. Each set sorted, and the sets in order, so that they compare as they are.
 */
export function bruteMinimalSets(s: Scenario, gate: GateInput): string[][] {
  const now = currentStatuses(s);
  const candidates = notTrue(s);
  const opening: string[][] = [];
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    const set = candidates.filter((_, k) => mask & (1 << k));
    const statuses: Statuses = { ...now, ...Object.fromEntries(set.map((id) => [id, 'met' as const])) };
    if (opensUnder(s, gate, statuses)) opening.push(set);
  }
  const isSubset = (a: string[], b: string[]) => a.every((id) => b.includes(id));
  return canonical(opening.filter((set) => !opening.some((other) => other.length < set.length && isSubset(other, set))));
}

/** Sets of ids sorted within and between, for comparison. */
export function canonical(sets: readonly (readonly string[])[]): string[][] {
  return sets.map((set) => [...set].sort()).sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}
