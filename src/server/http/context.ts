/**
 * The one request path. Every handler is wrapped by `run`: read requests get the
 * database, write requests (POST, PUT, PATCH, DELETE) get one transaction that commits
 * when the handler resolves and rolls back when it throws.
 *
 * Every write route declares its audit entry with the route (`config.audit`: action and
 * entity type), and `run` writes it into the same transaction once the handler has
 * returned: the entity is the answer's `id` and its state after is the answer, unless the
 * handler says more through `ctx.auditDetails` (the state before a change, a more precise
 * action). The app refuses to start with a write route that declares no audit entry, so
 * none can be forgotten.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db, Queryable } from '../db/db.ts';
import { insertAudit } from '../modules/audit/audit.repo.ts';
import type { ConditionsRuntime, Gates } from '../modules/conditions/gate-state.ts';
import type { Actor } from './actor.ts';
import { claimKey, idempotencyKey, type Replay, sendReplay, storeResponse } from './idempotency.ts';
import { Problem } from './problems.ts';

/** What a write route's audit entry is, declared with the route. */
export interface RouteAudit {
  /** Dotted, e.g. 'funding.pledge.update'; a handler may name a more precise one (ctx.auditDetails). */
  action: string;
  entityType: string;
  /** The entity's id when the answer has none (a 204, say); by default the answer's `id`. */
  entityId?: (result: unknown, req: FastifyRequest) => string | null | undefined;
  /**
   * 'handler': the handler writes its entries itself, in transactions of its own, because
   * they must outlive a refusal (a failed sign-in, a refused import).
   */
  writtenBy?: 'handler';
  /** The answer carries a secret (a new token, a password): only what the handler gives as `after` is recorded. */
  answerIsSecret?: true;
}

/** What a handler adds to its route's audit entry. */
export interface AuditDetails {
  action?: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface Ctx {
  db: Queryable;
  actor: Actor | null;
  requestId: string;
  /** The signed-in actor; throws 401 when there is none. */
  requireActor(): Actor;
  /** Adds to the route's declared audit entry: the state before, a precise action, the entity. Later calls add to earlier ones. */
  auditDetails(details: AuditDetails): void;
  /** Whether gated subjects are open: the conditions capability's gate state, for this caller. */
  gates: Gates;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A context and the audit details its handler gave. */
function context(db: Queryable, actor: Actor | null, requestId: string, conditions: ConditionsRuntime) {
  const details: AuditDetails = {};
  const ctx: Ctx = {
    db,
    actor,
    requestId,
    gates: conditions.forCaller(db, actor),
    requireActor() {
      if (!actor) throw new Problem('auth.unauthenticated');
      return actor;
    },
    auditDetails(more) {
      Object.assign(details, more);
    },
  };
  return { ctx, details };
}

export function makeCtx(db: Queryable, actor: Actor | null, requestId: string, conditions: ConditionsRuntime): Ctx {
  return context(db, actor, requestId, conditions).ctx;
}

function idOf(result: unknown): string | null {
  const id = (result as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

/** Writes the route's audit entry for a handler that succeeded, in the handler's transaction. */
async function writeAudit(tx: Queryable, req: FastifyRequest, declared: RouteAudit, details: AuditDetails, result: unknown) {
  const after = 'after' in details ? details.after : declared.answerIsSecret ? undefined : result;
  await insertAudit(tx, req.actor, req.id, {
    action: details.action ?? declared.action,
    entityType: declared.entityType,
    entityId: details.entityId !== undefined ? details.entityId : (declared.entityId?.(result, req) ?? idOf(result)),
    before: details.before,
    after,
  });
}

/** The work of a write route in its transaction, with its audit entry. */
async function auditedWork<T>(tx: Queryable, req: FastifyRequest, work: (ctx: Ctx) => Promise<T>): Promise<T> {
  const { ctx, details } = context(tx, req.actor, req.id, req.server.conditions);
  const result = await work(ctx);
  const declared = req.routeOptions.config.audit;
  if (declared && declared.writtenBy !== 'handler') await writeAudit(tx, req, declared, details, result);
  return result;
}

/**
 * Runs a handler's work in the request's context. Usage in a route:
 *   handler: (req, reply) => run(req, reply, async (ctx) => service.create(ctx, req.body))
 * A result of `undefined` answers 204 No Content.
 */
export async function run<T>(req: FastifyRequest, reply: FastifyReply, work: (ctx: Ctx) => Promise<T>): Promise<T> {
  const db: Db = req.server.db;
  const config = req.routeOptions.config;
  if (config.idempotent) return runIdempotent(req, reply, db, work);
  let result: T;
  if (!WRITE_METHODS.has(req.method) || config.readOnly === true)
    result = await work(makeCtx(db, req.actor, req.id, req.server.conditions));
  // The handler manages its own transactions and audit entries (see RouteAudit.writtenBy).
  else if (config.transaction === false) result = await work(makeCtx(db, req.actor, req.id, req.server.conditions));
  else result = await db.transaction((tx) => auditedWork(tx, req, work));
  // Nothing is sent before the transaction has committed.
  if (result === undefined) return reply.code(204).send() as T;
  return result;
}

/** A money write: the key is claimed, the work done, audited and its response stored in one transaction. */
async function runIdempotent<T>(req: FastifyRequest, reply: FastifyReply, db: Db, work: (ctx: Ctx) => Promise<T>): Promise<T> {
  const key = idempotencyKey(req);
  const outcome = await db.transaction(async (tx): Promise<{ replay: Replay } | { result: T }> => {
    const replay = await claimKey(tx, req, key);
    if (replay) return { replay };
    const result = await auditedWork(tx, req, work);
    if (result === undefined) reply.code(204);
    await storeResponse(tx, req, key, reply.statusCode, result === undefined ? null : String(reply.serialize(result)));
    return { result };
  });
  if ('replay' in outcome) return sendReplay(reply, outcome.replay) as T;
  if (outcome.result === undefined) return reply.send() as T;
  return outcome.result;
}
