/**
 * Routes of imports from the public standards: IATI and OCHA FTS files (into reported flows,
 * all or nothing, strict by default), the record of past imports, and the reported flows
 * themselves. An import's file is streamed from the request into a worker thread
 * (import-pool.ts), so a large or hostile file costs the server neither its memory nor its
 * event loop. The imports audit themselves, kept or refused, in transactions of their own.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { run } from '../../http/context.ts';
import { invalid } from '../../http/problems.ts';
import { pageOf, pageQuery, problemResponses } from '../../http/schemas.ts';
import { closeImportPool } from './import-pool.ts';
import { type ImportSource, listImports, listReportedFlows, runImport } from './imports.service.ts';

const tags = ['funding'];
const STATUSES = ['pledge', 'commitment', 'paid', 'expenditure', 'other'] as const;
const DIRECTIONS = ['incoming', 'outgoing', 'internal'] as const;
const problemSchema = z.object({ line: z.number().int().nullable(), element: z.string(), rule: z.string(), detail: z.string() });
const skipSchema = z.object({
  line: z.number().int().nullable(),
  reference: z.string().nullable(),
  transactions: z.number().int(),
  problems: z.array(problemSchema),
});
const figureSchema = z.object({
  status: z.enum(STATUSES),
  direction: z.enum(DIRECTIONS).nullable(),
  count: z.number().int(),
  usd: z.string().describe('US dollars of the flows with a known amount in dollars; converted amounts are rounded to the cent'),
  unconverted: z
    .object({ count: z.number().int(), amounts: z.array(z.object({ currency: z.string(), amount: z.string() })) })
    .describe('Flows left out of usd for want of an exchange rate, with their amounts by currency'),
});

const reportSchema = z.object({
  id: z.uuid(),
  source: z.enum(['iati', 'fts']),
  mode: z.enum(['strict', 'lenient']),
  fileName: z.string(),
  records: z.number().int(),
  transactions: z.number().int(),
  imported: z.number().int(),
  alreadyImported: z.number().int(),
  skipped: z.number().int(),
  skippedTransactions: z.number().int(),
  skips: z.array(skipSchema),
  duplicates: z.number().int(),
  duplicateList: z.array(z.object({ line: z.number().int().nullable(), firstLine: z.number().int().nullable(), reference: z.string() })),
  figures: z.array(figureSchema),
});

const flowSchema = z.object({
  id: z.uuid(),
  source: z.enum(['iati', 'fts']),
  externalRef: z.string(),
  activityIdentifier: z.string().nullable(),
  status: z.enum(STATUSES),
  direction: z.enum(DIRECTIONS).nullable(),
  transactionType: z.string().nullable(),
  flowDate: z.string().nullable(),
  amount: z.string().describe('Exactly as the file states it'),
  currency: z.string(),
  amountUsd: z.string().nullable(),
  noRate: z
    .object({ currency: z.string(), date: z.string().nullable() })
    .nullable()
    .describe('When amountUsd is null: the currency and date there is no exchange rate for'),
  donorName: z.string().nullable(),
  recipientName: z.string().nullable(),
  description: z.string(),
  importedAt: z.date(),
});

const importQuery = z.object({
  mode: z.enum(['strict', 'lenient']).default('strict'),
  fileName: z.string().max(255).default(''),
});

const importDescription =
  'Send the file as the body. The import is all or nothing: strict (the default) refuses a file with any invalid activity, ' +
  'naming line, element and rule; lenient keeps the valid activities and lists each one left out. A refused file answers ' +
  '422 funding.import-refused with `skips`, keeps nothing, and is recorded and audited. Importing the same file again adds nothing.';

function importHandler(source: ImportSource) {
  return (req: FastifyRequest<{ Querystring: z.infer<typeof importQuery> }>, reply: FastifyReply) =>
    run(req, reply, async (ctx) => {
      const actor = ctx.requireActor();
      if (!(req.body instanceof Readable))
        throw invalid([
          {
            pointer: '',
            detail: `Send the file as the body, with Content-Type ${source === 'iati' ? 'application/xml' : 'application/json'}.`,
          },
        ]);
      const body = req.body;
      // Read without destroying the request when reading stops early (a refused file): the
      // answer still goes out on this connection, and what is left of the upload is discarded.
      const chunks = body.iterator({ destroyOnReturn: false });
      return runImport(req.server.db, {
        source,
        mode: req.query.mode,
        fileName: req.query.fileName,
        body: chunks,
        actor,
        requestId: req.id,
      }).finally(() => body.resume());
    });
}

export function fundingImportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const manage = {
    access: { permission: 'funding.manage' as const },
    transaction: false,
    audit: { action: 'funding.import', entityType: 'funding_imports', writtenBy: 'handler' as const },
  };
  const read = { access: { permission: 'funding.read' as const } };

  app.addHook('onClose', () => closeImportPool());

  // IATI files arrive as they are, as a stream, not parsed into memory first.
  app.addContentTypeParser(['application/xml', 'text/xml'], (_req, payload, done) => done(null, payload));

  r.post('/api/funding/imports/iati', {
    config: manage,
    bodyLimit: Number.MAX_SAFE_INTEGER,
    schema: {
      tags,
      summary: 'Import an IATI activity file (2.01–2.03) as reported flows, validated against the IATI 2.03 schema and rules',
      description: `${importDescription} Content-Type application/xml.`,
      querystring: importQuery,
      response: { 200: reportSchema, ...problemResponses },
    },
    handler: importHandler('iati'),
  });

  // FTS answers are JSON, but they too go to the worker unparsed: parsing a large JSON body
  // here would hold the event loop. So this route has its own JSON parser, in its own scope.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', (_req, payload, done) => done(null, payload));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/funding/imports/fts', {
      config: manage,
      bodyLimit: Number.MAX_SAFE_INTEGER,
      schema: {
        tags,
        summary: 'Import OCHA FTS flows (the JSON of the FTS flow search) as reported flows: pledges, commitments and paid',
        description: `${importDescription} Content-Type application/json.`,
        querystring: importQuery,
        response: { 200: reportSchema, ...problemResponses },
      },
      handler: importHandler('fts'),
    });
  });

  r.get('/api/funding/imports', {
    config: read,
    schema: {
      tags,
      summary: 'Past imports, newest first: imported, refused (with why) or abandoned',
      querystring: z.object(pageQuery),
      response: {
        200: pageOf(
          z.object({
            id: z.uuid(),
            source: z.enum(['iati', 'fts']),
            mode: z.enum(['strict', 'lenient']),
            fileName: z.string(),
            status: z.enum(['running', 'imported', 'refused', 'abandoned']),
            startedBy: z.string(),
            startedAt: z.date(),
            finishedAt: z.date().nullable(),
            problem: z.string().nullable(),
            imported: z.number().int().nullable(),
            skipped: z.number().int().nullable(),
          }),
        ),
        ...problemResponses,
      },
    },
    handler: (req, reply) => run(req, reply, (ctx) => listImports(ctx.db, req.query)),
  });

  r.get('/api/funding/reported-flows', {
    config: read,
    schema: {
      tags,
      summary: 'Flows donors reported in IATI and FTS, with totals by status and direction (shown beside the ledger, never in it)',
      querystring: z.object({
        source: z.enum(['iati', 'fts']).optional(),
        status: z.enum(STATUSES).optional(),
        direction: z.enum(DIRECTIONS).optional(),
        ...pageQuery,
      }),
      response: {
        200: z.object({
          items: z.array(flowSchema),
          total: z.number().int(),
          figures: z.array(figureSchema),
          page: z.number().int(),
          pageSize: z.number().int(),
        }),
        ...problemResponses,
      },
    },
    handler: (req, reply) => run(req, reply, (ctx) => listReportedFlows(ctx.db, req.query)),
  });
}
