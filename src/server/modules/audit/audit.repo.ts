/**
 * Writing and reading the audit trail. A write's audit entry goes through the same
 * transaction as the write itself, so neither exists without the other. Hashing and
 * ordering happen in the database (migration 0001), where no caller can get them wrong.
 */
import sql, { empty, join, type Sql } from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { type Actor, actorLabel } from '../../http/actor.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Defaults to the actor's organisation. */
  organisationId?: string | null;
}

export async function insertAudit(db: Queryable, actor: Actor | null, requestId: string | null, entry: AuditEntry) {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  await db.query(sql`
    insert into audit_log (actor_user_id, actor_label, organisation_id, action, entity_type, entity_id, before, after, request_id, prev_hash, hash)
    values (${actor?.userId ?? null}, ${actorLabel(actor)}, ${entry.organisationId ?? actor?.organisationId ?? null},
            ${entry.action}, ${entry.entityType}, ${entry.entityId ?? null}, ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb,
            ${requestId}, '', '')`);
}

export interface AuditFilter {
  actor?: string;
  organisationId?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Rows with an id below this one (keyset pagination, newest first). */
  before?: number;
  limit: number;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor_user_id: string | null;
  actor_email: string | null;
  actor_name: string | null;
  actor_label: string;
  organisation_id: string | null;
  organisation_name: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  hash: string;
}

export async function listAudit(db: Queryable, filter: AuditFilter): Promise<AuditRow[]> {
  const conditions: Sql[] = [];
  if (filter.actor) {
    const like = `%${filter.actor.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
    conditions.push(sql`(lower(a.actor_label) like ${like} or u.email like ${like})`);
  }
  if (filter.organisationId) conditions.push(sql`a.organisation_id = ${filter.organisationId}::uuid`);
  if (filter.entityType) conditions.push(sql`a.entity_type = ${filter.entityType}`);
  if (filter.entityId) conditions.push(sql`a.entity_id = ${filter.entityId}`);
  if (filter.action) {
    // "access.user" matches access.user.create, access.user.disable, ...
    conditions.push(sql`(a.action = ${filter.action} or a.action like ${`${filter.action.replace(/[\\%_]/g, '\\$&')}.%`})`);
  }
  if (filter.from) conditions.push(sql`a.at >= ${filter.from}`);
  if (filter.to) conditions.push(sql`a.at < ${filter.to}`);
  if (filter.before) conditions.push(sql`a.id < ${filter.before}`);
  const where = conditions.length ? sql`where ${join(conditions, ' and ')}` : empty;
  const result = await db.query<AuditRow>(sql`
    select a.id, a.at, a.actor_user_id, u.email as actor_email, u.name as actor_name, a.actor_label,
           a.organisation_id, o.name as organisation_name, a.action, a.entity_type, a.entity_id,
           a.before, a.after, a.request_id, a.hash
    from audit_log a
    left join users u on u.id = a.actor_user_id
    left join organisations o on o.id = a.organisation_id
    ${where}
    order by a.id desc
    limit ${filter.limit}`);
  return result.rows;
}

export type VerifyResult = { status: 'intact'; rows: number } | { status: 'broken'; rows: number; firstBrokenId: number; reason: string };

/**
 * Recomputes every row's hash in order. A row is broken when its stored hash does not
 * match its content (it was changed), or its prev_hash is not the hash of the row before
 * it (a row before it was removed or changed).
 */
export async function verifyAudit(db: Queryable): Promise<VerifyResult> {
  const result = await db.query<{ rows: number; id: number | null; content_ok: boolean | null; link_ok: boolean | null }>(sql`
    with chain as (
      select a.id, a.hash = audit_log_hash(a.prev_hash, a) as content_ok,
             a.prev_hash = coalesce(lag(a.hash) over (order by a.id), '') as link_ok
      from audit_log a
    )
    select (select count(*) from audit_log) as rows, b.id, b.content_ok, b.link_ok
    from (select 1) one
    left join lateral (select * from chain where not (content_ok and link_ok) order by id limit 1) b on true`);
  const row = result.rows[0];
  if (!row.id) return { status: 'intact', rows: row.rows };
  const reason = !row.content_ok
    ? 'Its content does not match its hash: the row was changed after it was written.'
    : 'Its link to the previous row is broken: a row before it was removed or changed.';
  return { status: 'broken', rows: row.rows, firstBrokenId: row.id, reason };
}
