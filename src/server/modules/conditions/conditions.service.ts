/**
 * Domain rules for conditions: who may change them is in conditions.policy.ts; expressions
 * may name only conditions the caller may see, and show the others as "hidden"
 * (hidden-conditions.ts); requirements must not form a cycle; and the analysis is built
 * only from the conditions and gated subjects the caller may see.
 */

import type { z } from 'zod';
import { usdOf } from '../../../shared/money.ts';
import { actorLabel } from '../../http/actor.ts';
import type { Ctx } from '../../http/context.ts';
import { invalid, Problem } from '../../http/problems.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import {
  type Analysis,
  addValues,
  analyse,
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
import { recordOwner, requireMayChangeCondition, requireMayRecordEvidence } from './conditions.policy.ts';
import * as repo from './conditions.repo.ts';
import type * as s from './conditions.schema.ts';
import { describeCycle, findRequirementCycle } from './expressions.ts';
import { expressionMasker, expressionToStore } from './hidden-conditions.ts';
import { isStandIn, type VisibleModel } from './model-cache.ts';

/** Money as an exact decimal string of dollars; the other dimensions as integers. */
export function presentValues(values: DimensionValues) {
  return {
    money_usd: usdOf(values.money_usd),
    personnel: Number(values.personnel),
    aid_trucks_per_day: Number(values.aid_trucks_per_day),
    projects: Number(values.projects),
  };
}

// --- Conditions and evidence -------------------------------------------------------------

/** Conditions as their reader may see them: requirements they may not see are "hidden". */
export async function presentConditions<T extends repo.Condition>(ctx: Ctx, rows: T[]): Promise<T[]> {
  const mask = await expressionMasker(
    ctx.db,
    ctx.actor,
    rows.map((row) => row.requires),
  );
  return rows.map((row) => ({ ...row, requires: mask(row.requires) }));
}

/** A condition the caller may see, as stored (its requirements unmasked), or 404. */
export async function visibleCondition(ctx: Ctx, id: string): Promise<repo.Condition> {
  return (await repo.getCondition(ctx.db, ctx.actor, id)) ?? Promise.reject(await notFoundOrHidden(ctx.db, 'conditions', id, 'condition'));
}

export async function createCondition(ctx: Ctx, body: z.output<typeof s.conditionCreate>) {
  const actor = ctx.requireActor();
  const ownerOrgId = recordOwner(actor, 'Conditions');
  const requires = (await expressionToStore(ctx.db, actor, body.requires, null, '/requires')) ?? null;
  await checkStakeholders(ctx, body.stakeholderIds, '/stakeholderIds');
  // A new condition cannot close a cycle: nothing requires it yet.
  const id = await repo.insertCondition(ctx.db, { ...body, requires, ownerOrgId });
  const created = (await repo.getCondition(ctx.db, actor, id))!;
  ctx.auditDetails({ after: created });
  return (await presentConditions(ctx, [created]))[0];
}

export async function updateCondition(ctx: Ctx, id: string, body: z.output<typeof s.conditionUpdate>) {
  const actor = ctx.requireActor();
  const before = await visibleCondition(ctx, id);
  requireMayChangeCondition(actor, before);
  const requires = await expressionToStore(ctx.db, actor, body.requires, before.requires, '/requires');
  await checkStakeholders(ctx, body.stakeholderIds, '/stakeholderIds');
  if (requires !== undefined) await refuseCycle(ctx, before.id, requires);
  await repo.updateCondition(ctx.db, before.id, { ...body, ...(requires !== undefined ? { requires } : {}) });
  const after = (await repo.getCondition(ctx.db, actor, before.id))!;
  ctx.auditDetails({ before, after });
  return (await presentConditions(ctx, [after]))[0];
}

export async function recordEvidence(ctx: Ctx, id: string, body: z.output<typeof s.evidenceCreate>) {
  const actor = ctx.requireActor();
  const before = await visibleCondition(ctx, id);
  requireMayRecordEvidence(actor, before);
  const created = await repo.insertEvidence(ctx.db, before.id, body, actorLabel(actor));
  const after = (await repo.getCondition(ctx.db, actor, before.id))!;
  ctx.auditDetails({ entityId: before.id, before: { status: before.status }, after: { evidence: created, status: after.status } });
  return created;
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

/** What is derived from a model and kept with it: the current analysis, the evidence, the presented analysis. */
interface Derived {
  analysis?: Analysis;
  evidence?: Promise<EvidenceEntry[]>;
  presented?: PresentedAnalysis;
  /** The presented analysis as the response writes it: at 50,000 gates, writing it cost more than the rest. */
  written?: string;
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

/** The model of what the caller may see, as of now (model-cache.ts). Shared between requests: callers must not change it. */
export function loadModel(ctx: Ctx): Promise<VisibleModel> {
  return ctx.gates.model();
}

/** Statuses as of a date, from the evidence of the conditions the caller may see. */
export async function statusesOn(ctx: Ctx, loaded: VisibleModel, date: string): Promise<Map<string, ConditionStatus>> {
  const kept = derivedOf(loaded);
  // The evidence is read once per model: a write to it is a change, which makes a new model.
  // It is read after the model, so a write in between can add evidence of a condition the
  // model does not have yet: that evidence waits for the next model.
  kept.evidence ??= repo
    .visibleEvidence(ctx.db, ctx.actor)
    .then((rows) => rows.filter((entry) => loaded.model.indexOf.has(entry.conditionId)));
  const evidence = await kept.evidence.catch((error) => {
    kept.evidence = undefined;
    throw error;
  });
  const statuses = statusesAsOf(loaded.model, evidence, date);
  // Stand-ins of hidden conditions keep their current status: their evidence is not the caller's to read.
  for (const condition of loaded.model.conditions) if (isStandIn(condition.id)) statuses.set(condition.id, condition.status);
  return statuses;
}

const withoutHidden = (ids: readonly string[]): string[] => ids.filter((id) => !isStandIn(id));

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
  for (const gate of analysis.gates.values()) {
    const members = gate.open ? [] : gate.unlockingSetMembers;
    if (members.length && members.every(isStandIn)) onlyHidden = addValues(onlyHidden, gate.values);
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

/** The current analysis response as `write` writes it, kept with the model. */
export async function writtenAnalysisFor(ctx: Ctx, write: (presented: PresentedAnalysis) => string): Promise<string> {
  const presented = await presentedAnalysisFor(ctx);
  const kept = derivedOf(await loadModel(ctx));
  if (kept.presented === presented) kept.written ??= write(presented);
  return kept.written ?? write(presented);
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
    unlockingSets: gate.unlockingSets.map((set) => ({ conditionIds: withoutHidden(set), includesHidden: set.some(isStandIn) })),
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

/** Every gate of an analysis, largest first: kept with the analysis, which is kept with its model. */
const sortedGates = new WeakMap<Analysis, string[]>();

/** These gate ids, largest first (see byValues). */
export function largestFirst(loaded: VisibleModel, analysis: Analysis, ids: readonly string[]): string[] {
  let all = sortedGates.get(analysis);
  if (!all) {
    const rows = [...analysis.gates.keys()].map((id) => ({
      id,
      values: analysis.gates.get(id)!.values,
      label: loaded.gates.get(id)?.label ?? '',
    }));
    all = rows.sort(byValues).map((row) => row.id);
    sortedGates.set(analysis, all);
  }
  if (ids.length === all.length) return all;
  const wanted = new Set(ids);
  return all.filter((id) => wanted.has(id));
}

/** Gates by id, largest first: the page asked for, and how many there are. */
export function gatePage(loaded: VisibleModel, analysis: Analysis, ids: readonly string[], page: number, pageSize: number) {
  const sorted = largestFirst(loaded, analysis, ids);
  const start = (page - 1) * pageSize;
  return {
    items: sorted.slice(start, start + pageSize).map((id) => presentGate(loaded, analysis.gates.get(id)!)),
    total: sorted.length,
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
