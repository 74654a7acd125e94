/** SQL for sessions, API tokens and sign-in attempts. */
import sql from 'sql-template-tag';
import type { OrganisationType } from '../../../shared/organisations.ts';
import type { Db, Queryable } from '../../db/db.ts';

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
  /** The session was opened with a one-time code, or the user confirmed one in it. */
  second_factor: boolean;
}

/** A live session: not expired, not idle too long, and its user not disabled. */
export async function findSession(db: Queryable, sessionId: string): Promise<SessionRow | undefined> {
  const result = await db.query<SessionRow>(sql`
    select s.id as session_id, s.csrf_token, s.last_seen_at < now() - interval '1 minute' as stale, s.second_factor, ${principalColumns}
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
  session: { id: string; userId: string; csrfToken: string; ip: string; userAgent: string | null; secondFactor: boolean },
): Promise<void> {
  await db.query(sql`
    insert into sessions (id, user_id, csrf_token, expires_at, ip, user_agent, second_factor)
    values (${session.id}, ${session.userId}::uuid, ${session.csrfToken},
            now() + make_interval(hours => ${ABSOLUTE_TIMEOUT_HOURS}), ${session.ip}, ${session.userAgent}, ${session.secondFactor})`);
}

export async function markSecondFactor(db: Queryable, sessionId: string): Promise<void> {
  await db.query(sql`update sessions set second_factor = true where id = ${sessionId}`);
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
  /** Made in a session that passed the second factor. */
  second_factor: boolean;
}

/**
 * A live token: not revoked, not expired, its user not disabled. Whether it still meets
 * the organisation's second-factor requirement is the caller's to decide (authenticate.ts).
 */
export async function findToken(db: Queryable, tokenHash: string): Promise<TokenRow | undefined> {
  const result = await db.query<TokenRow>(sql`
    select t.id as token_id, t.scopes, t.second_factor, ${principalColumns}
    from api_tokens t
    join users u on u.id = t.user_id
    join organisations o on o.id = u.organisation_id
    where t.token_hash = ${tokenHash} and t.revoked_at is null and t.expires_at > now()
      and u.disabled_at is null`);
  return result.rows[0];
}

export async function touchToken(db: Queryable, tokenId: string): Promise<void> {
  await db.query(sql`update api_tokens set last_used_at = now()
                     where id = ${tokenId}::uuid and (last_used_at is null or last_used_at < now() - interval '1 minute')`);
}

/** Revokes every live API token of a user (a password changed or reset); returns how many. */
export async function revokeUserTokens(db: Queryable, userId: string): Promise<number> {
  return (await db.query(sql`update api_tokens set revoked_at = now() where user_id = ${userId}::uuid and revoked_at is null`)).rowCount;
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

/**
 * Checks the limits and, when they allow another attempt, records it as failed before any
 * password is checked: all in one transaction holding locks on the email and on the
 * address (always in that order, so two attempts never wait for each other in a circle).
 * Attempts that race are so counted one after another, and no more than the limit get
 * through. A sign-in that succeeds turns its attempt into a success (attemptSucceeded).
 */
export async function reserveAttempt(db: Db, email: string, ip: string): Promise<Lockout & { attemptId: number | null }> {
  return db.transaction(async (tx) => {
    await tx.query(sql`select pg_advisory_xact_lock(7243101, hashtext(${email}))`);
    await tx.query(sql`select pg_advisory_xact_lock(7243102, hashtext(${ip}))`);
    const lockout = await checkLockout(tx, email, ip);
    if (lockout.locked) return { ...lockout, attemptId: null };
    const inserted = await tx.query<{ id: number }>(
      sql`insert into sign_in_attempts (email, ip, succeeded) values (${email}, ${ip}, false) returning id`,
    );
    return { ...lockout, attemptId: inserted.rows[0].id };
  });
}

export async function attemptSucceeded(db: Queryable, attemptId: number): Promise<void> {
  await db.query(sql`update sign_in_attempts set succeeded = true where id = ${attemptId}`);
}

/** An attempt that was neither right nor wrong (the password was right, the one-time code not yet given). */
export async function forgetAttempt(db: Queryable, attemptId: number): Promise<void> {
  await db.query(sql`delete from sign_in_attempts where id = ${attemptId}`);
}

/**
 * Uses a one-time code's time step: only if no code of this step or a later one was used
 * before. Two requests with one code meet on the user's row; the second finds the step
 * taken. Returns whether this request got it.
 */
export async function takeTotpStep(db: Queryable, userId: string, step: number): Promise<boolean> {
  const result = await db.query(sql`
    update users set totp_last_step = ${step}
    where id = ${userId}::uuid and (totp_last_step is null or totp_last_step < ${step})`);
  return result.rowCount === 1;
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
