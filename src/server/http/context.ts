/**
 * The one request path. Every handler is wrapped by `handle`: read requests get the
 * database, write requests (POST, PUT, PATCH, DELETE) get one transaction that commits
 * when the handler resolves and rolls back when it throws. The context carries the actor
 * and writes audit entries into that same transaction.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db, Queryable } from '../db/db.ts';
import { type AuditEntry, insertAudit } from '../modules/audit/audit.repo.ts';
import type { ConditionsRuntime, Gates } from '../modules/conditions/gate-state.ts';
import type { Actor } from './actor.ts';
import { claimKey, idempotencyKey, type Replay, sendReplay, storeResponse } from './idempotency.ts';
import { Problem } from './problems.ts';

export interface Ctx {
  db: Queryable;
  actor: Actor | null;
  requestId: string;
  /** The signed-in actor; throws 401 when there is none. */
  requireActor(): Actor;
  audit(entry: AuditEntry): Promise<void>;
  /** Whether gated subjects are open: the conditions capability's gate state, for this caller. */
  gates: Gates;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function makeCtx(db: Queryable, actor: Actor | null, requestId: string, conditions: ConditionsRuntime): Ctx {
  return {
    db,
    actor,
    requestId,
    gates: conditions.forCaller(db, actor),
    requireActor() {
      if (!actor) throw new Problem('auth.unauthenticated');
      return actor;
    },
    audit: (entry) => insertAudit(db, actor, requestId, entry),
  };
}

/**
 * Runs a handler's work in the request's context. Usage in a route:
 *   handler: (req, reply) => run(req, reply, async (ctx) => service.create(ctx, req.body))
 * A result of `undefined` answers 204 No Content.
 */
export async function run<T>(req: FastifyRequest, reply: FastifyReply, work: (ctx: Ctx) => Promise<T>): Promise<T> {
  const db: Db = req.server.db;
  const ownTransaction = req.routeOptions.config.transaction === false;
  const readOnly = req.routeOptions.config.readOnly === true;
  if (req.routeOptions.config.idempotent) return runIdempotent(req, reply, db, work);
  const result =
    !WRITE_METHODS.has(req.method) || ownTransaction || readOnly
      ? await work(makeCtx(db, req.actor, req.id, req.server.conditions))
      : await db.transaction((tx) => work(makeCtx(tx, req.actor, req.id, req.server.conditions)));
  // Nothing is sent before the transaction has committed.
  if (result === undefined) return reply.code(204).send() as T;
  return result;
}

/** A money write: the key is claimed, the work done and its response stored in one transaction. */
async function runIdempotent<T>(req: FastifyRequest, reply: FastifyReply, db: Db, work: (ctx: Ctx) => Promise<T>): Promise<T> {
  const key = idempotencyKey(req);
  const outcome = await db.transaction(async (tx): Promise<{ replay: Replay } | { result: T }> => {
    const replay = await claimKey(tx, req, key);
    if (replay) return { replay };
    const result = await work(makeCtx(tx, req.actor, req.id, req.server.conditions));
    if (result === undefined) reply.code(204);
    await storeResponse(tx, req, key, reply.statusCode, result === undefined ? null : String(reply.serialize(result)));
    return { result };
  });
  if ('replay' in outcome) return sendReplay(reply, outcome.replay) as T;
  if (outcome.result === undefined) return reply.send() as T;
  return outcome.result;
}
