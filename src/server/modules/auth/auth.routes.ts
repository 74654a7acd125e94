import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../http/authenticate.ts';
import { type RouteAudit, run } from '../../http/context.ts';
import * as schema from './auth.schema.ts';
import * as service from './auth.service.ts';
import { sha256 } from './credentials.ts';

const tags = ['auth'];
const self = { signedIn: true, duringTotpEnrolment: true } as const;
const account = { ...self, sessionOnly: true } as const;
/** The audit entry of a change to one's own account is about the signed-in user. */
const ownAccount = (action: string, extra: Partial<RouteAudit> = {}): RouteAudit => ({
  action,
  entityType: 'user',
  entityId: (_result, req) => req.actor?.userId,
  ...extra,
});

export function authRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/auth/sign-in', {
    // Failed sign-ins are recorded and audited in transactions of their own: they must outlive the refusal.
    config: { access: { public: true }, transaction: false, audit: { action: 'auth.sign-in', entityType: 'user', writtenBy: 'handler' } },
    schema: {
      tags,
      summary: 'Sign in with email, password and, when enrolled, a one-time code',
      body: schema.signInBody,
      response: { 200: schema.sessionSchema, 429: schema.problemResponses[401], ...schema.problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async () => {
        const previous = req.cookies[SESSION_COOKIE];
        const result = await service.signIn(app.db, {
          ...req.body,
          ip: req.ip,
          userAgent: req.headers['user-agent'] ?? null,
          requestId: req.id,
          previousSessionId: previous ? sha256(previous) : undefined,
        });
        reply.setCookie(SESSION_COOKIE, result.sessionToken, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: req.protocol === 'https',
          maxAge: 12 * 3600,
        });
        return { user: result.me, csrfToken: result.csrfToken };
      }),
  });

  r.post('/api/auth/sign-out', {
    config: { access: account, audit: ownAccount('auth.sign-out') },
    schema: { tags, summary: 'Sign out: ends this session', response: { 204: z.null(), ...schema.problemResponses } },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        await service.signOut(ctx);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }),
  });

  r.get('/api/auth/session', {
    config: { access: self, sessionProbe: true },
    schema: {
      tags,
      summary: 'The signed-in user and the CSRF token for writes',
      response: { 200: schema.sessionSchema, ...schema.problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        return { user: await service.me(ctx.db, actor), csrfToken: actor.csrfToken ?? null };
      }),
  });

  r.patch('/api/auth/me', {
    config: { access: account, audit: ownAccount('access.user.update-self') },
    schema: {
      tags,
      summary: 'Change your name or language',
      body: schema.updateMeBody,
      response: { 200: schema.meSchema, ...schema.problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.updateMe(ctx, req.body)),
  });

  r.post('/api/auth/password', {
    config: { access: account, audit: ownAccount('auth.password.change') },
    schema: {
      tags,
      summary: 'Change your password (ends your other sessions and revokes your API tokens)',
      body: schema.changePasswordBody,
      response: { 204: z.null(), ...schema.problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.changePassword(ctx, req.body.currentPassword, req.body.newPassword)),
  });

  r.post('/api/auth/totp/enrol', {
    config: { access: account, audit: ownAccount('auth.totp.enrol', { answerIsSecret: true }) },
    schema: {
      tags,
      summary: 'Start enrolling a TOTP second factor (RFC 6238)',
      response: { 200: schema.enrolResponse, ...schema.problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.enrolTotp(ctx)),
  });

  r.post('/api/auth/totp/confirm', {
    config: { access: account, audit: ownAccount('auth.totp.confirm') },
    schema: {
      tags,
      summary: 'Confirm the second factor with a code from the authenticator',
      body: schema.codeBody,
      response: { 200: schema.meSchema, ...schema.problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.confirmTotp(ctx, req.body.code)),
  });

  r.post('/api/auth/totp/disable', {
    config: { access: account, audit: ownAccount('auth.totp.disable') },
    schema: {
      tags,
      summary: 'Remove the second factor (needs a current code)',
      body: schema.codeBody,
      response: { 200: schema.meSchema, ...schema.problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.disableTotp(ctx, req.body.code)),
  });
}
