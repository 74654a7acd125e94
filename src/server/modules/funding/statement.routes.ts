/** The donor statement: one PDF of a donor's pledges, receipts and where the money went. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { run } from '../../http/context.ts';
import { notFound } from '../../http/problems.ts';
import { problemResponses } from '../../http/schemas.ts';
import { requireMayReadStatement } from './funding.policy.ts';
import { overviewQuery } from './funding.schema.ts';
import { gatherStatement, renderStatement } from './statement.ts';

export function statementRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/api/funding/statements', {
    config: { access: { permission: 'funding.read' } },
    schema: {
      tags: ['funding'],
      summary:
        "A donor's statement for a period, as a PDF: pledges (not counted as funding), agreements, receipts and where the money went. " +
        "For that donor's own staff and the mission's finance staff only",
      querystring: overviewQuery.extend({ donorOrgId: z.uuid() }),
      produces: ['application/pdf'],
      response: { 200: z.any().describe('The statement as application/pdf.'), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        requireMayReadStatement(ctx.requireActor(), req.query.donorOrgId);
        const statement = await gatherStatement(ctx, req.query);
        if (!statement) throw notFound('donor organisation');
        const pdf = await renderStatement(statement);
        const day = statement.generatedAt.toISOString().slice(0, 10);
        reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="funding-statement-${day}.pdf"`)
          .header('cache-control', 'no-store');
        return pdf;
      }),
  });
}
