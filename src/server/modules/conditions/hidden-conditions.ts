/**
 * Conditions a reader may not see, inside the expressions of objects they may see (a
 * condition's requirements, a commitment's or a tranche's gate). The API never shows their
 * ids: each such leaf is shown as the string "hidden", "a condition you cannot see".
 *
 * An expression sent back (a PATCH that echoes what it read, or changes part of it) may
 * keep those leaves: each "hidden", in order, stands for the next condition the writer
 * cannot see in the stored expression, in order. Sending as many as were shown keeps every
 * hidden condition; any other number is refused, so none is ever dropped without a word.
 */
import type { Queryable } from '../../db/db.ts';
import type { Actor } from '../../http/actor.ts';
import { invalid } from '../../http/problems.ts';
import { visibleConditionIds } from './conditions.repo.ts';
import { type Expression, expressionConditions } from './expressions.ts';

/** What an expression shows in place of a condition the reader may not see. */
export const HIDDEN = 'hidden';

export const HIDDEN_DESCRIPTION =
  'An AND/OR expression over condition ids. A condition you cannot see is shown as the string "hidden". ' +
  'To keep it when you change the expression, send back one "hidden" for each you were shown: each stands, in order, ' +
  'for the next condition you cannot see in the stored expression.';

/** The leaves of an expression in order, repeats included. */
function leaves(expression: Expression): string[] {
  if (typeof expression === 'string') return [expression];
  return expression.args.flatMap(leaves);
}

function mapLeaves(expression: Expression, leaf: (id: string) => string): Expression {
  if (typeof expression === 'string') return leaf(expression);
  return { op: expression.op, args: expression.args.map((arg) => mapLeaves(arg, leaf)) };
}

/** An expression as `visible` lets its reader see it. */
export function maskExpression(expression: Expression, visible: ReadonlySet<string>): Expression {
  return mapLeaves(expression, (id) => (visible.has(id) ? id : HIDDEN));
}

/** Masks the expressions of one answer with one query: returns the function that masks each. */
export async function expressionMasker(
  db: Queryable,
  actor: Actor | null,
  expressions: readonly (Expression | null | undefined)[],
): Promise<(expression: Expression | null) => Expression | null> {
  const ids = [...new Set(expressions.flatMap((e) => (e ? expressionConditions(e) : [])))];
  const visible = await visibleConditionIds(db, actor, ids);
  return (expression) => (expression ? maskExpression(expression, visible) : null);
}

/**
 * The expression to store for one a caller sent (`incoming`, maybe with "hidden" leaves) in
 * place of `stored`: each "hidden" restored, in order, to the stored expression's conditions
 * the caller may not see. Refuses a condition the caller may not see or that does not exist,
 * and a number of "hidden" leaves other than the number shown.
 */
export async function expressionToStore(
  db: Queryable,
  actor: Actor | null,
  incoming: Expression | null | undefined,
  stored: Expression | null,
  pointer: string,
): Promise<Expression | null | undefined> {
  if (incoming === undefined) return incoming;
  if (incoming === null) {
    // Taking the whole expression away would take away conditions the caller cannot see.
    const hidden = stored ? (await visibleConditionIds(db, actor, leaves(stored))).size < new Set(leaves(stored)).size : false;
    if (hidden)
      throw invalid([
        { pointer, detail: 'This expression holds conditions you cannot see; only someone who can see them can take them out.' },
      ]);
    return null;
  }
  const named = expressionConditions(incoming).filter((id) => id !== HIDDEN);
  const storedLeaves = stored ? leaves(stored) : [];
  const visible = await visibleConditionIds(db, actor, [...new Set([...named, ...storedLeaves])]);
  const unknown = named.filter((id) => !visible.has(id));
  if (unknown.length) throw invalid(unknown.map((id) => ({ pointer, detail: `No such condition: ${id}.` })));
  const hiddenStored = storedLeaves.filter((id) => !visible.has(id));
  const markers = leaves(incoming).filter((id) => id === HIDDEN).length;
  if (markers !== hiddenStored.length) {
    const detail =
      hiddenStored.length === 0
        ? '"hidden" stands for a condition you cannot see that is already in this expression; there is none here.'
        : `This expression holds ${hiddenStored.length} condition(s) you cannot see, shown as "hidden"; send back exactly ${hiddenStored.length} "hidden" to keep them (you sent ${markers}). Only someone who can see them can take them out.`;
    throw invalid([{ pointer, detail }]);
  }
  let next = 0;
  return mapLeaves(incoming, (id) => (id === HIDDEN ? hiddenStored[next++] : id));
}
