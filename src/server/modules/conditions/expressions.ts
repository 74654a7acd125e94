/**
 * Condition expressions, and the checked model of conditions and gates that analysis.ts
 * runs over. An expression is an AND/OR tree over condition ids: a gate holds one to say
 * which conditions must hold before its object (a tranche, an offer, a corridor...) can
 * move; a condition holds one to say which other conditions it requires. Here are their
 * shapes, the zod schema for the API, evaluation, the requirement graph (its order, and
 * the cycle that must be refused), and buildModel, which checks conditions and gates once
 * and indexes them so that each analysis is a walk over arrays.
 *
 * Expressions contain no negation, so they are monotone: making a condition true can
 * open a gate but never shut one. The analysis depends on that.
 */
import { z } from 'zod';

export type ConditionId = string;

/** A condition id (true when the condition effectively holds), or AND/OR over sub-expressions. */
export type Expression = ConditionId | ExpressionNode;

export interface ExpressionNode {
  op: 'and' | 'or';
  args: Expression[];
}

export const CONDITION_STATUSES = ['unmet', 'partially_met', 'met', 'failed', 'waived'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/** A waived condition no longer stands in the way, so it counts as true like a met one. */
export function isTrueStatus(status: ConditionStatus): boolean {
  return status === 'met' || status === 'waived';
}

/** What the API layer reports; `cycle` lists condition ids from a condition back to itself. */
export type ConditionGraphErrorCode =
  | 'requirement-cycle'
  | 'unknown-condition'
  | 'duplicate-id'
  | 'invalid-expression'
  | 'invalid-status'
  | 'invalid-value'
  | 'invalid-date';

export class ConditionGraphError extends Error {
  readonly code: ConditionGraphErrorCode;
  readonly cycle?: readonly ConditionId[];

  constructor(code: ConditionGraphErrorCode, message: string, cycle?: readonly ConditionId[]) {
    super(message);
    this.name = 'ConditionGraphError';
    this.code = code;
    this.cycle = cycle;
  }
}

// Limits for what the API accepts. Real gates name a handful of conditions; the limits
// keep a hostile body from costing more than a quick walk to validate and evaluate.
export const MAX_EXPRESSION_DEPTH = 6;
export const MAX_EXPRESSION_SIZE = 200;

/** AND/OR levels above the leaves: a bare condition id has depth 0. */
export function expressionDepth(expression: Expression): number {
  if (typeof expression === 'string') return 0;
  return 1 + expression.args.reduce((deepest, arg) => Math.max(deepest, expressionDepth(arg)), 0);
}

/** Leaves plus AND/OR nodes. */
export function expressionSize(expression: Expression): number {
  if (typeof expression === 'string') return 1;
  return expression.args.reduce((size, arg) => size + expressionSize(arg), 1);
}

/** The condition ids an expression names, each once, in order of first mention. */
export function expressionConditions(expression: Expression): ConditionId[] {
  const seen = new Set<ConditionId>();
  const visit = (node: Expression) => {
    if (typeof node === 'string') seen.add(node);
    else for (const arg of node.args) visit(arg);
  };
  visit(expression);
  return [...seen];
}

/** Plain evaluation; an empty AND is true and an empty OR false, as in logic. */
export function evaluateExpression(expression: Expression, isTrue: (id: ConditionId) => boolean): boolean {
  if (typeof expression === 'string') return isTrue(expression);
  return expression.op === 'and'
    ? expression.args.every((arg) => evaluateExpression(arg, isTrue))
    : expression.args.some((arg) => evaluateExpression(arg, isTrue));
}

/** "a AND (b OR c)", for messages and the command line. */
export function formatExpression(expression: Expression, label: (id: ConditionId) => string = (id) => id): string {
  if (typeof expression === 'string') return label(expression);
  const parts = expression.args.map((arg) => (typeof arg === 'string' ? label(arg) : `(${formatExpression(arg, label)})`));
  return parts.join(expression.op === 'and' ? ' AND ' : ' OR ');
}

export const conditionIdSchema = z.string().min(1).max(128);

function pointerPrefix(path: readonly PropertyKey[]): string {
  return path.map((key) => `/${String(key)}`).join('');
}

/**
 * Zod reports a failed union as "Invalid input" with every branch's issues nested inside.
 * A leaf is a string and a node an object, so the input's type says which branch the
 * caller meant: report that branch's first issue, with where it is in the expression.
 */
function explainUnionIssue(issue: { code?: string; input?: unknown; errors?: unknown }): string {
  const branches = issue.errors as { path: PropertyKey[]; message: string }[][] | undefined;
  const meant = typeof issue.input === 'string' ? branches?.[0] : branches?.[1];
  const first = meant?.[0];
  if (issue.code !== 'invalid_union' || !first || (typeof issue.input !== 'string' && typeof issue.input !== 'object')) {
    return 'Expected a condition id or { "op": "and" | "or", "args": [...] }.';
  }
  // A nested union's message already starts with its own pointer: extend that pointer.
  const where = pointerPrefix(first.path);
  if (!where) return first.message;
  return first.message.startsWith('/') ? `${where}${first.message}` : `${where}: ${first.message}`;
}

/**
 * The schema of an expression for API bodies. The nesting is unrolled to the maximum
 * depth rather than recursive, so validating a deeply nested body costs a bounded walk
 * instead of a stack overflow; the OpenAPI document shows the same bounded shape.
 */
export function expressionSchemaOf(
  leaf: z.ZodType<string, string> = conditionIdSchema,
  limits: { maxDepth: number; maxSize: number } = { maxDepth: MAX_EXPRESSION_DEPTH, maxSize: MAX_EXPRESSION_SIZE },
): z.ZodType<Expression> {
  const tooDeep = `AND/OR may nest at most ${limits.maxDepth} levels; expected a condition id here.`;
  let level: z.ZodType<Expression> = z.string({ error: tooDeep }).pipe(leaf);
  for (let depth = 1; depth <= limits.maxDepth; depth++) {
    const node = z.strictObject({ op: z.enum(['and', 'or']), args: z.array(level).min(1).max(limits.maxSize) });
    level = z.union([leaf, node], { error: explainUnionIssue });
  }
  return level.superRefine((expression, ctx) => {
    if (expressionSize(expression) > limits.maxSize) {
      ctx.addIssue({ code: 'custom', message: `An expression may have at most ${limits.maxSize} terms and operators.` });
    }
  });
}

export const expressionSchema = expressionSchemaOf();

export interface RequirementSource {
  id: ConditionId;
  requires?: Expression | null;
}

/**
 * Conditions ordered so that every condition comes after the conditions it requires,
 * or the first cycle found, as ids from a condition back to itself. Depth-first without
 * recursion, so a long chain of requirements cannot overflow the stack. Ids that name
 * no listed condition are skipped here; the caller reports them.
 */
export function orderByRequirements(conditions: readonly RequirementSource[]): { order: ConditionId[] } | { cycle: ConditionId[] } {
  const requires = new Map(conditions.map((c) => [c.id, c.requires ? expressionConditions(c.requires) : []]));
  const state = new Map<ConditionId, 'visiting' | 'done'>();
  const order: ConditionId[] = [];
  for (const root of conditions) {
    if (state.has(root.id)) continue;
    const path: { id: ConditionId; next: number }[] = [{ id: root.id, next: 0 }];
    state.set(root.id, 'visiting');
    while (path.length) {
      const frame = path[path.length - 1];
      const deps = requires.get(frame.id)!;
      if (frame.next === deps.length) {
        state.set(frame.id, 'done');
        order.push(frame.id);
        path.pop();
        continue;
      }
      const dep = deps[frame.next++];
      if (!requires.has(dep) || state.get(dep) === 'done') continue;
      if (state.get(dep) === 'visiting') {
        const start = path.findIndex((f) => f.id === dep);
        return { cycle: [...path.slice(start).map((f) => f.id), dep] };
      }
      state.set(dep, 'visiting');
      path.push({ id: dep, next: 0 });
    }
  }
  return { order };
}

/** The cycle a set of requirements would form (e.g. ["a", "b", "a"]), or null: for refusing a change. */
export function findRequirementCycle(conditions: readonly RequirementSource[]): ConditionId[] | null {
  const result = orderByRequirements(conditions);
  return 'cycle' in result ? result.cycle : null;
}

export function describeCycle(cycle: readonly ConditionId[], label: (id: ConditionId) => string = (id) => id): string {
  return `Condition requirements would form a cycle: ${cycle.map(label).join(' → ')}.`;
}

// The model the analysis runs over: what a gate is worth, the inputs, and their checked,
// indexed form.

export const DIMENSIONS = ['money_usd', 'personnel', 'aid_trucks_per_day', 'projects'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
/** money_usd in US cents; personnel, aid trucks per day and projects as counts. */
export type DimensionValues = Record<Dimension, bigint>;

export const zeroValues = (): DimensionValues => ({ money_usd: 0n, personnel: 0n, aid_trucks_per_day: 0n, projects: 0n });

export function addValues(a: DimensionValues, b: DimensionValues): DimensionValues {
  return {
    money_usd: a.money_usd + b.money_usd,
    personnel: a.personnel + b.personnel,
    aid_trucks_per_day: a.aid_trucks_per_day + b.aid_trucks_per_day,
    projects: a.projects + b.projects,
  };
}

export interface ConditionInput {
  id: ConditionId;
  status: ConditionStatus;
  requires?: Expression | null;
  /** Calendar date, YYYY-MM-DD. */
  targetDate?: string | null;
  /** The stakeholders who must act for the condition to be met. */
  stakeholderIds?: readonly string[];
}

export interface GateInput {
  id: string;
  /** The gated object: a registered subject type (tranche, offer, corridor...) and its id. */
  subject: { type: string; id: string };
  expression: Expression;
  /** Missing dimensions are zero; values must be non-negative. */
  values: Partial<DimensionValues>;
}

/** An expression with condition ids replaced by indexes into the model. */
export type Compiled = number | { and: boolean; args: Compiled[] };

export interface ModelGate {
  input: GateInput;
  expression: Compiled;
  values: DimensionValues;
  /** Positions in DIMENSIONS where the gate carries a value above zero. */
  dimensions: readonly number[];
  /** The values as numbers, by position in DIMENSIONS; exact when the model says so. */
  numbers: readonly number[];
  /** Conditions the gate's own expression names, as opposed to those reached through requirements. */
  names: readonly number[];
}

/** Conditions and gates checked and indexed once, then analysed under any statuses. Build with buildModel. */
export interface AnalysisModel {
  readonly conditions: readonly ConditionInput[];
  readonly indexOf: ReadonlyMap<ConditionId, number>;
  readonly requires: readonly (Compiled | null)[];
  /** Condition indexes, each after every condition it requires. */
  readonly order: readonly number[];
  readonly gates: readonly ModelGate[];
  /** For each condition, the gates whose own expression names it. */
  readonly gatesNaming: readonly (readonly number[])[];
  /** Every stakeholder named on a condition, and for each condition the indexes of its own. */
  readonly stakeholders: readonly string[];
  readonly stakeholdersOf: readonly (readonly number[])[];
  /**
   * True when every dimension's total over all gates is at most 2^53: then any sum of
   * gate values is exact in floating point, which is several times faster than bigint.
   */
  readonly sumsFitNumbers: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function assertDate(date: string, what: string): void {
  if (!DATE.test(date) || Number.isNaN(Date.parse(date)) || new Date(date).toISOString().slice(0, 10) !== date) {
    throw new ConditionGraphError('invalid-date', `${what}: "${date}" is not a calendar date (YYYY-MM-DD).`);
  }
}

export function refuse(code: ConditionGraphErrorCode, message: string): never {
  throw new ConditionGraphError(code, message);
}

// Statuses come typed, but from a database row or a request body; a typo must not count as unmet.
function checkStatus(status: ConditionStatus, id: ConditionId): ConditionStatus {
  if (!CONDITION_STATUSES.includes(status)) refuse('invalid-status', `Condition "${id}" has no status "${status}".`);
  return status;
}

/** Whose expression is compiled, for error messages (built only when one is needed). */
interface Owner {
  kind: 'Gate' | 'Condition';
  id: string;
}

/** Replaces ids by indexes, adding each index to `names` once. */
function compile(expression: Expression, indexOf: ReadonlyMap<ConditionId, number>, owner: Owner, names: number[]): Compiled {
  if (typeof expression === 'string') {
    const index =
      indexOf.get(expression) ?? refuse('unknown-condition', `${owner.kind} "${owner.id}" names an unknown condition "${expression}".`);
    if (!names.includes(index)) names.push(index);
    return index;
  }
  if (expression.op !== 'and' && expression.op !== 'or') {
    refuse('invalid-expression', `${owner.kind} "${owner.id}" has an operator other than AND and OR.`);
  }
  if (expression.args.length === 0)
    refuse('invalid-expression', `${owner.kind} "${owner.id}" has an empty ${expression.op.toUpperCase()}.`);
  const args: Compiled[] = [];
  for (const arg of expression.args) args.push(compile(arg, indexOf, owner, names));
  return { and: expression.op === 'and', args };
}

/** The gate's values in every dimension, with where they are above zero, added to `totals`. */
function gateValues(gate: GateInput, totals: DimensionValues): Pick<ModelGate, 'values' | 'dimensions' | 'numbers'> {
  const values = zeroValues();
  const dimensions: number[] = [];
  const numbers: number[] = [];
  for (const [position, dimension] of DIMENSIONS.entries()) {
    const value = gate.values[dimension] ?? 0n;
    if (typeof value !== 'bigint' || value < 0n) refuse('invalid-value', `Gate "${gate.id}": ${dimension} must be a non-negative bigint.`);
    values[dimension] = value;
    numbers.push(Number(value));
    if (value === 0n) continue;
    dimensions.push(position);
    totals[dimension] += value;
  }
  return { values, dimensions, numbers };
}

/** Checks references, requirement cycles, dates and values; throws ConditionGraphError. */
export function buildModel(input: { conditions: readonly ConditionInput[]; gates: readonly GateInput[] }): AnalysisModel {
  const indexOf = new Map<ConditionId, number>();
  for (const [i, condition] of input.conditions.entries()) {
    if (indexOf.has(condition.id)) refuse('duplicate-id', `Condition "${condition.id}" is listed twice.`);
    indexOf.set(condition.id, i);
    checkStatus(condition.status, condition.id);
    if (condition.targetDate) assertDate(condition.targetDate, `Target date of condition "${condition.id}"`);
  }
  const requires = input.conditions.map((c) => (c.requires ? compile(c.requires, indexOf, { kind: 'Condition', id: c.id }, []) : null));
  const sorted = orderByRequirements(input.conditions);
  if ('cycle' in sorted) throw new ConditionGraphError('requirement-cycle', describeCycle(sorted.cycle), sorted.cycle);

  const gateIds = new Set<string>();
  const totals = zeroValues();
  const gatesNaming: number[][] = input.conditions.map(() => []);
  const gates = input.gates.map((gate, g): ModelGate => {
    if (gateIds.has(gate.id)) refuse('duplicate-id', `Gate "${gate.id}" is listed twice.`);
    gateIds.add(gate.id);
    const names: number[] = [];
    const expression = compile(gate.expression, indexOf, { kind: 'Gate', id: gate.id }, names);
    for (const c of names) gatesNaming[c].push(g);
    const { values, dimensions, numbers } = gateValues(gate, totals);
    return { input: gate, expression, names, values, dimensions, numbers };
  });
  const stakeholders = [...new Set(input.conditions.flatMap((c) => c.stakeholderIds ?? []))];
  const stakeholderIndex = new Map(stakeholders.map((id, i) => [id, i]));
  return {
    conditions: input.conditions,
    indexOf,
    requires,
    order: sorted.order.map((id) => indexOf.get(id)!),
    gates,
    gatesNaming,
    stakeholders,
    stakeholdersOf: input.conditions.map((c) => [...new Set(c.stakeholderIds ?? [])].map((id) => stakeholderIndex.get(id)!)),
    sumsFitNumbers: DIMENSIONS.every((d) => totals[d] <= BigInt(Number.MAX_SAFE_INTEGER)),
  };
}

/**
 * The model with some gates' values replaced (by gate id), everything else shared with it:
 * what a write that changes only what gated subjects are worth needs, without compiling
 * every expression again. Equal to building the model anew with those values.
 */
export function withGateValues(model: AnalysisModel, values: ReadonlyMap<string, Partial<DimensionValues>>): AnalysisModel {
  const totals = zeroValues();
  const gates = model.gates.map((gate): ModelGate => {
    const changed = values.get(gate.input.id);
    if (!changed) {
      for (const dimension of DIMENSIONS) totals[dimension] += gate.values[dimension];
      return gate;
    }
    const input = { ...gate.input, values: changed };
    return { ...gate, input, ...gateValues(input, totals) };
  });
  return { ...model, gates, sumsFitNumbers: DIMENSIONS.every((d) => totals[d] <= BigInt(Number.MAX_SAFE_INTEGER)) };
}

/** `base` statuses with some replaced; an id the model does not know is an error. */
export function withOverrides(
  model: AnalysisModel,
  overrides: ReadonlyMap<ConditionId, ConditionStatus> | undefined,
  base: readonly ConditionStatus[] = model.conditions.map((c) => c.status),
): ConditionStatus[] {
  const statuses = [...base];
  for (const [id, status] of overrides ?? []) {
    statuses[model.indexOf.get(id) ?? refuse('unknown-condition', `No condition "${id}".`)] = checkStatus(status, id);
  }
  return statuses;
}

export function holds(node: Compiled, truth: Uint8Array): boolean {
  if (typeof node === 'number') return truth[node] === 1;
  if (node.and) {
    for (const arg of node.args) if (!holds(arg, truth)) return false;
    return true;
  }
  for (const arg of node.args) if (holds(arg, truth)) return true;
  return false;
}

export interface Truth {
  statuses: ConditionStatus[];
  statusTrue: Uint8Array;
  effective: Uint8Array;
}

export function truthOf(model: AnalysisModel, statuses: ConditionStatus[]): Truth {
  const statusTrue = Uint8Array.from(statuses, (s) => (isTrueStatus(s) ? 1 : 0));
  const effective = new Uint8Array(statuses.length);
  for (const i of model.order) {
    const requirement = model.requires[i];
    effective[i] = statusTrue[i] && (requirement === null || holds(requirement, effective)) ? 1 : 0;
  }
  return { statuses, statusTrue, effective };
}
