/**
 * API tokens for machine clients. The token is shown once; only its SHA-256 is stored.
 * A token's scopes are a subset of its owner's permissions when it is made, and its
 * effective permissions shrink with the owner's (see authenticate.ts). Every token expires
 * (90 days unless asked otherwise, a year at most); a password change or reset revokes
 * them all; where the organisation requires a second factor, only a session that passed
 * it can make one, and a token made otherwise does not work (auth.policy.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import sql from 'sql-template-tag';
import { z } from 'zod';
import { type Ctx, run } from '../../http/context.ts';
import { invalid, Problem } from '../../http/problems.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import { idParams, problemResponses } from '../../http/schemas.ts';
import * as schema from '../access/access.schema.ts';
import { requireSecondFactorForTokens } from './auth.policy.ts';
import { randomToken, sha256 } from './credentials.ts';

const columns = sql`id, name, scopes, created_at as "createdAt", last_used_at as "lastUsedAt", expires_at as "expiresAt", revoked_at as "revokedAt"`;

function sessionUser(ctx: Ctx): string {
  const actor = ctx.requireActor();
  if (!actor.userId) throw new Problem('auth.forbidden', 'API tokens belong to a user.');
  return actor.userId;
}

export function tokenRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['tokens'];

  r.get('/api/tokens', {
    config: { access: { signedIn: true, sessionOnly: true } },
    schema: { tags, summary: 'Your API tokens', response: { 200: z.object({ items: z.array(schema.tokenSchema) }), ...problemResponses } },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        items: (
          await ctx.db.query<z.infer<typeof schema.tokenSchema>>(
            sql`select ${columns} from api_tokens where user_id = ${sessionUser(ctx)}::uuid order by created_at desc`,
          )
        ).rows,
      })),
  });

  r.post('/api/tokens', {
    config: {
      access: { signedIn: true, sessionOnly: true },
      audit: { action: 'access.token.create', entityType: 'api_token', answerIsSecret: true },
    },
    schema: {
      tags,
      summary:
        'Create an API token (shown once) with scopes and an expiry; where your organisation requires a second factor, your session must have passed it',
      body: schema.tokenCreate,
      response: { 201: schema.tokenCreated, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const userId = sessionUser(ctx);
        requireSecondFactorForTokens(ctx.actor!);
        const granted = ctx.actor!.permissions;
        const beyond = req.body.scopes.map((scope, index) => ({ scope, index })).filter(({ scope }) => !granted.has(scope as never));
        if (beyond.length) {
          throw invalid(
            beyond.map(({ scope, index }) => ({ pointer: `/scopes/${index}`, detail: `You do not hold "${scope}" yourself.` })),
          );
        }
        const token = `cnc_${randomToken()}`;
        const created = (
          await ctx.db.query<z.infer<typeof schema.tokenSchema>>(sql`
          insert into api_tokens (user_id, name, token_hash, scopes, expires_at, second_factor)
          values (${userId}::uuid, ${req.body.name}, ${sha256(token)}, ${[...new Set(req.body.scopes)]}::text[],
                  now() + make_interval(days => ${req.body.expiresInDays}), ${ctx.actor!.secondFactor === true})
          returning ${columns}`)
        ).rows[0];
        ctx.auditDetails({ after: created });
        reply.code(201);
        return { ...created, token };
      }),
  });

  r.delete('/api/tokens/:id', {
    config: {
      access: { signedIn: true, sessionOnly: true },
      audit: { action: 'access.token.revoke', entityType: 'api_token', entityId: (_result, req) => (req.params as { id: string }).id },
    },
    schema: { tags, summary: 'Revoke one of your API tokens', params: idParams, response: { 204: z.null(), ...problemResponses } },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const result = await ctx.db.query(sql`
        update api_tokens set revoked_at = coalesce(revoked_at, now())
        where id = ${req.params.id}::uuid and user_id = ${sessionUser(ctx)}::uuid returning id`);
        if (!result.rowCount) throw await notFoundOrHidden(ctx.db, 'api_tokens', req.params.id, 'token');
      }),
  });
}
