import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyse, buildModel, type ConditionInput, DIMENSIONS, type GateInput, longPole, zeroValues } from './analysis.ts';
import { bruteMinimalSets, canonical, currentStatuses, opensUnder, type Scenario, scenarioArb, sumValues } from './brute-force.ts';
import type { Expression } from './expressions.ts';

const RUNS = { numRuns: 300 };
const blockedGates = (s: Scenario) => s.gates.filter((g) => !opensUnder(s, g, currentStatuses(s)));

describe('minimal unlocking sets against brute force over every subset, on random small graphs', () => {
  it('lists exactly the minimal sets of each blocked gate, and none for an open one', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const analysis = analyse(buildModel(s));
        for (const g of s.gates) {
          const state = analysis.gates.get(g.id)!;
          if (state.open) {
            expect(state.unlockingSets).toEqual([]);
            continue;
          }
          const brute = bruteMinimalSets(s, g);
          // Eight conditions have at most 70 minimal sets; more than 64 is rare but possible.
          if (brute.length <= 64) expect(state.unlockingSetsTruncated).toBe(false);
          if (!state.unlockingSetsTruncated) expect(canonical(state.unlockingSets)).toEqual(brute);
          // Smallest first.
          const sizes = state.unlockingSets.map((set) => set.length);
          expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
        }
      }),
      RUNS,
    );
  });

  it('when only a few sets are kept, lists only true minimal sets and says there are more', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 3 }), (s, limit) => {
        const analysis = analyse(buildModel(s), undefined, { maxUnlockingSets: limit });
        for (const g of blockedGates(s)) {
          const state = analysis.gates.get(g.id)!;
          const brute = bruteMinimalSets(s, g);
          const listed = canonical(state.unlockingSets);
          expect(listed.length).toBeGreaterThan(0);
          expect(listed.length).toBeLessThanOrEqual(limit);
          for (const set of listed) expect(brute).toContainEqual(set);
          if (brute.length > limit) expect(state.unlockingSetsTruncated).toBe(true);
          if (!state.unlockingSetsTruncated) expect(listed).toEqual(brute);
        }
      }),
      RUNS,
    );
  });

  it('credits each condition with the blocked gates it is in a minimal set of, and every blocked gate to someone', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const analysis = analyse(buildModel(s));
        const blocked = blockedGates(s);
        const setsOf = new Map(blocked.map((g) => [g.id, bruteMinimalSets(s, g)]));
        for (const c of s.conditions) {
          const inSets = blocked.filter((g) => setsOf.get(g.id)!.some((set) => set.includes(c.id)));
          const impact = analysis.conditions.get(c.id)!;
          expect([...impact.inUnlockingSetsGateIds].sort()).toEqual(inSets.map((g) => g.id).sort());
          expect(impact.inUnlockingSets).toEqual(sumValues(inSets));
        }
        for (const g of blocked) {
          const credited = s.conditions.filter((c) => analysis.conditions.get(c.id)!.inUnlockingSetsGateIds.includes(g.id));
          expect(credited.length).toBeGreaterThan(0);
        }
        for (const stakeholder of ['s1', 's2', 's3']) {
          const theirs = s.conditions.filter((c) => c.stakeholderIds?.includes(stakeholder)).map((c) => c.id);
          const inSets = blocked.filter((g) => setsOf.get(g.id)!.some((set) => set.some((id) => theirs.includes(id))));
          const impact = analysis.stakeholders.get(stakeholder);
          if (theirs.length) expect(impact!.inUnlockingSets).toEqual(sumValues(inSets));
        }
      }),
      RUNS,
    );
  });

  it('ranks the long pole by the value in minimal sets, then by what a condition holds back alone', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const analysis = analyse(buildModel(s));
        const blocked = blockedGates(s);
        const setsOf = new Map(blocked.map((g) => [g.id, bruteMinimalSets(s, g)]));
        for (const dimension of DIMENSIONS) {
          const value = (gates: GateInput[]) => sumValues(gates)[dimension];
          const rows = s.conditions.map((c) => ({
            id: c.id,
            inSets: value(blocked.filter((g) => setsOf.get(g.id)!.some((set) => set.includes(c.id)))),
            alone: value(blocked.filter((g) => setsOf.get(g.id)!.every((set) => set.includes(c.id)))),
          }));
          const expected = rows
            .filter((r) => r.inSets > 0n)
            .sort((a, b) =>
              a.inSets !== b.inSets
                ? b.inSets > a.inSets
                  ? 1
                  : -1
                : a.alone !== b.alone
                  ? b.alone > a.alone
                    ? 1
                    : -1
                  : a.id < b.id
                    ? -1
                    : 1,
            )
            .map((r) => r.id);
          expect(longPole(analysis, dimension).conditions.map((c) => c.id)).toEqual(expected);
          // Something blocked in this dimension is always credited to some condition.
          if (value(blocked) > 0n) expect(expected.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });
});

describe('minimal unlocking sets over more conditions than brute force can try', () => {
  // 34 to 48 conditions: more than fit in one 32-bit word of a set. Each listed set is
  // checked directly: it opens the gate, and leaving out any one of its conditions does not.
  const wideArb = fc.integer({ min: 34, max: 48 }).chain((n) => {
    const ids = Array.from({ length: n }, (_, i) => `w${i}`);
    const expression = (depth: number): fc.Arbitrary<Expression> =>
      depth === 0
        ? fc.constantFrom(...ids)
        : fc.oneof(
            { arbitrary: fc.constantFrom(...ids), weight: 1 },
            {
              arbitrary: fc.record({
                op: fc.constantFrom('and' as const, 'or' as const),
                args: fc.array(expression(depth - 1), { minLength: 2, maxLength: 5 }),
              }),
              weight: 3,
            },
          );
    return fc.record({
      conditions: fc.tuple(
        ...ids.map((id, i) =>
          fc.record({
            id: fc.constant(id),
            status: fc.constantFrom('unmet', 'unmet', 'met', 'partially_met' as const),
            requires: i < 2 ? fc.constant(null) : fc.option(fc.constantFrom(ids[i - 1], ids[i - 2]), { nil: null, freq: 4 }),
          }),
        ),
      ),
      gates: fc.array(expression(4), { minLength: 1, maxLength: 4 }).map((expressions) =>
        expressions.map((e, i) => ({
          id: `g${i}`,
          subject: { type: 'commitment', id: `g${i}` },
          expression: e,
          values: { projects: 1n },
        })),
      ),
    });
  });

  it('lists only minimal sets, and credits at least the conditions in them', () => {
    fc.assert(
      fc.property(wideArb, (s: Scenario) => {
        const analysis = analyse(buildModel(s));
        const now = currentStatuses(s);
        const opensWith = (g: GateInput, set: readonly string[]) =>
          opensUnder(s, g, { ...now, ...Object.fromEntries(set.map((id) => [id, 'met' as const])) });
        for (const g of blockedGates(s)) {
          const state = analysis.gates.get(g.id)!;
          expect(state.unlockingSets.length).toBeGreaterThan(0);
          for (const set of state.unlockingSets) {
            expect(opensWith(g, set)).toBe(true);
            for (const id of set)
              expect(
                opensWith(
                  g,
                  set.filter((x) => x !== id),
                ),
              ).toBe(false);
          }
          const credited = s.conditions
            .filter((c) => analysis.conditions.get(c.id)!.inUnlockingSetsGateIds.includes(g.id))
            .map((c) => c.id);
          const listed = [...new Set(state.unlockingSets.flat())].sort();
          if (state.unlockingSetsTruncated) expect(credited).toEqual(expect.arrayContaining(listed));
          else expect(credited.sort()).toEqual(listed);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the long pole with OR gates', () => {
  const and = (...args: Expression[]): Expression => ({ op: 'and', args });
  const or = (...args: Expression[]): Expression => ({ op: 'or', args });
  const gate = (id: string, expression: Expression, values: GateInput['values']): GateInput => ({
    id,
    subject: { type: 'commitment', id },
    expression,
    values,
  });

  it('credits both sides of an OR with the 100 trucks a day it blocks, where neither holds them back alone', () => {
    const conditions: ConditionInput[] = [
      { id: 'crossing-open', status: 'unmet', stakeholderIds: ['israel'] },
      { id: 'sea-corridor', status: 'partially_met', stakeholderIds: ['cyprus'] },
    ];
    const gates = [gate('trucks', or('crossing-open', 'sea-corridor'), { aid_trucks_per_day: 100n })];
    const analysis = analyse(buildModel({ conditions, gates }));
    const trucks = analysis.gates.get('trucks')!;
    expect(trucks.heldBackBy).toEqual([]);
    expect(canonical(trucks.unlockingSets)).toEqual([['crossing-open'], ['sea-corridor']]);
    const pole = longPole(analysis, 'aid_trucks_per_day');
    expect(pole.conditions.map((c) => [c.id, c.inUnlockingSets.aid_trucks_per_day, c.heldBack.aid_trucks_per_day])).toEqual([
      ['crossing-open', 100n, 0n],
      ['sea-corridor', 100n, 0n],
    ]);
    expect(pole.stakeholders.map((s) => s.id)).toEqual(['cyprus', 'israel']);
    for (const c of pole.conditions) expect(c.unlocks.aid_trucks_per_day).toBe(100n);
  });

  it('puts the condition needed in every way first, and follows requirements into the sets', () => {
    const conditions: ConditionInput[] = [
      { id: 'mandate', status: 'unmet' },
      { id: 'vetting', status: 'unmet', requires: 'funding' },
      { id: 'funding', status: 'unmet' },
      { id: 'training', status: 'unmet' },
      { id: 'waived', status: 'waived' },
    ];
    const gates = [gate('force', and('mandate', or('vetting', 'training', and('waived', 'funding', 'training'))), { personnel: 8000n })];
    const analysis = analyse(buildModel({ conditions, gates }));
    expect(canonical(analysis.gates.get('force')!.unlockingSets)).toEqual([
      ['mandate', 'training'],
      ['funding', 'mandate', 'vetting'],
    ]);
    const pole = longPole(analysis, 'personnel').conditions;
    expect(pole.map((c) => c.id)).toEqual(['mandate', 'funding', 'training', 'vetting']);
    expect(pole[0].heldBack.personnel).toBe(8000n);
    expect(pole.every((c) => c.inUnlockingSets.personnel === 8000n)).toBe(true);
    expect(analysis.conditions.get('waived')!.inUnlockingSets).toEqual(zeroValues());
  });

  it('keeps at most the limit of sets of a gate with very many ways to open, and says so', () => {
    // (a1 OR b1) AND ... AND (a8 OR b8): 256 minimal sets.
    const pairs = Array.from({ length: 8 }, (_, i) => [`a${i}`, `b${i}`]);
    const conditions: ConditionInput[] = pairs.flat().map((id) => ({ id, status: 'unmet' }));
    const gates = [gate('many', and(...pairs.map(([a, b]) => or(a, b))), { projects: 1n })];
    const state = analyse(buildModel({ conditions, gates })).gates.get('many')!;
    expect(state.unlockingSetsTruncated).toBe(true);
    expect(state.unlockingSets).toHaveLength(64);
    for (const set of state.unlockingSets) {
      expect(set).toHaveLength(8);
      expect(pairs.every((pair) => pair.filter((id) => set.includes(id)).length === 1)).toBe(true);
    }
    expect(new Set(state.unlockingSets.map((set) => set.join())).size).toBe(64);
  });
});
