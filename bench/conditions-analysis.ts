/**
 * The conditions analysis at the scale: 2,000 conditions (some requiring others)
 * and 50,000 gates with AND/OR expressions up to five levels deep. Times the pure engine
 * only, in this process, without a database: building the model, the long-pole ranking
 * (with every blocked gate's minimal unlocking sets counted), spelling out those sets,
 * a what-if, the analysis as of a date and the earliest openings. The issue aims for a
 * ranking under 1 s and a what-if under 200 ms.
 *
 * `runConditionsAnalysisBench()` returns rows for the figures table of `npm run bench`;
 * `npx tsx bench/conditions-analysis.ts` runs it alone and prints them.
 *
 * The data is random but seeded, so every run measures the same graph.
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  type AnalysisModel,
  analyse,
  analyseAsOf,
  buildModel,
  type ConditionInput,
  DIMENSIONS,
  type EvidenceEntry,
  earliestOpenings,
  type GateInput,
  longPole,
  whatIf,
} from '../src/server/modules/conditions/analysis.ts';
import { type ConditionStatus, type Expression, expressionSize } from '../src/server/modules/conditions/expressions.ts';

const CONDITIONS = 2_000;
const GATES = 50_000;
const MAX_DEPTH = 5;
export const STAKEHOLDERS = 60;
const EVIDENCE = 10_000;
const RUNS = 7;
const WHAT_IF_RUNS = 25;

/** mulberry32: a small seeded generator, so the graph is the same on every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  return { next, int, pick };
}

type Random = ReturnType<typeof seeded>;

const STATUS_MIX: ConditionStatus[] = [
  ...Array<ConditionStatus>(7).fill('met'),
  'waived',
  ...Array<ConditionStatus>(7).fill('unmet'),
  ...Array<ConditionStatus>(3).fill('partially_met'),
  'failed',
];

const dateOf = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

/** Squaring skews the choice towards low indexes: a few conditions gate much, as in a real mission. */
const popularCondition = (random: Random, below: number) => `c${Math.floor(random.next() ** 2 * below)}`;

function randomExpression(random: Random, depth: number, leaf: () => string, leafChance: number): Expression {
  if (depth === 0 || random.next() < leafChance) return leaf();
  const args = Array.from({ length: random.int(2, 3) }, () => randomExpression(random, depth - 1, leaf, 0.45));
  return { op: random.next() < 0.6 ? 'and' : 'or', args };
}

/** The scale by default; the database bench passes a tenth of it under BENCH_QUICK. */
export function generateConditionsData(
  seed = 20251117,
  counts: { conditions: number; gates: number } = { conditions: CONDITIONS, gates: GATES },
): { conditions: ConditionInput[]; gates: GateInput[]; evidence: EvidenceEntry[] } {
  const random = seeded(seed);
  const conditions = Array.from({ length: counts.conditions }, (_, i): ConditionInput => {
    // A condition requires only conditions with lower numbers, so requirements form chains but no cycle.
    const requires =
      i > 0 && random.next() < 0.3 ? randomExpression(random, 2, () => `c${random.int(Math.max(0, i - 50), i - 1)}`, 0.3) : null;
    return {
      id: `c${i}`,
      status: random.pick(STATUS_MIX),
      requires,
      targetDate: random.next() < 0.8 ? dateOf(random.int(0, 700)) : null,
      stakeholderIds: Array.from({ length: random.int(1, 3) }, () => `s${random.int(0, STAKEHOLDERS - 1)}`),
    };
  });
  const gates = Array.from({ length: counts.gates }, (_, g): GateInput => {
    const depth = random.int(1, MAX_DEPTH);
    const dimension = random.pick(DIMENSIONS);
    const size = { money_usd: BigInt(random.int(1, 500_000_000)) * 100n, personnel: BigInt(random.int(10, 2000)) };
    return {
      id: `g${g}`,
      subject: { type: 'commitment', id: `commitment-${g}` },
      expression: randomExpression(random, depth, () => popularCondition(random, counts.conditions), 0),
      values: {
        [dimension]: dimension === 'money_usd' || dimension === 'personnel' ? size[dimension] : BigInt(random.int(1, 80)),
      },
    };
  });
  const evidence = Array.from({ length: EVIDENCE }, () => ({
    conditionId: `c${random.int(0, counts.conditions - 1)}`,
    date: dateOf(random.int(-300, 120)),
    status: random.pick(STATUS_MIX),
  }));
  return { conditions, gates, evidence };
}

interface Timing {
  p50: number;
  max: number;
  /** Median CPU time of this process: on a busy machine it shows the work apart from waiting for a core. */
  cpuP50: number;
  runs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Milliseconds of `work` over `runs` runs after one warm-up run. */
function time(work: (run: number) => unknown, runs: number): Timing {
  work(-1);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    work(run);
    const used = process.cpuUsage(startCpu);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  return { p50: median(wall), max: Math.max(...wall), cpuP50: median(cpu), runs };
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n < 10 ? `${n.toFixed(1)} ms` : `${int(n)} ms`);
const timing = (t: Timing) => `p50 ${ms(t.p50)} · max ${ms(t.max)} · CPU p50 ${ms(t.cpuP50)} (${t.runs} runs)`;

/** Sets of unmet conditions to mark met; the first is the condition that holds back the most money. */
function whatIfChoices(model: AnalysisModel, random: Random, count: number): Map<string, ConditionStatus>[] {
  const unmet = model.conditions.filter((c) => c.status !== 'met' && c.status !== 'waived').map((c) => c.id);
  const top = longPole(analyse(model), 'money_usd').conditions[0].id;
  return Array.from({ length: count }, (_, run) => {
    const ids = run === 0 ? [top] : Array.from({ length: 5 }, () => random.pick(unmet));
    return new Map(ids.map((id) => [id, 'met' as const]));
  });
}

export async function runConditionsAnalysisBench(): Promise<{ name: string; value: string }[]> {
  const data = generateConditionsData();
  const rows: { name: string; value: string }[] = [];
  const nodes = data.gates.reduce((sum, g) => sum + expressionSize(g.expression), 0);
  const withRequirements = data.conditions.filter((c) => c.requires).length;

  let model = buildModel(data);
  const analysis = analyse(model);
  const blocked = [...analysis.gates.values()].filter((g) => !g.open);
  const holders = blocked.reduce((sum, g) => sum + g.heldBackBy.length, 0);
  const members = blocked.reduce((sum, g) => sum + g.unlockingSetMembers.length, 0);
  const truncated = blocked.filter((g) => g.unlockingSetsTruncated).length;
  const uncredited = blocked.filter((g) => g.heldBackBy.length === 0).length;
  rows.push({
    name: 'Conditions analysis: machine',
    value: `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the start, Node ${process.versions.node}`,
  });
  rows.push({
    name: 'Conditions analysis: data',
    value:
      `${int(CONDITIONS)} conditions (${int(withRequirements)} with requirements), ${int(GATES)} gates ` +
      `(depth ≤ ${MAX_DEPTH}, ${(nodes / GATES).toFixed(1)} nodes each on average, ${int(blocked.length)} blocked, ` +
      `${(holders / Math.max(1, blocked.length)).toFixed(1)} conditions holding back each blocked gate)`,
  });
  rows.push({
    name: 'Conditions analysis: minimal unlocking sets',
    value:
      `${int(uncredited)} blocked gates held back by no condition alone (an OR), each now credited; ` +
      `${(members / Math.max(1, blocked.length)).toFixed(1)} conditions in the sets of each blocked gate; ` +
      `${int(truncated)} gates with more than 64 sets`,
  });

  rows.push({ name: 'Conditions analysis: check and build the model', value: timing(time(() => (model = buildModel(data)), RUNS)) });
  const ranking = time(() => {
    const result = analyse(model);
    for (const dimension of DIMENSIONS) longPole(result, dimension);
  }, RUNS);
  rows.push({ name: 'Conditions analysis: long-pole ranking, all four dimensions (aim < 1 s)', value: timing(ranking) });
  // What the gate lists pay for: each gate's sets are spelt out when read, not by the ranking.
  const largest = [...analysis.gates.values()]
    .filter((g) => !g.open)
    .sort((a, b) => (b.values.money_usd > a.values.money_usd ? 1 : b.values.money_usd < a.values.money_usd ? -1 : 0))
    .slice(0, 100);
  rows.push({
    name: 'Conditions analysis: minimal unlocking sets of the 100 blocked gates with the most money, spelt out',
    value: timing(time(() => largest.map((g) => g.unlockingSets), RUNS)),
  });
  rows.push({
    name: `Conditions analysis: minimal unlocking sets of all ${int(blocked.length)} blocked gates, spelt out`,
    value: timing(time(() => blocked.map((g) => g.unlockingSets), 3)),
  });

  const choices = whatIfChoices(model, seeded(7), WHAT_IF_RUNS + 1);
  rows.push({
    name: 'Conditions analysis: what-if, the top money condition met (aim < 200 ms)',
    value: timing(time(() => whatIf(model, choices[0]), RUNS)),
  });
  rows.push({
    name: 'Conditions analysis: what-if, 5 random open conditions met (aim < 200 ms)',
    value: timing(time((run) => whatIf(model, choices[1 + Math.max(0, run)]), WHAT_IF_RUNS)),
  });
  rows.push({
    name: `Conditions analysis: as of a date (${int(EVIDENCE)} evidence entries)`,
    value: timing(time(() => analyseAsOf(model, data.evidence, '2026-01-31'), RUNS)),
  });
  rows.push({ name: 'Conditions analysis: earliest opening of every gate', value: timing(time(() => earliestOpenings(model), RUNS)) });
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runConditionsAnalysisBench().then((rows) => {
    console.log('| measurement | figure |\n| --- | --- |');
    for (const row of rows) console.log(`| ${row.name} | ${row.value} |`);
  });
}
