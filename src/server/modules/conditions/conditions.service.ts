/**
 * Domain rules for conditions and commitments: expressions may name only conditions the
 * caller may see, requirements must not form a cycle, and the analysis is built only from
 * the conditions and gated subjects the caller may see.
 */

import { visibilityKey } from '../../http/actor.ts';
import type { Ctx } from '../../http/context.ts';
import { invalid, Problem } from '../../http/problems.ts';
import {
  type Analysis,
  type AnalysisModel,
  addValues,
  analyse,
  buildModel,
  type ConditionInput,
  type ConditionStatus,
  DIMENSIONS,
  type DimensionValues,
  type EvidenceEntry,
  type Expression,
  type GateState,
  longPole,
  statusesAsOf,
  zeroValues,
} from './analysis.ts';
import * as repo from './conditions.repo.ts';
import { describeCycle, expressionConditions, findRequirementCycle } from './expressions.ts';
import { type VisibleGate, visibleGates } from './gates.ts';

/** Money as an exact decimal string of dollars; the other dimensions as integers. */
export function presentValues(values: DimensionValues) {
  const cents = values.money_usd;
  return {
    money_usd: `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`,
    personnel: Number(values.personnel),
    aid_trucks_per_day: Number(values.aid_trucks_per_day),
    projects: Number(values.projects),
  };
}

/** Refuses an expression that names a condition the caller may not see (or that does not exist). */
export async function checkExpression(ctx: Ctx, expression: Expression | null | undefined, pointer: string): Promise<void> {
  if (!expression) return;
  const ids = expressionConditions(expression);
  const visible = await repo.visibleConditionIds(ctx.db, ctx.actor, ids);
  const unknown = ids.filter((id) => !visible.has(id));
  if (unknown.length) throw invalid(unknown.map((id) => ({ pointer, detail: `No such condition: ${id}.` })));
}

export async function checkStakeholders(ctx: Ctx, ids: string[] | undefined, pointer: string): Promise<void> {
  if (!ids?.length) return;
  const visible = await repo.visibleStakeholderIds(ctx.db, ctx.actor, ids);
  const unknown = [...new Set(ids)].filter((id) => !visible.has(id));
  if (unknown.length) throw invalid(unknown.map((id) => ({ pointer, detail: `No such stakeholder: ${id}.` })));
}

/** Refuses requirements that would close a cycle, naming the cycle by condition codes. */
export async function refuseCycle(ctx: Ctx, conditionId: string, requires: Expression | null): Promise<void> {
  const all = await repo.allRequirements(ctx.db);
  const sources = all.map((c) => (c.id === conditionId ? { ...c, requires } : c));
  if (!sources.some((c) => c.id === conditionId)) sources.push({ id: conditionId, code: '', requires });
  const cycle = findRequirementCycle(sources);
  if (!cycle) return;
  const visible = await repo.visibleConditionIds(ctx.db, ctx.actor, cycle);
  const codes = new Map(all.map((c) => [c.id, c.code]));
  const label = (id: string) =>
    visible.has(id) || id === conditionId ? (codes.get(id) ?? 'this condition') : 'a condition you may not see';
  throw new Problem('conditions.cycle', describeCycle(cycle, label), {
    cycle: cycle.map((id) => (visible.has(id) || id === conditionId ? id : null)),
  });
}

// Conditions the caller may not see can still be named by gates and requirements they may
// see. They stand in as one hidden, unmet condition: the gate counts as blocked, and nothing
// about the hidden condition (its id, status or what it holds back) is shown.
const HIDDEN = 'hidden';

function hide(expression: Expression, visible: ReadonlySet<string>): Expression {
  if (typeof expression === 'string') return visible.has(expression) ? expression : HIDDEN;
  return { op: expression.op, args: expression.args.map((arg) => hide(arg, visible)) };
}

export interface VisibleModel {
  model: AnalysisModel;
  conditions: Map<string, repo.Condition>;
  gates: Map<string, VisibleGate>;
  stakeholders: Map<string, repo.Stakeholder>;
}

/** Builds the model from the database: the conditions, gates and stakeholders the caller may see. */
async function readModel(ctx: Ctx): Promise<VisibleModel> {
  // Independent reads: on PostgreSQL they run on separate connections at once.
  const [{ items }, gates, { items: stakeholders }] = await Promise.all([
    repo.listConditions(ctx.db, ctx.actor, {}),
    visibleGates(ctx.db, ctx.actor),
    repo.listStakeholders(ctx.db, ctx.actor, {}),
  ]);
  const visible = new Set(items.map((c) => c.id));
  const inputs: ConditionInput[] = items.map((c) => ({
    id: c.id,
    status: c.status,
    requires: c.requires ? hide(c.requires, visible) : null,
    targetDate: c.targetDate,
    stakeholderIds: c.stakeholderIds,
  }));
  const gateInputs = gates.map((g) => ({ ...g, expression: hide(g.expression, visible) }));
  const usesHidden = [...inputs.map((c) => c.requires), ...gateInputs.map((g) => g.expression)].some(
    (e) => e && expressionConditions(e).includes(HIDDEN),
  );
  if (usesHidden) inputs.push({ id: HIDDEN, status: 'unmet' });
  return {
    model: buildModel({ conditions: inputs, gates: gateInputs }),
    conditions: new Map(items.map((c) => [c.id, c])),
    gates: new Map(gates.map((g) => [g.id, g])),
    stakeholders: new Map(stakeholders.map((s) => [s.id, s])),
  };
}

// --- The model cache
//
// Building the model reads every condition and gated subject the caller may see (seconds at
// tens of thousands of gates), so it is kept between requests. An entry is keyed by the
// analysis generation (a counter that every write to a table the model reads moves, in the
// writing transaction: migration 0005) and by the caller's visibility key: callers with the
// same key see the same records, so they share the model, and no one gets a model built for
// what someone else may see. The generation is read before the model, so an entry never
// holds data older than its key says, whichever process or tool made the last write.
//
// Entries live per database handle: read requests share the database's; a transaction gets
// its own, dropped with it, so a model read inside a transaction that may roll back is never
// shared. The cache holds a few entries, least recently used first out; entries of an older
// generation are dropped as soon as a newer one is seen.

/** How many models one database handle keeps (one per visibility key in use, mostly). */
export const MODEL_CACHE_SIZE = 6;

interface CacheEntry {
  generation: number;
  model: Promise<VisibleModel>;
}

interface ModelCache {
  newest: number;
  entries: Map<string, CacheEntry>;
}

const caches = new WeakMap<object, ModelCache>();

/** What is derived from a model and kept with it: the current analysis, the evidence, the presented analysis. */
interface Derived {
  analysis?: Analysis;
  evidence?: Promise<EvidenceEntry[]>;
  presented?: PresentedAnalysis;
}
const derived = new WeakMap<VisibleModel, Derived>();

function derivedOf(loaded: VisibleModel): Derived {
  let found = derived.get(loaded);
  if (!found) {
    found = {};
    derived.set(loaded, found);
  }
  return found;
}

/**
 * The model of what the caller may see, as of now: from the cache when nothing it depends
 * on has changed since it was built, otherwise built again. Shared between requests:
 * callers must not change it.
 */
export async function loadModel(ctx: Ctx): Promise<VisibleModel> {
  const generation = await repo.analysisGeneration(ctx.db);
  let cache = caches.get(ctx.db);
  if (!cache) {
    cache = { newest: generation, entries: new Map() };
    caches.set(ctx.db, cache);
  }
  if (generation > cache.newest) {
    cache.newest = generation;
    for (const [key, entry] of cache.entries) if (entry.generation < generation) cache.entries.delete(key);
  }
  const key = `${generation}/${visibilityKey(ctx.actor)}`;
  const found = cache.entries.get(key);
  if (found) {
    cache.entries.delete(key);
    cache.entries.set(key, found);
    return found.model;
  }
  const model = readModel(ctx);
  const entries = cache.entries;
  entries.set(key, { generation, model });
  while (entries.size > MODEL_CACHE_SIZE) entries.delete(entries.keys().next().value!);
  // A failed build is not kept: the next request tries again.
  model.catch(() => {
    if (entries.get(key)?.model === model) entries.delete(key);
  });
  return model;
}

/** Statuses as of a date, from the evidence of the conditions the caller may see. */
export async function statusesOn(ctx: Ctx, loaded: VisibleModel, date: string): Promise<Map<string, ConditionStatus>> {
  const kept = derivedOf(loaded);
  // The evidence is read once per model: its table moves the same generation. It is read
  // after the model, so a write in between can add evidence of a condition the model does
  // not have yet: that evidence waits for the next model.
  kept.evidence ??= repo
    .visibleEvidence(ctx.db, ctx.actor)
    .then((rows) => rows.filter((entry) => loaded.model.indexOf.has(entry.conditionId)));
  const evidence = await kept.evidence.catch((error) => {
    kept.evidence = undefined;
    throw error;
  });
  const statuses = statusesAsOf(loaded.model, evidence, date);
  if (loaded.model.indexOf.has(HIDDEN)) statuses.set(HIDDEN, 'unmet');
  return statuses;
}

const withoutHidden = (ids: readonly string[]): string[] => ids.filter((id) => id !== HIDDEN);

/**
 * The analysis as the API answers it: totals, each visible condition's values and gate
 * counts, and the long-pole rankings. Ties in a ranking go by condition code and stakeholder
 * name, so every database ranks the same data the same way. The gates themselves are
 * listed by presentGates, a page at a time.
 */
export function presentAnalysis(loaded: VisibleModel, analysis: Analysis, asOf: string | null) {
  const conditions = [...analysis.conditions.values()]
    .filter((c) => loaded.conditions.has(c.id))
    .map((c) => {
      const row = loaded.conditions.get(c.id)!;
      return {
        id: c.id,
        code: row.code,
        titleEn: row.titleEn,
        titleAr: row.titleAr,
        status: c.status,
        effective: c.effective,
        heldBack: presentValues(c.heldBack),
        heldBackDirectly: presentValues(c.heldBackDirectly),
        inUnlockingSets: presentValues(c.inUnlockingSets),
        unlocks: presentValues(c.unlocks),
        heldBackGateCount: c.heldBackGateIds.length,
        inUnlockingSetsGateCount: c.inUnlockingSetsGateIds.length,
        unlocksGateCount: c.unlocksGateIds.length,
      };
    });
  const keys = {
    conditions: (id: string) => loaded.conditions.get(id)?.code ?? id,
    stakeholders: (id: string) => {
      const row = loaded.stakeholders.get(id);
      return row ? `${row.name}\u0000${row.nameAr}` : id;
    },
  };
  const ranking = Object.fromEntries(
    DIMENSIONS.map((dimension) => {
      const pole = longPole(analysis, dimension, keys);
      return [
        dimension,
        {
          conditions: pole.conditions
            .filter((c) => loaded.conditions.has(c.id))
            .map((c) => {
              const row = loaded.conditions.get(c.id)!;
              return {
                id: c.id,
                code: row.code,
                titleEn: row.titleEn,
                inUnlockingSets: presentValues(c.inUnlockingSets),
                heldBack: presentValues(c.heldBack),
              };
            }),
          stakeholders: pole.stakeholders
            .filter((s) => loaded.stakeholders.has(s.id))
            .map((s) => {
              const row = loaded.stakeholders.get(s.id)!;
              return {
                id: s.id,
                name: row.name,
                nameAr: row.nameAr,
                inUnlockingSets: presentValues(s.inUnlockingSets),
                heldBack: presentValues(s.heldBack),
              };
            }),
        },
      ];
    }),
  );
  let open = 0;
  let truncated = 0;
  for (const gate of analysis.gates.values()) {
    if (gate.open) open++;
    else if (gate.unlockingSetsTruncated) truncated++;
  }
  // A gate that only hidden conditions are in the sets of counts for no one the caller may
  // see: it is shown as blocked by conditions they cannot see, never as held back by nothing.
  let onlyHidden = zeroValues();
  for (const id of analysis.conditions.get(HIDDEN)?.inUnlockingSetsGateIds ?? []) {
    const gate = analysis.gates.get(id)!;
    if (gate.unlockingSetMembers.every((c) => c === HIDDEN)) onlyHidden = addValues(onlyHidden, gate.values);
  }
  return {
    asOf,
    totals: {
      open: presentValues(analysis.open),
      blocked: presentValues(analysis.blocked),
      blockedOnlyByHidden: presentValues(onlyHidden),
    },
    gateCounts: { open, blocked: analysis.gates.size - open, unlockingSetsTruncated: truncated },
    conditions,
    longPole: ranking as Record<(typeof DIMENSIONS)[number], (typeof ranking)[string]>,
  };
}

export type PresentedAnalysis = ReturnType<typeof presentAnalysis>;

/** The model and its analysis under the current statuses, or those of `asOf`. Shared: do not change them. */
export async function analysisFor(ctx: Ctx, asOf?: string): Promise<{ loaded: VisibleModel; analysis: Analysis }> {
  const loaded = await loadModel(ctx);
  if (asOf) return { loaded, analysis: analyse(loaded.model, await statusesOn(ctx, loaded, asOf)) };
  const kept = derivedOf(loaded);
  kept.analysis ??= analyse(loaded.model);
  return { loaded, analysis: kept.analysis };
}

/** The analysis response, kept with the model for the current statuses. */
export async function presentedAnalysisFor(ctx: Ctx, asOf?: string): Promise<PresentedAnalysis> {
  const { loaded, analysis } = await analysisFor(ctx, asOf);
  if (asOf) return presentAnalysis(loaded, analysis, asOf);
  const kept = derivedOf(loaded);
  kept.presented ??= presentAnalysis(loaded, analysis, null);
  return kept.presented;
}

/** One gate as the API shows it; conditions the caller may not see are left out of its lists. */
export function presentGate(loaded: VisibleModel, gate: GateState) {
  const visible = loaded.gates.get(gate.id);
  return {
    id: gate.id,
    subjectType: gate.subject.type,
    subjectId: gate.subject.id,
    label: visible?.label ?? null,
    labelAr: visible?.labelAr ?? null,
    values: presentValues(gate.values),
    open: gate.open,
    heldBackBy: withoutHidden(gate.heldBackBy),
    unlockedBy: withoutHidden(gate.unlockedBy),
    unlockingSets: gate.unlockingSets.map((set) => ({ conditionIds: withoutHidden(set), includesHidden: set.includes(HIDDEN) })),
    unlockingSetsTruncated: gate.unlockingSetsTruncated,
  };
}

/** Largest first in each dimension in turn (money, personnel, aid, projects), then by label and id. */
function byValues(a: { values: DimensionValues; label: string; id: string }, b: { values: DimensionValues; label: string; id: string }) {
  for (const dimension of DIMENSIONS) {
    const diff = b.values[dimension] - a.values[dimension];
    if (diff !== 0n) return diff > 0n ? 1 : -1;
  }
  return a.label < b.label ? -1 : a.label > b.label ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Gates by id, largest first: the page asked for, and how many there are. */
export function gatePage(loaded: VisibleModel, analysis: Analysis, ids: readonly string[], page: number, pageSize: number) {
  const rows = ids.map((id) => ({ id, values: analysis.gates.get(id)!.values, label: loaded.gates.get(id)?.label ?? '' }));
  rows.sort(byValues);
  const start = (page - 1) * pageSize;
  return {
    items: rows.slice(start, start + pageSize).map((row) => presentGate(loaded, analysis.gates.get(row.id)!)),
    total: rows.length,
    page,
    pageSize,
  };
}

/** The gates a what-if opens or closes: how many, and the largest `limit` of them with their labels. */
export function presentGateList(loaded: VisibleModel, ids: readonly string[], limit: number) {
  const rows = ids.map((id) => {
    const gate = loaded.gates.get(id)!;
    return { id, values: { ...zeroValues(), ...gate.values }, label: gate.label ?? '', gate };
  });
  rows.sort(byValues);
  return {
    count: rows.length,
    gates: rows.slice(0, limit).map(({ gate }) => ({
      id: gate.id,
      subjectType: gate.subject.type,
      subjectId: gate.subject.id,
      label: gate.label ?? null,
      labelAr: gate.labelAr ?? null,
      values: presentValues({ ...zeroValues(), ...gate.values }),
    })),
  };
}
