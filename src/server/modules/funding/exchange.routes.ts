/**
 * Routes that move funding data through the public standards: IATI and OCHA FTS imports
 * (into reported flows), the reported flows themselves, and IATI, HXL CSV and XLSX exports.
 * An IATI file is streamed straight from the request into the reader, so files far larger
 * than memory import; each batch of flows is its own short transaction.
 */
import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorLabel } from '../../http/actor.ts';
import { run } from '../../http/context.ts';
import { invalid } from '../../http/problems.ts';
import { pageQuery, problemResponses } from '../../http/schemas.ts';
import { fundingRows, importFts, importIati, listReportedFlows, missionActivities } from './exchange.ts';
import { FtsFormatError } from './standards/fts-read.ts';
import { FUNDING_HXL_COLUMNS, hxlCsv, writeHxlXlsx } from './standards/hxl.ts';
import { IatiFormatError } from './standards/iati-read.ts';
import { writeIati } from './standards/iati-write.ts';

const tags = ['funding'];
const STATUSES = ['pledge', 'commitment', 'paid', 'expenditure', 'other'] as const;
/** The organisation the mission's IATI export reports as (set CONCORD_IATI_ORG_REF to its registered identifier). */
const REPORTING_ORG = {
  ref: process.env.CONCORD_IATI_ORG_REF ?? 'XX-CONCORD',
  name: process.env.CONCORD_IATI_ORG_NAME ?? 'Concord mission',
};

/** A file streamed as the body (not JSON). */
const streamed = z.unknown().describe('The file');

const summarySchema = z.object({
  source: z.enum(['iati', 'fts']),
  records: z.number().int(),
  transactions: z.number().int(),
  imported: z.number().int(),
  alreadyImported: z.number().int(),
  skipped: z.number().int(),
  skips: z.array(z.object({ line: z.number().int().nullable(), level: z.string(), reference: z.string().nullable(), reason: z.string() })),
  byStatus: z.record(z.string(), z.object({ count: z.number().int(), usd: z.string() })),
  withoutRate: z.number().int(),
});

const flowSchema = z.object({
  id: z.uuid(),
  source: z.enum(['iati', 'fts']),
  externalRef: z.string(),
  activityIdentifier: z.string().nullable(),
  status: z.enum(STATUSES),
  transactionType: z.string().nullable(),
  flowDate: z.string().nullable(),
  amount: z.string(),
  currency: z.string(),
  amountUsd: z.string().nullable(),
  donorName: z.string().nullable(),
  recipientName: z.string().nullable(),
  description: z.string(),
  importedAt: z.date(),
});

function unreadable(error: unknown): never {
  if (error instanceof IatiFormatError || error instanceof FtsFormatError)
    throw invalid([{ pointer: '', detail: error.message }], 'The file is not one this import can read.');
  throw error;
}

export function fundingExchangeRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const manage = { access: { permission: 'funding.manage' as const }, transaction: false };
  const read = { access: { permission: 'funding.read' as const } };

  // IATI files arrive as they are, as a stream, not parsed into memory first.
  app.addContentTypeParser(['application/xml', 'text/xml'], (_req, payload, done) => done(null, payload));

  r.post('/api/funding/imports/iati', {
    config: manage,
    bodyLimit: Number.MAX_SAFE_INTEGER,
    schema: {
      tags,
      summary: 'Import an IATI activity file (2.01–2.03) as reported flows, streamed; a second import of the same file adds nothing',
      description:
        'Send the file as the body with Content-Type application/xml. Transactions are keyed by activity identifier and transaction reference.',
      response: { 200: summarySchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        if (!(req.body instanceof Readable))
          throw invalid([{ pointer: '', detail: 'Send the IATI file as the body, with Content-Type application/xml.' }]);
        const summary = await importIati(req.server.db, req.body, actorLabel(actor)).catch(unreadable);
        await ctx.audit({
          action: 'funding.import.iati',
          entityType: 'reported_flows',
          entityId: 'iati',
          after: { ...summary, skips: summary.skips.slice(0, 20) },
        });
        return summary;
      }),
  });

  r.post('/api/funding/imports/fts', {
    config: manage,
    bodyLimit: 200 * 1024 * 1024,
    schema: {
      tags,
      summary: 'Import OCHA FTS flows (the JSON of the FTS flow search) as reported flows: pledges, commitments and paid',
      body: z.looseObject({}),
      response: { 200: summarySchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const summary = await importFts(req.server.db, req.body, actorLabel(actor)).catch(unreadable);
        await ctx.audit({
          action: 'funding.import.fts',
          entityType: 'reported_flows',
          entityId: 'fts',
          after: { ...summary, skips: summary.skips.slice(0, 20) },
        });
        return summary;
      }),
  });

  r.get('/api/funding/reported-flows', {
    config: read,
    schema: {
      tags,
      summary: 'Flows donors reported in IATI and FTS, with totals by status (shown beside the ledger, never in it)',
      querystring: z.object({ source: z.enum(['iati', 'fts']).optional(), status: z.enum(STATUSES).optional(), ...pageQuery }),
      response: {
        200: z.object({
          items: z.array(flowSchema),
          total: z.number().int(),
          byStatus: z.record(z.string(), z.object({ count: z.number().int(), usd: z.string() })),
          page: z.number().int(),
          pageSize: z.number().int(),
        }),
        ...problemResponses,
      },
    },
    handler: (req, reply) => run(req, reply, (ctx) => listReportedFlows(ctx.db, req.query)),
  });

  r.get('/api/funding/exports/iati', {
    config: read,
    schema: {
      tags,
      summary: "The mission's funding as IATI 2.03 activity XML, one activity per instrument you may see",
      response: { 200: streamed, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        reply.type('application/xml; charset=utf-8').header('content-disposition', 'attachment; filename="concord-iati.xml"');
        return Readable.from(writeIati(missionActivities(ctx.db, ctx.actor, REPORTING_ORG)));
      }),
  });

  r.get('/api/funding/exports/hxl', {
    config: read,
    schema: {
      tags,
      summary: 'Every movement, pledge and agreement you may see, as HXL-tagged CSV',
      response: { 200: streamed, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="concord-funding-hxl.csv"');
        return hxlCsv(fundingRows(ctx.db, ctx.actor), FUNDING_HXL_COLUMNS);
      }),
  });

  r.get('/api/funding/exports/xlsx', {
    config: read,
    schema: {
      tags,
      summary: 'The same rows as an XLSX workbook with the HXL hashtag row',
      response: { 200: streamed, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', 'attachment; filename="concord-funding.xlsx"');
        const out = new PassThrough();
        writeHxlXlsx(fundingRows(ctx.db, ctx.actor), FUNDING_HXL_COLUMNS, out, { sheetName: 'Funding' }).catch((error) =>
          out.destroy(error),
        );
        return out;
      }),
  });
}
