/**
 * The security log and its alerts, for administrators (users.manage: they are the ones who
 * act on an alert, by disabling an account, say). Refusals are written by the error handler
 * (http/refusals.ts); here they are read, and alerts acknowledged.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorLabel } from '../../http/actor.ts';
import { run } from '../../http/context.ts';
import { notFound, Problem } from '../../http/problems.ts';
import { idParams, MAX_PAGE_SIZE, pageQuery, problemResponses } from '../../http/schemas.ts';
import * as repo from './security.repo.ts';

const tags = ['security'];

const alertSchema = z
  .object({
    id: z.uuid(),
    subjectKind: z.enum(['actor', 'address']).describe('Whether the refusals came from one actor or from one address'),
    subject: z.string().describe("The actor's label (an email) or the address"),
    firstAt: z.date(),
    lastAt: z.date(),
    refusals: z.number().int().describe('Refusals counted since the alert was raised, and the ones that raised it'),
    raisedAt: z.date(),
    acknowledgedAt: z.date().nullable(),
    acknowledgedBy: z.string().nullable(),
  })
  .meta({ id: 'SecurityAlert' });

const eventSchema = z
  .object({
    id: z.number().int(),
    at: z.date(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().nullable(),
    actorLabel: z.string(),
    ip: z.string(),
    method: z.string(),
    route: z.string(),
    url: z.string(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'SecurityEvent' });

export function securityRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = { access: { permission: 'users.manage' as const } };

  r.get('/api/security/alerts', {
    config: admin,
    schema: {
      tags,
      summary: `Alerts raised by repeated refusals (${repo.ALERT_THRESHOLD} within ${repo.ALERT_WINDOW_MINUTES} minutes from one actor or one address), open first`,
      querystring: z.object({ status: z.enum(['open', 'acknowledged']).optional(), ...pageQuery }),
      response: {
        200: z.object({
          items: z.array(alertSchema),
          total: z.number().int(),
          open: z.number().int().describe('Open alerts, whatever the filter'),
          page: z.number().int(),
          pageSize: z.number().int(),
        }),
        ...problemResponses,
      },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await repo.listAlerts(ctx.db, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.post('/api/security/alerts/:id/acknowledge', {
    config: { ...admin, audit: { action: 'security.alert.acknowledge', entityType: 'security_alert' } },
    schema: {
      tags,
      summary: 'Acknowledge an alert: it closes, and the refusals before it no longer count towards the next one',
      params: idParams,
      response: { 200: alertSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const before = await repo.getAlert(ctx.db, req.params.id, true);
        if (!before) throw notFound('alert');
        if (before.acknowledgedAt) throw new Problem('resource.conflict', `${before.acknowledgedBy} already acknowledged this alert.`);
        await repo.acknowledgeAlert(ctx.db, before.id, actorLabel(ctx.requireActor()));
        ctx.auditDetails({ before });
        return (await repo.getAlert(ctx.db, before.id))!;
      }),
  });

  r.get('/api/security/events', {
    config: admin,
    schema: {
      tags,
      summary: 'Refused requests (401, 403, and 404 for a record that exists), newest first, by actor or address',
      querystring: z.object({
        actor: z.string().trim().max(254).optional(),
        ip: z.string().trim().max(100).optional(),
        cursor: z.coerce.number().int().positive().optional().describe('The `next` value of the previous page'),
        pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
      }),
      response: { 200: z.object({ items: z.array(eventSchema), next: z.string().nullable() }), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { cursor, pageSize, ...filter } = req.query;
        const rows = await repo.listEvents(ctx.db, { ...filter, before: cursor, limit: pageSize + 1 });
        const items = rows.slice(0, pageSize);
        return { items, next: rows.length > pageSize ? String(items[items.length - 1].id) : null };
      }),
  });
}
