/** SQL for sessions, API tokens and sign-in attempts. */
import sql from 'sql-template-tag';
import type { OrganisationType } from '../../../shared/organisations.ts';
import type { Queryable } from '../../db/db.ts';

export const IDLE_TIMEOUT_MINUTES = 30;
export const ABSOLUTE_TIMEOUT_HOURS = 12;
export const FAILURE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

export interface PrincipalRow {
  user_id: string;
  email: string;
  name: string;
  locale: 'en' | 'ar';
  totp_enabled: boolean;
  organisation_id: string;
  organisation_name: string;
  organisation_name_ar: string | null;
  organisation_type: OrganisationType;
  require_totp: boolean;
  roles: string[];
  permissions: string[];
}

const principalColumns = sql`
  u.id as user_id, u.email, u.name, u.locale, u.totp_enabled_at is not null as totp_enabled,
  o.id as organisation_id, o.name as organisation_name, o.name_ar as organisation_name_ar, o.type as organisation_type, o.require_totp,
  coalesce((select array_agg(ur.role_key order by ur.role_key) from user_roles ur where ur.user_id = u.id), '{}') as roles,
  coalesce((select array_agg(distinct p) from user_roles ur join roles r on r.key = ur.role_key
            cross join lateral unnest(r.permissions) p where ur.user_id = u.id), '{}') as permissions`;

export async function findPrincipal(db: Queryable, userId: string): Promise<PrincipalRow | undefined> {
  const result = await db.query<PrincipalRow>(sql`
    select ${principalColumns}
    from users u join organisations o on o.id = u.organisation_id
    where u.id = ${userId}::uuid`);
  return result.rows[0];
}

export interface SessionRow extends PrincipalRow {
  session_id: string;
  csrf_token: string;
  stale: boolean;
}

/** A live session: not expired, not idle too long, and its user not disabled. */
export async function findSession(db: Queryable, sessionId: string): Promise<SessionRow | undefined> {
  const result = await db.query<SessionRow>(sql`
    select s.id as session_id, s.csrf_token, s.last_seen_at < now() - interval '1 minute' as stale, ${principalColumns}
    from sessions s
    join users u on u.id = s.user_id
    join organisations o on o.id = u.organisation_id
    where s.id = ${sessionId} and u.disabled_at is null and s.expires_at > now()
      and s.last_seen_at > now() - make_interval(mins => ${IDLE_TIMEOUT_MINUTES})`);
  return result.rows[0];
}

export async function touchSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query(sql`update sessions set last_seen_at = now() where id = ${sessionId}`);
}

export async function createSession(
  db: Queryable,
  session: { id: string; userId: string; csrfToken: string; ip: string; userAgent: string | null },
): Promise<void> {
  await db.query(sql`
    insert into sessions (id, user_id, csrf_token, expires_at, ip, user_agent)
    values (${session.id}, ${session.userId}::uuid, ${session.csrfToken},
            now() + make_interval(hours => ${ABSOLUTE_TIMEOUT_HOURS}), ${session.ip}, ${session.userAgent})`);
}

export async function deleteSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query(sql`delete from sessions where id = ${sessionId}`);
}

export async function deleteUserSessions(db: Queryable, userId: string): Promise<number> {
  return (await db.query(sql`delete from sessions where user_id = ${userId}::uuid`)).rowCount;
}

export interface TokenRow extends PrincipalRow {
  token_id: string;
  scopes: string[];
}

export async function findToken(db: Queryable, tokenHash: string): Promise<TokenRow | undefined> {
  const result = await db.query<TokenRow>(sql`
    select t.id as token_id, t.scopes, ${principalColumns}
    from api_tokens t
    join users u on u.id = t.user_id
    join organisations o on o.id = u.organisation_id
    where t.token_hash = ${tokenHash} and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
      and u.disabled_at is null`);
  return result.rows[0];
}

export async function touchToken(db: Queryable, tokenId: string): Promise<void> {
  await db.query(sql`update api_tokens set last_used_at = now()
                     where id = ${tokenId}::uuid and (last_used_at is null or last_used_at < now() - interval '1 minute')`);
}

export interface Lockout {
  locked: boolean;
  retryAfterSeconds: number;
}

/**
 * Failed sign-ins in the window, per account (counted since its last success) and per
 * address. Either limit reached locks further attempts until the oldest failure leaves
 * the window.
 */
export async function checkLockout(db: Queryable, email: string, ip: string): Promise<Lockout> {
  const result = await db.query<{ account: number; address: number; account_retry: number | null; address_retry: number | null }>(sql`
    with window_start as (select now() - make_interval(mins => ${FAILURE_WINDOW_MINUTES}) as at),
    account as (
      select at from sign_in_attempts
      where email = ${email} and not succeeded and at > (select at from window_start)
        and at > coalesce((select max(at) from sign_in_attempts where email = ${email} and succeeded), '-infinity')
    ),
    address as (
      select at from sign_in_attempts where ip = ${ip} and not succeeded and at > (select at from window_start)
    )
    select (select count(*) from account) as account, (select count(*) from address) as address,
           ceil(extract(epoch from (select min(at) from account) - (select at from window_start)))::int as account_retry,
           ceil(extract(epoch from (select min(at) from address) - (select at from window_start)))::int as address_retry`);
  const row = result.rows[0];
  if (row.account >= MAX_FAILURES_PER_ACCOUNT) return { locked: true, retryAfterSeconds: Math.max(1, row.account_retry ?? 60) };
  if (row.address >= MAX_FAILURES_PER_ADDRESS) return { locked: true, retryAfterSeconds: Math.max(1, row.address_retry ?? 60) };
  return { locked: false, retryAfterSeconds: 0 };
}

export async function recordAttempt(db: Queryable, email: string, ip: string, succeeded: boolean): Promise<void> {
  await db.query(sql`insert into sign_in_attempts (email, ip, succeeded) values (${email}, ${ip}, ${succeeded})`);
}

export interface CredentialRow {
  id: string;
  email: string;
  password_hash: string;
  disabled: boolean;
  totp_secret: string | null;
  totp_enabled: boolean;
  totp_last_step: number | null;
  organisation_id: string;
}

export async function findCredentials(db: Queryable, email: string): Promise<CredentialRow | undefined> {
  const result = await db.query<CredentialRow>(sql`
    select id, email, password_hash, disabled_at is not null as disabled, totp_secret,
           totp_enabled_at is not null as totp_enabled, totp_last_step, organisation_id
    from users where email = ${email}`);
  return result.rows[0];
}

/** Removes what no longer matters: expired sessions and old sign-in attempts. */
export async function pruneAuthState(db: Queryable): Promise<void> {
  await db.query(
    sql`delete from sessions where expires_at < now() or last_seen_at < now() - make_interval(mins => ${IDLE_TIMEOUT_MINUTES})`,
  );
  await db.query(sql`delete from sign_in_attempts where at < now() - interval '1 day'`);
}
