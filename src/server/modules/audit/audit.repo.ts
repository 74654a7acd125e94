/**
 * Writing and reading the audit trail. A write's audit entry goes through the same
 * transaction as the write itself, so neither exists without the other. Writers only
 * insert: the sealer (sealer.ts) gives each record its place in the Merkle tree later.
 */
import sql, { empty, join, raw, type Sql } from 'sql-template-tag';
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
    insert into audit_log (actor_user_id, actor_label, organisation_id, action, entity_type, entity_id, before, after, request_id)
    values (${actor?.userId ?? null}, ${actorLabel(actor)}, ${entry.organisationId ?? actor?.organisationId ?? null},
            ${entry.action}, ${entry.entityType}, ${entry.entityId ?? null}, ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb,
            ${requestId})`);
}

/**
 * A record's leaf hash, SHA-256(0x00 || canonical content) as RFC 9162 defines a leaf. The
 * canonical content is the JSON array of its fields in a fixed order, time as integer
 * microseconds since 1970 (so it never depends on the session's time zone) and before and
 * after as PostgreSQL prints jsonb (keys in one fixed order):
 *
 *   [id, at_us, actor_user_id, actor_label, organisation_id, action, entity_type, entity_id, before, after, request_id]
 *
 * The expression is sent with each query, never called as a function stored in the
 * database, which whoever can change the rows could change too. `alias` names audit_log.
 */
export function leafHashSql(alias: string): Sql {
  const a = (column: string) => `${alias}.${column}`;
  return raw(`sha256('\\x00'::bytea || convert_to(json_build_array(${a('id')}, floor(extract(epoch from ${a('at')}) * 1000000)::bigint,
    ${a('actor_user_id')}, ${a('actor_label')}, ${a('organisation_id')}, ${a('action')}, ${a('entity_type')}, ${a('entity_id')},
    ${a('before')}, ${a('after')}, ${a('request_id')})::text, 'UTF8'))`);
}

/** A bytea value as a Buffer, whichever engine returned it. */
export function asBuffer(value: Uint8Array | null | undefined): Buffer {
  if (!value) return Buffer.alloc(0);
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
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
  organisation_name_ar: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  /** The record's place in the tree; null until the sealer has sealed it. */
  seq: number | null;
  leaf_hash: Uint8Array | null;
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
           a.organisation_id, o.name as organisation_name, o.name_ar as organisation_name_ar, a.action, a.entity_type, a.entity_id,
           a.before, a.after, a.request_id, l.seq, l.leaf_hash
    from audit_log a
    left join audit_leaves l on l.audit_id = a.id
    left join users u on u.id = a.actor_user_id
    left join organisations o on o.id = a.organisation_id
    ${where}
    order by a.id desc
    limit ${filter.limit}`);
  return result.rows;
}
