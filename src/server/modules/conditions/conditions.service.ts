/**
 * Domain rules for conditions and commitments: expressions may name only conditions the
 * caller may see, requirements must not form a cycle, and the analysis is built only from
 * the conditions and gated subjects the caller may see.
 */
import type { Ctx } from '../../http/context.ts';
import { invalid, Problem } from '../../http/problems.ts';
import {
  type Analysis,
  type AnalysisModel,
  analyse,
  buildModel,
  type ConditionInput,
  type ConditionStatus,
  DIMENSIONS,
  type DimensionValues,
  type Expression,
  longPole,
  statusesAsOf,
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

export async function loadModel(ctx: Ctx): Promise<VisibleModel> {
  const { items } = await repo.listConditions(ctx.db, ctx.actor, {});
  const visible = new Set(items.map((c) => c.id));
  const gates = await visibleGates(ctx.db, ctx.actor);
  const stakeholders = (await repo.listStakeholders(ctx.db, ctx.actor, {})).items;
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

/** Statuses as of a date, from the evidence of the conditions the caller may see. */
export async function statusesOn(ctx: Ctx, loaded: VisibleModel, date: string): Promise<Map<string, ConditionStatus>> {
  const evidence = await repo.visibleEvidence(ctx.db, ctx.actor);
  const statuses = statusesAsOf(loaded.model, evidence, date);
  if (loaded.model.indexOf.has(HIDDEN)) statuses.set(HIDDEN, 'unmet');
  return statuses;
}

export function presentAnalysis(loaded: VisibleModel, analysis: Analysis, asOf: string | null) {
  const withoutHidden = (ids: readonly string[]) => ids.filter((id) => id !== HIDDEN);
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
        unlocks: presentValues(c.unlocks),
        heldBackGateIds: c.heldBackGateIds,
        unlocksGateIds: c.unlocksGateIds,
      };
    });
  const gates = [...analysis.gates.values()].map((g) => ({
    id: g.id,
    subjectType: g.subject.type,
    subjectId: g.subject.id,
    label: loaded.gates.get(g.id)?.label ?? null,
    values: presentValues(g.values),
    open: g.open,
    heldBackBy: withoutHidden(g.heldBackBy),
    unlockedBy: withoutHidden(g.unlockedBy),
  }));
  const ranking = Object.fromEntries(
    DIMENSIONS.map((dimension) => {
      const pole = longPole(analysis, dimension);
      return [
        dimension,
        {
          conditions: pole.conditions
            .filter((c) => loaded.conditions.has(c.id))
            .map((c) => ({
              id: c.id,
              code: loaded.conditions.get(c.id)!.code,
              titleEn: loaded.conditions.get(c.id)!.titleEn,
              heldBack: presentValues(c.heldBack),
            })),
          stakeholders: pole.stakeholders
            .filter((s) => loaded.stakeholders.has(s.id))
            .map((s) => {
              const row = loaded.stakeholders.get(s.id)!;
              return { id: s.id, name: row.name, nameAr: row.nameAr, heldBack: presentValues(s.heldBack) };
            }),
        },
      ];
    }),
  );
  return {
    asOf,
    totals: { open: presentValues(analysis.open), blocked: presentValues(analysis.blocked) },
    conditions,
    gates,
    longPole: ranking as Record<(typeof DIMENSIONS)[number], (typeof ranking)[string]>,
  };
}

export async function analysisFor(ctx: Ctx, asOf?: string) {
  const loaded = await loadModel(ctx);
  const analysis = asOf ? analyse(loaded.model, await statusesOn(ctx, loaded, asOf)) : analyse(loaded.model);
  return { loaded, analysis };
}
