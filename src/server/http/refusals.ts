/**
 * Refused requests and the security log. A record the caller may not see answers 404,
 * exactly like one that does not exist (`notFoundOrHidden`); only the security log learns
 * the difference. The app's error handler calls `logRefusal` for every 401 and 403, and
 * for a 404 of a record that exists.
 */
import type { FastifyRequest } from 'fastify';
import sql, { raw } from 'sql-template-tag';
import type { Queryable } from '../db/db.ts';
import { recordRefusal } from '../modules/security/security.repo.ts';
import { actorLabel } from './actor.ts';
import { notFound, type Problem } from './problems.ts';

/** Tables of records that some callers may not see. */
export const GUARDED_TABLES = [
  'places',
  'stakeholders',
  'conditions',
  'commitments',
  'funding_instruments',
  'pledges',
  'tranches',
  'funding_agreements',
  'ledger_transactions',
  'reimbursement_claims',
  'users',
  'api_tokens',
] as const;
export type GuardedTable = (typeof GUARDED_TABLES)[number];

/**
 * The 404 for a record the caller could not find: marked for the security log when the
 * record exists (the caller may not see it). The answer is the same either way.
 */
export async function notFoundOrHidden(db: Queryable, table: GuardedTable, id: string, what: string): Promise<Problem> {
  const problem = notFound(what);
  const found = await db.query(sql`select 1 from ${raw(table)} where id = ${id}::uuid`);
  problem.hiddenRecord = found.rowCount > 0;
  return problem;
}

/** Answers that say nothing was refused: the sign-in asking for its second step. */
const NOT_REFUSALS = new Set(['auth.totp-required']);

/** Whether an answered problem is a refusal the security log records. */
export function isLoggedRefusal(problem: Problem, req: FastifyRequest): boolean {
  if (NOT_REFUSALS.has(problem.code)) return false;
  // A page asking whether anyone is signed in (its session may have ended) is not refused anything.
  if (problem.status === 401 && req.routeOptions.config?.sessionProbe && !req.headers.authorization) return false;
  return problem.status === 401 || problem.status === 403 || (problem.status === 404 && problem.hiddenRecord);
}

/** Writes a refusal to the security log; a failure to write is logged, never answered. */
export async function logRefusal(req: FastifyRequest, problem: Problem): Promise<void> {
  const actor = req.actor;
  try {
    await recordRefusal(req.server.db, {
      status: problem.status as 401 | 403 | 404,
      code: problem.code,
      detail: problem.detail ?? null,
      actorUserId: actor?.userId ?? null,
      actorLabel: actorLabel(actor),
      organisationId: actor?.organisationId ?? null,
      ip: req.ip,
      method: req.method,
      route: req.routeOptions.url ?? req.url.split('?')[0],
      url: req.url.slice(0, 2000),
      requestId: req.id,
    });
  } catch (err) {
    req.log.error({ err }, 'could not write the refusal to the security log');
  }
}
