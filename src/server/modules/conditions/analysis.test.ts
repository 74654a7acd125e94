import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  analyse,
  analyseAsOf,
  buildModel,
  type ConditionInput,
  type EarliestOpening,
  type EvidenceEntry,
  earliestOpenings,
  type GateInput,
  longPole,
  statusesAsOf,
  whatIf,
  zeroValues,
} from './analysis.ts';
import {
  bruteHolds,
  bruteUnlocks,
  currentStatuses,
  DATES,
  effectiveUnder,
  leavesOf,
  opensUnder,
  type Scenario,
  type Statuses,
  scenarioArb,
  sumValues,
  trueStatus,
  valuesArb,
} from './brute-force.ts';
import {
  CONDITION_STATUSES,
  ConditionGraphError,
  type ConditionStatus,
  type Expression,
  expressionSchema,
  findRequirementCycle,
  formatExpression,
  withGateValues,
} from './expressions.ts';

function bruteEarliest(s: Scenario, gate: GateInput): EarliestOpening {
  const now = currentStatuses(s);
  // At a moment, every condition still open is met if its target date has come; at
  // "undated", every condition that has not failed is.
  const at = (moment: string | 'undated'): Statuses =>
    Object.fromEntries(
      s.conditions.map((c) => {
        if (trueStatus(c.status) || c.status === 'failed') return [c.id, c.status];
        const comes = moment === 'undated' || (c.targetDate != null && c.targetDate <= moment);
        return [c.id, comes ? 'met' : c.status];
      }),
    );
  if (opensUnder(s, gate, now)) return { kind: 'open' };
  const dates = [...new Set(s.conditions.flatMap((c) => (c.targetDate ? [c.targetDate] : [])))].sort();
  for (const date of dates) if (opensUnder(s, gate, at(date))) return { kind: 'expected', date };
  return opensUnder(s, gate, at('undated')) ? { kind: 'unknown' } : { kind: 'never' };
}

const RUNS = { numRuns: 300 };
const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();

describe('analysis against brute force on random small graphs', () => {
  it('evaluates gates and conditions over effective truth, requirements included', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const analysis = analyse(buildModel(s));
        const effective = effectiveUnder(s, currentStatuses(s));
        for (const c of s.conditions) expect(analysis.conditions.get(c.id)!.effective).toBe(effective(c.id));
        for (const g of s.gates) expect(analysis.gates.get(g.id)!.open).toBe(opensUnder(s, g, currentStatuses(s)));
        const blocked = s.gates.filter((g) => !opensUnder(s, g, currentStatuses(s)));
        expect(analysis.blocked).toEqual(sumValues(blocked));
        expect(analysis.open).toEqual(sumValues(s.gates.filter((g) => !blocked.includes(g))));
      }),
      RUNS,
    );
  });

  it('finds what each condition holds back, directly and through requirements', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const analysis = analyse(buildModel(s));
        for (const c of s.conditions) {
          const held = s.gates.filter((g) => bruteHolds(s, g, c));
          const impact = analysis.conditions.get(c.id)!;
          expect(impact.heldBackGateIds.sort()).toEqual(ids(held));
          expect(impact.heldBack).toEqual(sumValues(held));
          expect(impact.heldBackDirectly).toEqual(sumValues(held.filter((g) => leavesOf(g.expression).includes(c.id))));
        }
        for (const g of s.gates) {
          expect([...analysis.gates.get(g.id)!.heldBackBy].sort()).toEqual(ids(s.conditions.filter((c) => bruteHolds(s, g, c))));
        }
      }),
      RUNS,
    );
  });

  it('finds what marking each condition met alone unlocks', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const analysis = analyse(buildModel(s));
        for (const c of s.conditions) {
          const unlocked = s.gates.filter((g) => bruteUnlocks(s, g, c));
          expect(analysis.conditions.get(c.id)!.unlocksGateIds.sort()).toEqual(ids(unlocked));
          expect(analysis.conditions.get(c.id)!.unlocks).toEqual(sumValues(unlocked));
        }
        for (const g of s.gates) {
          expect([...analysis.gates.get(g.id)!.unlockedBy].sort()).toEqual(ids(s.conditions.filter((c) => bruteUnlocks(s, g, c))));
        }
      }),
      RUNS,
    );
  });

  it('counts each gate once per stakeholder', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const analysis = analyse(buildModel(s));
        for (const stakeholder of ['s1', 's2', 's3']) {
          const theirs = s.conditions.filter((c) => c.stakeholderIds?.includes(stakeholder));
          const held = s.gates.filter((g) => theirs.some((c) => bruteHolds(s, g, c)));
          const impact = analysis.stakeholders.get(stakeholder);
          if (!theirs.length) expect(impact).toBeUndefined();
          else expect([impact!.heldBack, impact!.heldBackGateIds.sort()]).toEqual([sumValues(held), ids(held)]);
        }
      }),
      RUNS,
    );
  });

  it('answers what-if without changing the model', () => {
    const hypotheticalArb = (s: Scenario) =>
      fc
        .subarray(s.conditions)
        .chain((chosen) => fc.tuple(...chosen.map((c) => fc.tuple(fc.constant(c.id), fc.constantFrom(...CONDITION_STATUSES)))));
    fc.assert(
      fc.property(
        scenarioArb.chain((s) => fc.tuple(fc.constant(s), hypotheticalArb(s))),
        ([s, changes]) => {
          const model = buildModel(s);
          const before = JSON.stringify(analyse(model), (_, v) => (typeof v === 'bigint' ? `${v}` : v instanceof Map ? [...v] : v));
          const result = whatIf(model, new Map(changes));
          const now = currentStatuses(s);
          const then = { ...now, ...Object.fromEntries(changes) };
          const opened = s.gates.filter((g) => !opensUnder(s, g, now) && opensUnder(s, g, then));
          const closed = s.gates.filter((g) => opensUnder(s, g, now) && !opensUnder(s, g, then));
          expect(result.openedGateIds.sort()).toEqual(ids(opened));
          expect(result.closedGateIds.sort()).toEqual(ids(closed));
          expect([result.gained, result.lost]).toEqual([sumValues(opened), sumValues(closed)]);
          const [wasTrue, isTrue] = [effectiveUnder(s, now), effectiveUnder(s, then)];
          expect(result.nowEffective.sort()).toEqual(ids(s.conditions.filter((c) => !wasTrue(c.id) && isTrue(c.id))));
          expect(result.noLongerEffective.sort()).toEqual(ids(s.conditions.filter((c) => wasTrue(c.id) && !isTrue(c.id))));
          expect(JSON.stringify(analyse(model), (_, v) => (typeof v === 'bigint' ? `${v}` : v instanceof Map ? [...v] : v))).toBe(before);
        },
      ),
      RUNS,
    );
  });

  it('gives the earliest date each gate could open', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const earliest = earliestOpenings(buildModel(s)).gates;
        for (const g of s.gates) expect(earliest.get(g.id)).toEqual(bruteEarliest(s, g));
      }),
      RUNS,
    );
  });

  it('resolves statuses as of a date from the evidence log', () => {
    const evidenceArb = fc.array(
      fc.record({
        conditionId: fc.constantFrom('a', 'b', 'c'),
        date: fc.constantFrom(...DATES),
        status: fc.constantFrom(...CONDITION_STATUSES),
      }),
      { maxLength: 12 },
    );
    const model = buildModel({ conditions: ['a', 'b', 'c'].map((id) => ({ id, status: 'met' as const })), gates: [] });
    fc.assert(
      fc.property(evidenceArb, fc.constantFrom('2025-12-31', ...DATES), (evidence, date) => {
        const resolved = statusesAsOf(model, evidence, date);
        for (const id of ['a', 'b', 'c']) {
          const applicable = evidence.filter((e) => e.conditionId === id && e.date <= date);
          // The last of the latest-dated entries, the input order deciding between equal dates.
          const latest = applicable
            .filter(
              (e) =>
                e.date ===
                applicable
                  .map((x) => x.date)
                  .sort()
                  .at(-1),
            )
            .at(-1);
          expect(resolved.get(id)).toBe(latest?.status ?? 'unmet');
        }
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------
// Worked examples
// ---------------------------------------------------------------------------------------

const usd = (dollars: number) => BigInt(dollars) * 100n;
const and = (...args: Expression[]): Expression => ({ op: 'and', args });
const or = (...args: Expression[]): Expression => ({ op: 'or', args });
const gate = (id: string, expression: Expression, values: GateInput['values']): GateInput => ({
  id,
  subject: { type: 'commitment', id },
  expression,
  values,
});

describe('the long pole', () => {
  // Illustrative, after public reporting: the force waits on the mandate and Israel's
  // agreement, which Israel ties to the hostages; the US pledge waits on Congress and a
  // two-state commitment; regional money waits on two-state guarantees.
  const conditions: ConditionInput[] = [
    { id: 'mandate', status: 'met', stakeholderIds: ['unsc'] },
    { id: 'hostages', status: 'partially_met', stakeholderIds: ['hamas'] },
    { id: 'israel-agrees', status: 'unmet', requires: 'hostages', stakeholderIds: ['israel'] },
    { id: 'two-state', status: 'unmet', stakeholderIds: ['israel', 'us'] },
    { id: 'congress', status: 'unmet', stakeholderIds: ['us'] },
  ];
  const gates = [
    gate('indonesia-troops', and('mandate', 'israel-agrees'), { personnel: 8000n }),
    gate('us-pledge', and('congress', 'two-state'), { money_usd: usd(10_000_000_000) }),
    gate('regional-pledges', and('two-state', 'israel-agrees'), { money_usd: usd(7_000_000_000), projects: 3n }),
  ];
  const analysis = analyse(buildModel({ conditions, gates }));

  it('ranks conditions by what they hold back, through requirements', () => {
    const money = longPole(analysis, 'money_usd').conditions.map((c) => [c.id, c.heldBack.money_usd]);
    expect(money).toEqual([
      ['two-state', usd(17_000_000_000)],
      ['congress', usd(10_000_000_000)],
      ['hostages', usd(7_000_000_000)],
      ['israel-agrees', usd(7_000_000_000)],
    ]);
    const hostages = analysis.conditions.get('hostages')!;
    expect(hostages.heldBack.personnel).toBe(8000n);
    expect(hostages.heldBackDirectly).toEqual(zeroValues());
    expect(longPole(analysis, 'personnel').conditions.map((c) => c.id)).toEqual(['hostages', 'israel-agrees']);
  });

  it('breaks ties by the keys it is given (a code, a name), not by id', () => {
    // hostages and israel-agrees both hold back $7bn; so do israel and us for $17bn.
    const codes = new Map([
      ['hostages', 'z-hostages'],
      ['israel-agrees', 'a-israel'],
    ]);
    const names = new Map([
      ['israel', 'Israel'],
      ['us', 'United States'],
      ['hamas', 'Hamas'],
    ]);
    const keys = { conditions: (id: string) => codes.get(id) ?? id, stakeholders: (id: string) => names.get(id) ?? id };
    expect(longPole(analysis, 'money_usd', keys).conditions.map((c) => c.id)).toEqual([
      'two-state',
      'congress',
      'israel-agrees',
      'hostages',
    ]);
    names.set('israel', 'Zion');
    expect(longPole(analysis, 'money_usd', keys).stakeholders.map((s) => s.id)).toEqual(['us', 'israel', 'hamas']);
  });

  it('counts a gate once for a stakeholder who holds it back through several conditions', () => {
    // Israel must act on both two-state and israel-agrees, which both hold the regional pledges.
    const ranking = longPole(analysis, 'money_usd').stakeholders.map((s) => [s.id, s.heldBack.money_usd]);
    expect(ranking).toEqual([
      ['israel', usd(17_000_000_000)],
      ['us', usd(17_000_000_000)],
      ['hamas', usd(7_000_000_000)],
    ]);
    expect(analysis.stakeholders.get('israel')!.heldBackGateIds).toEqual(['indonesia-troops', 'us-pledge', 'regional-pledges']);
    expect(analysis.stakeholders.get('israel')!.heldBack.personnel).toBe(8000n);
    expect(analysis.stakeholders.get('unsc')!.heldBack).toEqual(zeroValues());
  });

  it('shows what one condition unlocks, with its requirements still applying', () => {
    expect(analysis.conditions.get('israel-agrees')!.unlocksGateIds).toEqual([]);
    expect(analysis.conditions.get('two-state')!.unlocksGateIds).toEqual([]);
    const after = whatIf(buildModel({ conditions, gates }), new Map([['hostages', 'met']]));
    expect(after.openedGateIds).toEqual([]);
    expect(after.nowEffective).toEqual(['hostages']);
    const both = whatIf(
      buildModel({ conditions, gates }),
      new Map([
        ['hostages', 'met'],
        ['israel-agrees', 'met'],
      ]),
    );
    expect(both.openedGateIds).toEqual(['indonesia-troops']);
    expect(both.gained).toEqual({ ...zeroValues(), personnel: 8000n });
  });

  it('is the same analysis over the statuses of an earlier date', () => {
    const evidence: EvidenceEntry[] = [
      { conditionId: 'mandate', date: '2025-11-17', status: 'met' },
      { conditionId: 'hostages', date: '2025-10-13', status: 'partially_met' },
    ];
    const before = analyseAsOf(buildModel({ conditions, gates }), evidence, '2025-11-16');
    expect(before.conditions.get('mandate')!.status).toBe('unmet');
    expect(before.conditions.get('mandate')!.heldBackGateIds).toEqual(['indonesia-troops']);
    expect(before.conditions.get('hostages')!.status).toBe('partially_met');
  });
});

describe('exact sums', () => {
  const conditions: ConditionInput[] = [{ id: 'a', status: 'unmet' }];
  const heldBack = (...money: bigint[]) =>
    analyse(buildModel({ conditions, gates: money.map((m, i) => gate(`g${i}`, 'a', { money_usd: m })) })).conditions.get('a')!.heldBack
      .money_usd;

  it('stay exact up to 2^53 and beyond it', () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    expect(heldBack(2n ** 52n, 2n ** 52n - 1n)).toBe(max);
    expect(heldBack(2n ** 52n + 1n, 2n ** 52n + 1n, 1n)).toBe(2n ** 53n + 3n);
    expect(heldBack(10n ** 30n + 7n, 3n)).toBe(10n ** 30n + 10n);
  });
});

describe('statuses as of a date', () => {
  const model = buildModel({
    conditions: [
      { id: 'a', status: 'met' },
      { id: 'b', status: 'met' },
    ],
    gates: [],
  });
  const evidence: EvidenceEntry[] = [
    { conditionId: 'a', date: '2026-02-01', status: 'partially_met' },
    { conditionId: 'a', date: '2026-01-01', status: 'unmet' },
    { conditionId: 'a', date: '2026-03-01', status: 'met' },
    { conditionId: 'a', date: '2026-03-01', status: 'failed' },
  ];

  it('takes the latest evidence on or before the date, unmet before any', () => {
    expect(statusesAsOf(model, evidence, '2025-12-31')).toEqual(
      new Map([
        ['a', 'unmet'],
        ['b', 'unmet'],
      ]),
    );
    expect(statusesAsOf(model, evidence, '2026-02-01').get('a')).toBe('partially_met');
    expect(statusesAsOf(model, evidence, '2026-02-28').get('a')).toBe('partially_met');
  });

  it('lets the later-recorded entry win on the same date', () => {
    expect(statusesAsOf(model, evidence, '2026-03-01').get('a')).toBe('failed');
  });

  it('refuses dates that are not calendar dates and evidence for unknown conditions', () => {
    expect(() => statusesAsOf(model, evidence, '2026-02-30')).toThrow(/not a calendar date/);
    expect(() => statusesAsOf(model, evidence, '1 March 2026')).toThrow(ConditionGraphError);
    expect(() => statusesAsOf(model, [{ conditionId: 'z', date: '2026-01-01', status: 'met' }], '2026-03-01')).toThrow(
      /unknown condition "z"/,
    );
  });
});

describe('earliest opening', () => {
  const conditions: ConditionInput[] = [
    { id: 'met', status: 'met' },
    { id: 'march', status: 'unmet', targetDate: '2026-03-01' },
    { id: 'june', status: 'partially_met', targetDate: '2026-06-30' },
    { id: 'undated', status: 'unmet' },
    { id: 'failed', status: 'failed', targetDate: '2026-01-01' },
    { id: 'needs-june', status: 'unmet', targetDate: '2026-02-01', requires: 'june' },
  ];
  const gates = [
    gate('already', and('met', or('met', 'failed')), {}),
    gate('latest-of-and', and('met', 'march', 'june'), {}),
    gate('earliest-of-or', or('june', 'march', 'undated'), {}),
    gate('waits-on-requirement', 'needs-june', {}),
    gate('undated', and('march', 'undated'), {}),
    gate('never', and('march', 'failed'), {}),
    gate('failed-but-alternative', or('failed', 'undated'), {}),
  ];

  it('takes the latest date under AND and the earliest under OR', () => {
    const earliest = earliestOpenings(buildModel({ conditions, gates })).gates;
    expect(Object.fromEntries(earliest)).toEqual({
      already: { kind: 'open' },
      'latest-of-and': { kind: 'expected', date: '2026-06-30' },
      'earliest-of-or': { kind: 'expected', date: '2026-03-01' },
      'waits-on-requirement': { kind: 'expected', date: '2026-06-30' },
      undated: { kind: 'unknown' },
      never: { kind: 'never' },
      'failed-but-alternative': { kind: 'unknown' },
    });
  });

  it('treats a waived condition as open and a hypothetical failure as never', () => {
    const model = buildModel({ conditions, gates });
    const waived = earliestOpenings(model, new Map([['failed', 'waived']])).gates;
    expect(waived.get('never')).toEqual({ kind: 'expected', date: '2026-03-01' });
    expect(earliestOpenings(model, new Map([['june', 'failed']])).conditions.get('needs-june')).toEqual({ kind: 'never' });
  });
});

describe('building the model', () => {
  const build =
    (conditions: ConditionInput[], gates: GateInput[] = []) =>
    () =>
      buildModel({ conditions, gates });
  const errorOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error as ConditionGraphError;
    }
    throw new Error('expected a ConditionGraphError');
  };

  it('refuses a requirement cycle and names it from a condition back to itself', () => {
    const error = errorOf(
      build([
        { id: 'lead-in', status: 'unmet', requires: 'a' },
        { id: 'a', status: 'unmet', requires: or('x', 'b') },
        { id: 'b', status: 'met', requires: and('x', 'c') },
        { id: 'c', status: 'unmet', requires: 'a' },
        { id: 'x', status: 'met' },
      ]),
    );
    expect(error).toBeInstanceOf(ConditionGraphError);
    expect(error.code).toBe('requirement-cycle');
    expect(error.cycle).toEqual(['a', 'b', 'c', 'a']);
    expect(error.message).toBe('Condition requirements would form a cycle: a → b → c → a.');
  });

  it('finds a condition that requires itself, and no cycle in a diamond', () => {
    expect(findRequirementCycle([{ id: 'a', requires: and('b', 'a') }, { id: 'b' }])).toEqual(['a', 'a']);
    const diamond = [
      { id: 'top', requires: and('left', 'right') },
      { id: 'left', requires: 'base' },
      { id: 'right', requires: 'base' },
      { id: 'base' },
    ];
    expect(findRequirementCycle(diamond)).toBeNull();
  });

  it('refuses unknown conditions, duplicates, empty operators, negative values and bad dates', () => {
    expect(errorOf(build([{ id: 'a', status: 'unmet' }], [gate('g', and('a', 'nope'), {})])).message).toBe(
      'Gate "g" names an unknown condition "nope".',
    );
    expect(errorOf(build([{ id: 'a', status: 'unmet', requires: 'nope' }])).code).toBe('unknown-condition');
    expect(
      errorOf(
        build([
          { id: 'a', status: 'unmet' },
          { id: 'a', status: 'met' },
        ]),
      ).code,
    ).toBe('duplicate-id');
    expect(errorOf(build([{ id: 'a', status: 'unmet' }], [gate('g', 'a', {}), gate('g', 'a', {})])).code).toBe('duplicate-id');
    expect(errorOf(build([{ id: 'a', status: 'unmet' }], [gate('g', or(), {})])).message).toBe('Gate "g" has an empty OR.');
    expect(errorOf(build([{ id: 'a', status: 'done' as ConditionStatus }])).code).toBe('invalid-status');
    expect(errorOf(build([{ id: 'a', status: 'unmet' }], [gate('g', 'a', { personnel: -1n })])).code).toBe('invalid-value');
    expect(errorOf(build([{ id: 'a', status: 'unmet', targetDate: '2026-13-01' }])).code).toBe('invalid-date');
  });

  it('refuses what-if statuses for unknown conditions and unknown statuses', () => {
    const model = buildModel({ conditions: [{ id: 'a', status: 'unmet' }], gates: [] });
    expect(() => whatIf(model, new Map([['b', 'met']]))).toThrow(/No condition "b"/);
    expect(() => whatIf(model, new Map([['a', 'Met' as ConditionStatus]]))).toThrow(/no status "Met"/);
  });
});

describe('the expression schema', () => {
  const nested = (depth: number): Expression => (depth === 0 ? 'c' : and(nested(depth - 1), 'd'));
  const messages = (value: unknown) => expressionSchema.safeParse(value).error?.issues.map((i) => i.message);

  it('accepts condition ids and AND/OR nodes up to the limits', () => {
    expect(expressionSchema.parse(nested(6))).toEqual(nested(6));
    expect(formatExpression(and('a', or('b', 'c')))).toBe('a AND (b OR c)');
  });

  it('refuses deeper nesting, too many terms and malformed nodes with a message that says where', () => {
    expect(messages(nested(7))).toEqual([
      '/args/0/args/0/args/0/args/0/args/0/args/0: AND/OR may nest at most 6 levels; expected a condition id here.',
    ]);
    expect(messages(or(...Array.from({ length: 200 }, (_, i) => `c${i}`)))).toEqual([
      'An expression may have at most 200 terms and operators.',
    ]);
    expect(messages(and('a', { op: 'xor', args: ['b'] } as unknown as Expression))).toEqual([
      '/args/1/op: Invalid option: expected one of "and"|"or"',
    ]);
    // A failed check (not a wrong type) comes through the union as it is, with its own path.
    expect(expressionSchema.safeParse(or()).error?.issues).toMatchObject([
      { path: ['args'], message: 'Too small: expected array to have >=1 items' },
    ]);
    expect(messages('')).toEqual(['Too small: expected string to have >=1 characters']);
    expect(messages(42)).toEqual(['Expected a condition id or { "op": "and" | "or", "args": [...] }.']);
    expect(expressionSchema.safeParse({ op: 'and', args: ['a'], extra: 1 }).success).toBe(false);
  });

  it('can be written as JSON Schema for the OpenAPI document, nested to the limit', () => {
    let schema = z.toJSONSchema(expressionSchema, { io: 'input' }) as { anyOf?: { properties?: { args: { items: unknown } } }[] };
    let levels = 0;
    while (schema.anyOf) {
      levels++;
      schema = schema.anyOf[1].properties!.args.items as typeof schema;
    }
    expect(levels).toBe(6);
  });
});

describe('a model with new gate values', () => {
  it('analyses as the model built anew with those values', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) => fc.tuple(fc.constant(s), fc.array(fc.tuple(fc.nat(), valuesArb), { maxLength: 4 }))),
        ([s, changes]) => {
          const values = new Map(changes.filter(() => s.gates.length).map(([i, v]) => [s.gates[i % s.gates.length].id, v]));
          const patched = withGateValues(buildModel(s), values);
          const rebuilt = buildModel({ ...s, gates: s.gates.map((g) => ({ ...g, values: values.get(g.id) ?? g.values })) });
          expect(patched.sumsFitNumbers).toBe(rebuilt.sumsFitNumbers);
          const [a, b] = [analyse(patched), analyse(rebuilt)];
          expect([a.open, a.blocked]).toEqual([b.open, b.blocked]);
          for (const c of s.conditions) {
            const [x, y] = [a.conditions.get(c.id)!, b.conditions.get(c.id)!];
            expect([x.heldBack, x.inUnlockingSets, x.unlocks]).toEqual([y.heldBack, y.inUnlockingSets, y.unlocks]);
          }
        },
      ),
      RUNS,
    );
  });
});
