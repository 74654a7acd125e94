import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { run } from '../../http/context.ts';
import { MAX_PAGE_SIZE, problemResponses } from '../../http/schemas.ts';
import { listAudit, verifyAudit } from './audit.repo.ts';

/** A moment in the trail's time: from 2000 to 2100, a plain message otherwise. */
const auditTime = z.coerce
  .date({ error: 'A date or a date and time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z.' })
  .refine((d) => d >= new Date('2000-01-01T00:00:00Z') && d < new Date('2101-01-01T00:00:00Z'), 'A time from 2000 to 2100.');

const auditQuery = z.object({
  actor: z.string().trim().max(200).optional(),
  organisationId: z.uuid().optional(),
  entityType: z.string().trim().max(100).optional(),
  entityId: z.string().trim().max(200).optional(),
  action: z.string().trim().max(200).optional(),
  from: auditTime.optional(),
  to: auditTime.optional(),
  cursor: z.coerce.number().int().positive().optional().describe('The `next` value of the previous page'),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});

const auditItem = z.object({
  id: z.number().int(),
  at: z.date(),
  actor: z.object({ id: z.uuid(), email: z.string(), name: z.string() }).nullable(),
  actorLabel: z.string(),
  organisation: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  hash: z.string(),
});

const verifyResponse = z.object({
  status: z.enum(['intact', 'broken']),
  rows: z.number().int(),
  firstBrokenId: z.number().int().optional(),
  reason: z.string().optional(),
});

export function auditRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];

  r.get('/api/audit', {
    config: { access: { permission: 'audit.read' } },
    schema: {
      tags,
      summary: 'The audit trail, newest first, filtered by actor, organisation, entity, action and time',
      querystring: auditQuery,
      response: { 200: z.object({ items: z.array(auditItem), next: z.string().nullable() }), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { cursor, pageSize, ...filter } = req.query;
        const rows = await listAudit(ctx.db, { ...filter, before: cursor, limit: pageSize + 1 });
        const page = rows.slice(0, pageSize);
        return {
          items: page.map((row) => ({
            id: row.id,
            at: row.at,
            actor:
              row.actor_user_id && row.actor_email ? { id: row.actor_user_id, email: row.actor_email, name: row.actor_name ?? '' } : null,
            actorLabel: row.actor_label,
            organisation: row.organisation_id && row.organisation_name ? { id: row.organisation_id, name: row.organisation_name } : null,
            action: row.action,
            entityType: row.entity_type,
            entityId: row.entity_id,
            before: row.before,
            after: row.after,
            requestId: row.request_id,
            hash: row.hash,
          })),
          next: rows.length > pageSize ? String(page[page.length - 1].id) : null,
        };
      }),
  });

  r.get('/api/audit/verify', {
    config: { access: { permission: 'audit.read' } },
    schema: {
      tags,
      summary: "Recompute the audit trail's hash chain: intact, or the first broken row",
      response: { 200: verifyResponse, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => verifyAudit(ctx.db)),
  });
}
