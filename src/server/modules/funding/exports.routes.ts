/**
 * Routes of exports in the public standards: the funding the caller may see as IATI 2.03
 * XML, HXL-tagged CSV and XLSX, streamed as they are written.
 */
import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { run } from '../../http/context.ts';
import { problemResponses } from '../../http/schemas.ts';
import { fundingRows, missionActivities } from './exports.service.ts';
import { FUNDING_HXL_COLUMNS, hxlCsv, writeHxlXlsx } from './standards/hxl.ts';
import { writeIati } from './standards/iati-write.ts';

const tags = ['funding'];
/** The organisation the mission's IATI export reports as (set CONCORD_IATI_ORG_REF to its registered identifier). */
const REPORTING_ORG = {
  ref: process.env.CONCORD_IATI_ORG_REF ?? 'XX-CONCORD',
  name: process.env.CONCORD_IATI_ORG_NAME ?? 'Concord mission',
};

/** A file streamed as the body (not JSON). */
const streamed = z.unknown().describe('The file');

export function fundingExportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { access: { permission: 'funding.read' as const } };

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
