/**
 * Signing in and out, the current user's own settings, and their second factor.
 */
import sql from 'sql-template-tag';
import type { Db, Queryable } from '../../db/db.ts';
import type { Actor } from '../../http/actor.ts';
import { actorOf } from '../../http/authenticate.ts';
import type { Ctx } from '../../http/context.ts';
import { invalid, Problem } from '../../http/problems.ts';
import { insertAudit } from '../audit/audit.repo.ts';
import * as repo from './auth.repo.ts';
import { checkTotp, hashPassword, newTotpSecret, randomToken, sha256, totpUri, verifyPassword } from './credentials.ts';
import { checkPassword } from './passwords.ts';

export interface Me {
  id: string;
  email: string;
  name: string;
  locale: 'en' | 'ar';
  organisation: { id: string; name: string; nameAr: string | null; type: string };
  roles: string[];
  permissions: string[];
  totpEnabled: boolean;
  mustEnrolTotp: boolean;
}

export function presentMe(row: repo.PrincipalRow): Me {
  return {
    id: row.user_id,
    email: row.email,
    name: row.name,
    locale: row.locale,
    organisation: { id: row.organisation_id, name: row.organisation_name, nameAr: row.organisation_name_ar, type: row.organisation_type },
    roles: row.roles,
    permissions: [...row.permissions].sort(),
    totpEnabled: row.totp_enabled,
    mustEnrolTotp: row.require_totp && !row.totp_enabled,
  };
}

export interface SignInInput {
  email: string;
  password: string;
  totp?: string;
  ip: string;
  userAgent: string | null;
  requestId: string;
  previousSessionId?: string;
}

export interface SignInResult {
  me: Me;
  sessionToken: string;
  csrfToken: string;
}

/** Audits a failed sign-in; its attempt was recorded as failed before the password was checked. */
async function fail(
  db: Db,
  input: SignInInput,
  email: string,
  userId: string | null,
  reason: string,
  code: 'auth.invalid-credentials' | 'auth.totp-invalid',
) {
  await insertAudit(db, null, input.requestId, {
    action: 'auth.sign-in.fail',
    entityType: 'user',
    entityId: userId,
    after: { email, reason, ip: input.ip },
  });
  return new Problem(code);
}

export async function signIn(db: Db, input: SignInInput): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  // The attempt counts before anything is checked, so attempts that race count too.
  const attempt = await repo.reserveAttempt(db, email, input.ip);
  if (attempt.locked || attempt.attemptId === null) {
    throw new Problem(
      'auth.rate-limited',
      `Too many failed sign-ins. Try again in ${Math.ceil(attempt.retryAfterSeconds / 60)} minute(s).`,
      {
        retryAfterSeconds: attempt.retryAfterSeconds,
        headers: { 'retry-after': String(attempt.retryAfterSeconds) },
      },
    );
  }
  const attemptId = attempt.attemptId;
  const user = await repo.findCredentials(db, email);
  const passwordOk = await verifyPassword(user?.password_hash, input.password);
  if (!user || !passwordOk || user.disabled) {
    const reason = !user ? 'unknown email' : user.disabled ? 'user disabled' : 'wrong password';
    throw await fail(db, input, email, user?.id ?? null, reason, 'auth.invalid-credentials');
  }
  let totpStep: number | null = null;
  if (user.totp_enabled && user.totp_secret) {
    if (!input.totp) {
      // The right password without its code yet: the next request brings the code.
      await repo.forgetAttempt(db, attemptId);
      throw new Problem('auth.totp-required', 'Enter the 6-digit code from your authenticator app.');
    }
    totpStep = checkTotp(user.totp_secret, input.totp, user.totp_last_step);
    if (totpStep === null) throw await fail(db, input, email, user.id, 'wrong one-time code', 'auth.totp-invalid');
  }

  // A new session id at every sign-in: a session id known before sign-in is worthless after.
  const sessionToken = randomToken();
  const csrfToken = randomToken();
  const principal = await db.transaction(async (tx) => {
    // A code is good once: of requests racing with one code, only the first takes its step.
    if (totpStep !== null && !(await repo.takeTotpStep(tx, user.id, totpStep))) return null;
    if (input.previousSessionId) await repo.deleteSession(tx, input.previousSessionId);
    await repo.createSession(tx, {
      id: sha256(sessionToken),
      userId: user.id,
      csrfToken,
      ip: input.ip,
      userAgent: input.userAgent,
      secondFactor: totpStep !== null,
    });
    await repo.attemptSucceeded(tx, attemptId);
    const row = await repo.findPrincipal(tx, user.id);
    if (!row) throw new Problem('auth.invalid-credentials');
    const actor = actorOf(row, 'session');
    await insertAudit(tx, actor, input.requestId, {
      action: 'auth.sign-in',
      entityType: 'user',
      entityId: user.id,
      after: { ip: input.ip, secondFactor: totpStep !== null },
    });
    return row;
  });
  if (!principal) throw await fail(db, input, email, user.id, 'one-time code already used', 'auth.totp-invalid');
  return { me: presentMe(principal), sessionToken, csrfToken };
}

export async function signOut(ctx: Ctx): Promise<void> {
  const actor = ctx.requireActor();
  if (actor.sessionId) await repo.deleteSession(ctx.db, actor.sessionId);
}

export async function me(db: Queryable, actor: Actor): Promise<Me> {
  if (!actor.userId) throw new Problem('auth.forbidden', 'The server console has no user account.');
  const row = await repo.findPrincipal(db, actor.userId);
  if (!row) throw new Problem('auth.unauthenticated');
  return presentMe(row);
}

export async function updateMe(ctx: Ctx, changes: { name?: string; locale?: 'en' | 'ar' }): Promise<Me> {
  const actor = ctx.requireActor();
  const before = await me(ctx.db, actor);
  await ctx.db.query(sql`
    update users set name = coalesce(${changes.name ?? null}, name), locale = coalesce(${changes.locale ?? null}, locale), updated_at = now()
    where id = ${actor.userId}::uuid`);
  const after = await me(ctx.db, actor);
  ctx.auditDetails({ before: { name: before.name, locale: before.locale }, after: { name: after.name, locale: after.locale } });
  return after;
}

/** A new password of one's own: the other sessions end, and every API token is revoked. */
export async function changePassword(ctx: Ctx, currentPassword: string, newPassword: string): Promise<void> {
  const actor = ctx.requireActor();
  const row = await ctx.db.query<{ password_hash: string; email: string; name: string }>(
    sql`select password_hash, email, name from users where id = ${actor.userId}::uuid`,
  );
  if (!(await verifyPassword(row.rows[0]?.password_hash, currentPassword))) {
    throw invalid([{ pointer: '/currentPassword', detail: 'The current password is wrong.' }]);
  }
  checkPassword(newPassword, [row.rows[0].email, row.rows[0].name], '/newPassword');
  await ctx.db.query(sql`update users set password_hash = ${await hashPassword(newPassword)}, password_changed_at = now(), updated_at = now()
                         where id = ${actor.userId}::uuid`);
  // Whoever else knew the old password is signed out, and no token made with it works.
  const endedSessions = (
    await ctx.db.query(sql`delete from sessions where user_id = ${actor.userId}::uuid and id <> ${actor.sessionId ?? ''}`)
  ).rowCount;
  const revokedTokens = await repo.revokeUserTokens(ctx.db, actor.userId!);
  ctx.auditDetails({ after: { endedSessions, revokedTokens } });
}

export async function enrolTotp(ctx: Ctx): Promise<{ secret: string; otpauthUrl: string }> {
  const actor = ctx.requireActor();
  const current = await me(ctx.db, actor);
  if (current.totpEnabled)
    throw new Problem('resource.conflict', 'A second factor is already enabled. Disable it first to enrol a new one.');
  const secret = newTotpSecret();
  await ctx.db.query(sql`update users set totp_secret = ${secret}, totp_last_step = null where id = ${actor.userId}::uuid`);
  return { secret, otpauthUrl: totpUri(secret, current.email) };
}

async function checkOwnCode(ctx: Ctx, actor: Actor, code: string): Promise<number> {
  const result = await ctx.db.query<{ totp_secret: string | null; totp_last_step: number | null }>(
    sql`select totp_secret, totp_last_step from users where id = ${actor.userId}::uuid`,
  );
  const row = result.rows[0];
  if (!row?.totp_secret) throw new Problem('resource.conflict', 'Start the enrolment first.');
  const step = checkTotp(row.totp_secret, code, row.totp_last_step);
  // A code is good once, however many requests bring it at the same moment.
  if (step === null || !(await repo.takeTotpStep(ctx.db, actor.userId!, step)))
    throw invalid([{ pointer: '/code', detail: 'The code is wrong or was already used.' }]);
  return step;
}

export async function confirmTotp(ctx: Ctx, code: string): Promise<Me> {
  const actor = ctx.requireActor();
  await checkOwnCode(ctx, actor, code);
  await ctx.db.query(sql`update users set totp_enabled_at = now() where id = ${actor.userId}::uuid`);
  // This session has now shown the second factor.
  if (actor.sessionId) await repo.markSecondFactor(ctx.db, actor.sessionId);
  return me(ctx.db, actor);
}

export async function disableTotp(ctx: Ctx, code: string): Promise<Me> {
  const actor = ctx.requireActor();
  const current = await me(ctx.db, actor);
  if (!current.totpEnabled) throw new Problem('resource.conflict', 'No second factor is enabled.');
  await checkOwnCode(ctx, actor, code);
  await ctx.db.query(
    sql`update users set totp_enabled_at = null, totp_secret = null, totp_last_step = null where id = ${actor.userId}::uuid`,
  );
  return me(ctx.db, actor);
}
