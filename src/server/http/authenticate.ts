/**
 * Runs before every route: works out who is calling (session cookie, API token, or the
 * local CLI channel), then applies the route's declared access and, for cookie-based
 * writes, the CSRF check. A refusal is written to the security log by the error handler
 * (refusals.ts), like every other refused request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPermission, PERMISSION_KEYS, type Permission } from '../../shared/permissions.ts';
import { tokenMeetsSecondFactor } from '../modules/auth/auth.policy.ts';
import { findSession, findToken, type PrincipalRow, touchSession, touchToken } from '../modules/auth/auth.repo.ts';
import { safeEqual, sha256 } from '../modules/auth/credentials.ts';
import type { Actor } from './actor.ts';
import { Problem } from './problems.ts';

export const SESSION_COOKIE = 'concord_session';
export const LOCAL_HEADER = 'x-concord-local';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function permissionsOf(row: PrincipalRow, scopes?: string[]): Set<Permission> {
  const granted = row.permissions.filter(isPermission);
  // A token can do what its scopes say, and never more than its user can do today.
  return new Set(scopes ? granted.filter((permission) => scopes.includes(permission)) : granted);
}

export function actorOf(row: PrincipalRow, kind: 'session' | 'token', scopes?: string[]): Actor {
  return {
    kind,
    userId: row.user_id,
    email: row.email,
    name: row.name,
    organisationId: row.organisation_id,
    organisationType: row.organisation_type,
    permissions: permissionsOf(row, scopes),
    mustEnrolTotp: kind === 'session' && row.require_totp && !row.totp_enabled,
    secondFactorRequired: row.require_totp,
  };
}

/** The operator at the server's own console (the CLI) can do anything an administrator can. */
export function systemActor(label: string): Actor {
  return {
    kind: 'system',
    userId: null,
    email: null,
    name: label,
    organisationId: null,
    organisationType: null,
    permissions: new Set(PERMISSION_KEYS),
  };
}

async function resolveActor(app: FastifyInstance, req: FastifyRequest, localSecret: string): Promise<Actor | null> {
  const local = req.headers[LOCAL_HEADER];
  if (typeof local === 'string' && safeEqual(local, localSecret)) return systemActor('cli');

  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const row = match ? await findToken(app.db, sha256(match[1])) : undefined;
    if (!row) throw new Problem('auth.unauthenticated', 'The API token is not valid, expired or revoked.');
    if (!tokenMeetsSecondFactor(row))
      throw new Problem(
        'auth.unauthenticated',
        'Your organisation requires a second factor, and this API token was not made in a session that passed it: make a new one.',
      );
    await touchToken(app.db, row.token_id);
    return actorOf(row, 'token', row.scopes);
  }

  const cookie = req.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const row = await findSession(app.db, sha256(cookie));
  if (!row) return null;
  if (row.stale) await touchSession(app.db, row.session_id);
  return { ...actorOf(row, 'session'), sessionId: row.session_id, csrfToken: row.csrf_token, secondFactor: row.second_factor };
}

export function registerAuthentication(app: FastifyInstance, localSecret: string): void {
  app.decorateRequest('actor', null);

  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    const access = req.routeOptions.config?.access;
    if (!access) return; // unknown URL: the not-found handler answers
    const actor = await resolveActor(app, req, localSecret);
    req.actor = actor;
    if ('public' in access) return;
    if (!actor) throw new Problem('auth.unauthenticated');

    if (actor.kind === 'session' && WRITE_METHODS.has(req.method)) {
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !actor.csrfToken || !safeEqual(token, actor.csrfToken)) {
        throw new Problem('auth.csrf', 'Send the x-csrf-token header that came with your session.');
      }
    }
    if ('signedIn' in access && access.sessionOnly && actor.kind !== 'session') {
      throw new Problem('auth.forbidden', 'This needs a signed-in session: API tokens cannot change the account or manage tokens.');
    }
    if (actor.mustEnrolTotp && !('signedIn' in access && access.duringTotpEnrolment)) {
      throw new Problem('auth.totp-enrolment-required');
    }
    if ('permission' in access && !actor.permissions.has(access.permission)) {
      throw new Problem('auth.forbidden', `This needs the permission "${access.permission}".`);
    }
  });
}
