/**
 * The one gate state every capability asks: for a list of gated subjects and a caller, is
 * each open, blocked, or expected to open on a date; which unmet conditions it waits on that
 * the caller may see; and how many it waits on that the caller may not see (never which).
 *
 * A subject's gate is read in the caller's own transaction (so a gate set in this request
 * counts), and evaluated against the kept analysis model of what the caller may see
 * (model-cache.ts), in which hidden conditions stand in with their real status: whether a
 * gate is open never depends on who asks, and it is the same answer the analysis, the
 * requirements graph and every page give. No other module builds a model of conditions.
 */
import type { Db, Queryable } from '../../db/db.ts';
import type { Actor } from '../../http/actor.ts';
import { type EarliestOpening, earliestOpenings } from './analysis.ts';
import { type Compiled, type ConditionStatus, type Expression, isTrueStatus, truthOf } from './expressions.ts';
import { type GatedSubjects, gatesOf } from './gates.ts';
import { isStandIn, ModelCache, type VisibleModel } from './model-cache.ts';

export interface SubjectRef {
  type: string;
  id: string;
}

export interface WaitingOn {
  id: string;
  code: string;
  titleEn: string;
  titleAr: string;
  status: ConditionStatus;
  targetDate: string | null;
}

export interface SubjectGateState {
  /** open: it may move; blocked: it waits on conditions; expected: blocked, and due to open on `opensOn`. */
  state: 'open' | 'blocked' | 'expected';
  /** When it could open at the earliest, if every condition it waits on is met on its target date. */
  opensOn: string | null;
  /** The unmet conditions it waits on that the caller may see, in the order they are reached. */
  waitsOn: WaitingOn[];
  /** How many unmet conditions it waits on that the caller may not see. */
  hiddenWaitsOn: number;
}

/** What a capability's service sees of the conditions capability: through the request's context. */
export interface Gates {
  /** The analysis model of what the caller may see, kept between requests. Do not change it. */
  model(): Promise<VisibleModel>;
  /** The gate state of each subject, keyed by subject id. A subject without a gate is open. */
  states(subjects: readonly SubjectRef[]): Promise<Map<string, SubjectGateState>>;
}

const OPEN: SubjectGateState = Object.freeze({ state: 'open', opensOn: null, waitsOn: [], hiddenWaitsOn: 0 }) as SubjectGateState;

/** Kept with a model: its current truth and each condition's earliest opening. */
interface Evaluation {
  effective: Uint8Array;
  openings: Map<string, EarliestOpening>;
}
const evaluations = new WeakMap<VisibleModel, Evaluation>();

function evaluationOf(loaded: VisibleModel): Evaluation {
  let found = evaluations.get(loaded);
  if (!found) {
    const model = loaded.model;
    found = {
      effective: truthOf(
        model,
        model.conditions.map((c) => c.status),
      ).effective,
      openings: earliestOpenings(model).conditions,
    };
    evaluations.set(loaded, found);
  }
  return found;
}

/** Ranks of an earliest opening: open, then dates in order, then unknown, then never. */
function rankOf(opening: EarliestOpening | undefined): [number, string] {
  if (!opening) return [2, ''];
  switch (opening.kind) {
    case 'open':
      return [0, ''];
    case 'expected':
      return [1, opening.date];
    case 'unknown':
      return [2, ''];
    case 'never':
      return [3, ''];
  }
}
const later = (a: [number, string], b: [number, string]) => (a[0] !== b[0] ? (a[0] > b[0] ? a : b) : a[1] >= b[1] ? a : b);
const earlier = (a: [number, string], b: [number, string]) => (later(a, b) === a ? b : a);

/** The state of one gate expression (ids as stored) under the model's current truth. */
export function stateOf(loaded: VisibleModel, expression: Expression): SubjectGateState {
  const model = loaded.model;
  const { effective, openings } = evaluationOf(loaded);
  // A condition the model does not know (made in this very request) counts as unmet.
  const index = (id: string) => model.indexOf.get(loaded.idInModel(id)) ?? -1;
  const compile = (node: Expression): Compiled =>
    typeof node === 'string' ? index(node) : { and: node.op === 'and', args: node.args.map(compile) };
  const compiled = compile(expression);
  const evaluate = (node: Compiled): boolean =>
    typeof node === 'number' ? node >= 0 && effective[node] === 1 : node.and ? node.args.every(evaluate) : node.args.some(evaluate);
  if (evaluate(compiled)) return OPEN;

  // What it waits on: the conditions reached through the parts that do not hold, whose own
  // status is not true, each once, following requirements.
  const waitsOn: WaitingOn[] = [];
  let hidden = 0;
  let unknown = 0;
  const seen = new Set<number>();
  const visit = (node: Compiled) => {
    if (typeof node !== 'number') {
      for (const arg of node.args) if (!evaluate(arg)) visit(arg);
      return;
    }
    if (node < 0) {
      unknown++;
      return;
    }
    if (seen.has(node)) return;
    seen.add(node);
    const condition = model.conditions[node];
    if (!isTrueStatus(condition.status)) {
      if (isStandIn(condition.id)) hidden++;
      else {
        const row = loaded.conditions.get(condition.id)!;
        waitsOn.push({
          id: row.id,
          code: row.code,
          titleEn: row.titleEn,
          titleAr: row.titleAr,
          status: row.status,
          targetDate: row.targetDate,
        });
      }
    }
    const requirement = model.requires[node];
    if (requirement !== null && !evaluate(requirement)) visit(requirement);
  };
  visit(compiled);

  const timeOf = (node: Compiled): [number, string] => {
    if (typeof node === 'number') return node < 0 ? [2, ''] : rankOf(openings.get(model.conditions[node].id));
    const times = node.args.map(timeOf);
    return times.reduce(node.and ? later : earlier);
  };
  const [rank, date] = timeOf(compiled);
  const expected = rank === 1;
  return { state: expected ? 'expected' : 'blocked', opensOn: expected ? date : null, waitsOn, hiddenWaitsOn: hidden + unknown };
}

/**
 * The conditions capability as the rest of the app uses it: the gated subject types listed
 * where the app is composed, the kept models, and the gate state of any subject.
 */
export class ConditionsRuntime {
  readonly models: ModelCache;

  constructor(
    db: Db,
    readonly subjects: GatedSubjects,
  ) {
    this.models = new ModelCache(db, subjects);
  }

  /** The gate service for one caller; `db` is the caller's transaction or the database. */
  forCaller(db: Queryable, actor: Actor | null): Gates {
    return {
      model: () => this.models.model(actor),
      states: async (refs) => {
        const states = new Map<string, SubjectGateState>();
        if (!refs.length) return states;
        const byType = new Map<string, string[]>();
        for (const ref of refs) {
          if (!this.subjects.get(ref.type)) throw new Error(`No gated subject type "${ref.type}" is listed.`);
          byType.set(ref.type, [...(byType.get(ref.type) ?? []), ref.id]);
        }
        const [loaded, ...gates] = await Promise.all([
          this.models.model(actor),
          ...[...byType].map(([type, ids]) => gatesOf(db, type, ids)),
        ]);
        const expressions = new Map(gates.flat().map((g) => [`${g.subjectType}:${g.subjectId}`, g.expression]));
        for (const ref of refs) {
          const expression = expressions.get(`${ref.type}:${ref.id}`);
          states.set(ref.id, expression ? stateOf(loaded, expression) : OPEN);
        }
        return states;
      },
    };
  }
}
