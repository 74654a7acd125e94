/**
 * Idempotency keys for money writes (the IETF "Idempotency-Key" HTTP header). The key
 * is claimed inside the request's transaction, before any work: the first request stores
 * its response with the key; a retry with the same key and the same request gets that
 * response again (with `Idempotent-Replayed: true`) and posts nothing; the same key with
 * a different request is refused. Two requests racing with one key meet on the primary
 * key: the second waits for the first to commit and then replays it. A request that
 * fails rolls back its claim, so it can be retried with the same key.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import sql from 'sql-template-tag';
import type { Queryable } from '../db/db.ts';
import { invalid, Problem } from './problems.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export interface Replay {
  status: number;
  body: string;
}

/** The key of this request, or a problem when it is missing or unreadable. */
export function idempotencyKey(req: FastifyRequest): string {
  const value = req.headers[IDEMPOTENCY_HEADER];
  if (value === undefined)
    throw new Problem(
      'request.idempotency-key-missing',
      'Send a unique Idempotency-Key header with this request, and the same one when you retry it.',
    );
  if (typeof value !== 'string' || !KEY_PATTERN.test(value))
    throw invalid([{ pointer: '/Idempotency-Key', in: 'headers', detail: 'Use 1 to 200 visible ASCII characters, e.g. a UUID.' }]);
  return value;
}

/** Whose keys these are: keys of different users never collide. */
function principal(req: FastifyRequest): string {
  const actor = req.actor;
  if (!actor) return 'anonymous';
  return actor.userId ? `user:${actor.userId}` : `${actor.kind}:${actor.name}`;
}

function requestHash(req: FastifyRequest): string {
  return createHash('sha256')
    .update(`${req.method} ${req.url}\n`)
    .update(JSON.stringify(req.body ?? null))
    .digest('hex');
}

/** Claims the key; returns the stored response when this request was already answered. */
export async function claimKey(db: Queryable, req: FastifyRequest, key: string): Promise<Replay | undefined> {
  const hash = requestHash(req);
  const who = principal(req);
  const claimed = await db.query(sql`
    insert into idempotency_keys (principal, key, request_hash) values (${who}, ${key}, ${hash})
    on conflict do nothing returning key`);
  if (claimed.rowCount) return undefined;
  const stored = (
    await db.query<{ requestHash: string; status: number | null; response: string | null }>(sql`
      select request_hash as "requestHash", status, response from idempotency_keys where principal = ${who} and key = ${key}`)
  ).rows[0];
  if (stored.requestHash !== hash)
    throw new Problem(
      'request.idempotency-key-reused',
      'Use a new Idempotency-Key for a new request; reuse a key only to retry the same one.',
    );
  return { status: stored.status ?? 204, body: stored.response ?? '' };
}

export async function storeResponse(db: Queryable, req: FastifyRequest, key: string, status: number, body: string | null): Promise<void> {
  await db.query(sql`update idempotency_keys set status = ${status}, response = ${body}
    where principal = ${principal(req)} and key = ${key}`);
}

/** How long a key and its answer are kept: a client retries within minutes, not months. */
export const IDEMPOTENCY_RETENTION_DAYS = 30;

/** Forgets keys older than the retention period (run with the server's other housekeeping). */
export async function pruneIdempotencyKeys(db: Queryable): Promise<number> {
  const removed = await db.query(
    sql`delete from idempotency_keys where created_at < now() - make_interval(days => ${IDEMPOTENCY_RETENTION_DAYS})`,
  );
  return removed.rowCount ?? 0;
}

export function sendReplay(reply: FastifyReply, replay: Replay): FastifyReply {
  reply.code(replay.status).header('idempotent-replayed', 'true');
  if (!replay.body) return reply.send();
  return reply
    .header('content-type', 'application/json; charset=utf-8')
    .serializer((payload) => payload as string)
    .send(replay.body);
}
