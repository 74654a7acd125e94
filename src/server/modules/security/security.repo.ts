/**
 * The security log: every refused request (401, 403, and 404 for a record that exists but
 * the caller may not see) with the actor and the address it came from, and the alerts that
 * repeated refusals raise. Written by the app's error handler after the request's own
 * transaction has rolled back, so a refusal is logged whatever the request did.
 */
import sql, { empty, join, type Sql } from 'sql-template-tag';
import type { Db, Queryable } from '../../db/db.ts';

/** Refusals of one actor, or from one address, within the window that raise an alert. */
export const ALERT_THRESHOLD = 10;
export const ALERT_WINDOW_MINUTES = 10;
/** How long the log keeps a refusal. */
export const KEEP_DAYS = 365;

export interface Refusal {
  status: 401 | 403 | 404;
  code: string;
  detail: string | null;
  actorUserId: string | null;
  actorLabel: string;
  organisationId: string | null;
  ip: string;
  method: string;
  route: string;
  url: string;
  requestId: string;
}

type Subject = { kind: 'actor' | 'address'; subject: string };

/**
 * Logs a refusal, and raises an alert for its actor and for its address once they have been
 * refused ALERT_THRESHOLD times within the window since their last acknowledged alert.
 * While an alert is open nothing more is written for it: its count and latest refusal are
 * read from the log (listAlerts), so a flood of refusals from one address adds rows, never
 * waits on one. Two refusals that cross the threshold at once meet on the unique open
 * alert: one inserts it, the other finds it there.
 */
export async function recordRefusal(db: Db, refusal: Refusal): Promise<void> {
  await db.query(sql`
    insert into security_events (status, code, detail, actor_user_id, actor_label, organisation_id, ip, method, route, url, request_id)
    values (${refusal.status}, ${refusal.code}, ${refusal.detail}, ${refusal.actorUserId}::uuid, ${refusal.actorLabel},
            ${refusal.organisationId}::uuid, ${refusal.ip}, ${refusal.method}, ${refusal.route}, ${refusal.url}, ${refusal.requestId})`);
  const subjects: Subject[] = [{ kind: 'address', subject: refusal.ip }];
  if (refusal.actorUserId || refusal.actorLabel !== 'anonymous') subjects.unshift({ kind: 'actor', subject: refusal.actorLabel });
  for (const subject of subjects) await raiseIfRepeated(db, subject);
}

const subjectColumn = (kind: Subject['kind']) => (kind === 'actor' ? sql`e.actor_label` : sql`e.ip`);

async function raiseIfRepeated(db: Queryable, { kind, subject }: Subject): Promise<void> {
  const result = await db.query<{ open: boolean; refusals: number; first_at: Date | null }>(sql`
    with open as (
      select 1 from security_alerts a where a.subject_kind = ${kind} and a.subject = ${subject} and a.acknowledged_at is null
    )
    select exists (select 1 from open) as open, c.refusals, c.first_at
    from (select 1) one
    left join lateral (
      select count(*)::int as refusals, min(e.at) as first_at from security_events e
      where not exists (select 1 from open) and ${subjectColumn(kind)} = ${subject}
        and e.at > greatest(now() - make_interval(mins => ${ALERT_WINDOW_MINUTES}),
                            coalesce((select max(a.acknowledged_at) from security_alerts a
                                      where a.subject_kind = ${kind} and a.subject = ${subject}), '-infinity'))
    ) c on true`);
  const { open, refusals, first_at } = result.rows[0];
  if (open || refusals < ALERT_THRESHOLD) return;
  await db.query(sql`
    insert into security_alerts (subject_kind, subject, first_at, last_at, refusals)
    values (${kind}, ${subject}, ${first_at}, now(), ${refusals})
    on conflict (subject_kind, subject) where acknowledged_at is null do nothing`);
}

export interface Alert {
  id: string;
  subjectKind: 'actor' | 'address';
  subject: string;
  firstAt: Date;
  lastAt: Date;
  refusals: number;
  raisedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

/**
 * An alert's count and latest refusal: the refusals of its subject from its first one until
 * it was acknowledged (or now), read from the log; the stored figures are those at raising.
 */
const alertColumns = sql`a.id, a.subject_kind as "subjectKind", a.subject, a.first_at as "firstAt",
  coalesce(counted.last_at, a.last_at) as "lastAt", greatest(coalesce(counted.refusals, 0), a.refusals) as refusals,
  a.raised_at as "raisedAt", a.acknowledged_at as "acknowledgedAt", a.acknowledged_by as "acknowledgedBy"`;
const alertFrom = sql`security_alerts a
  left join lateral (
    select count(*)::int as refusals, max(e.at) as last_at from security_events e
    where (case when a.subject_kind = 'actor' then e.actor_label else e.ip end) = a.subject
      and e.at >= a.first_at and (a.acknowledged_at is null or e.at <= a.acknowledged_at)
  ) counted on true`;

export async function listAlerts(
  db: Queryable,
  filter: { status?: 'open' | 'acknowledged'; page: number; pageSize: number },
): Promise<{ items: Alert[]; total: number; open: number }> {
  const where =
    filter.status === 'open'
      ? sql`where a.acknowledged_at is null`
      : filter.status === 'acknowledged'
        ? sql`where a.acknowledged_at is not null`
        : empty;
  const [items, count] = await Promise.all([
    db.query<Alert>(sql`select ${alertColumns} from ${alertFrom} ${where}
                        order by a.acknowledged_at is null desc, a.raised_at desc, a.id
                        limit ${filter.pageSize} offset ${(filter.page - 1) * filter.pageSize}`),
    db.query<{ total: number; open: number }>(sql`
      select (select count(*)::int from security_alerts a ${where}) as total,
             (select count(*)::int from security_alerts where acknowledged_at is null) as open`),
  ]);
  return { items: items.rows, ...count.rows[0] };
}

export async function getAlert(db: Queryable, id: string, lock = false): Promise<Alert | undefined> {
  if (lock) await db.query(sql`select 1 from security_alerts where id = ${id}::uuid for update`);
  return (await db.query<Alert>(sql`select ${alertColumns} from ${alertFrom} where a.id = ${id}::uuid`)).rows[0];
}

export async function acknowledgeAlert(db: Queryable, id: string, by: string): Promise<void> {
  await db.query(
    sql`update security_alerts set acknowledged_at = now(), acknowledged_by = ${by} where id = ${id}::uuid and acknowledged_at is null`,
  );
}

export interface SecurityEvent {
  id: number;
  at: Date;
  status: number;
  code: string;
  detail: string | null;
  actorLabel: string;
  ip: string;
  method: string;
  route: string;
  url: string;
  requestId: string | null;
}

/** The refusals of an alert's subject (or all), newest first. */
export async function listEvents(
  db: Queryable,
  filter: { actor?: string; ip?: string; before?: number; limit: number },
): Promise<SecurityEvent[]> {
  const conditions: Sql[] = [];
  if (filter.actor) conditions.push(sql`actor_label = ${filter.actor}`);
  if (filter.ip) conditions.push(sql`ip = ${filter.ip}`);
  if (filter.before) conditions.push(sql`id < ${filter.before}`);
  const where = conditions.length ? sql`where ${join(conditions, ' and ')}` : empty;
  return (
    await db.query<SecurityEvent>(sql`
      select id, at, status, code, detail, actor_label as "actorLabel", ip, method, route, url, request_id as "requestId"
      from security_events ${where} order by id desc limit ${filter.limit}`)
  ).rows;
}

export async function pruneSecurityEvents(db: Queryable): Promise<void> {
  await db.query(sql`delete from security_events where at < now() - make_interval(days => ${KEEP_DAYS})`);
}
