import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { run } from '../../http/context.ts';
import { PROBLEMS, Problem, problemType } from '../../http/problems.ts';
import { problemSchema } from '../../http/schemas.ts';

export function systemRoutes(app: FastifyInstance, config: Config) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['system'];

  r.get('/api/health', {
    config: { access: { public: true } },
    schema: {
      tags,
      summary: 'Liveness and database reachability',
      response: {
        200: z.object({ status: z.literal('ok'), database: z.literal('postgresql'), version: z.string() }),
        503: problemSchema,
      },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        try {
          await ctx.db.query('select 1');
        } catch {
          throw new Problem('database.unavailable', 'The database did not answer.');
        }
        return { status: 'ok' as const, database: 'postgresql' as const, version: config.version };
      }),
  });

  r.get('/api/config', {
    config: { access: { public: true } },
    schema: {
      tags,
      summary: 'What the web app needs to know before sign-in',
      response: {
        200: z.object({ version: z.string(), basemap: z.object({ styleUrl: z.string().nullable(), pmtilesUrl: z.string().nullable() }) }),
      },
    },
    handler: (req, reply) =>
      run(req, reply, async () => ({
        version: config.version,
        basemap: { styleUrl: config.basemapStyleUrl, pmtilesUrl: config.basemapPmtiles ? '/basemap.pmtiles' : null },
      })),
  });

  r.get('/api/problems', {
    config: { access: { public: true } },
    schema: {
      tags,
      summary: 'The catalogue of problem types the API answers with',
      response: { 200: z.array(z.object({ type: z.string(), code: z.string(), status: z.number(), title: z.string() })) },
    },
    handler: (req, reply) =>
      run(req, reply, async () =>
        Object.entries(PROBLEMS).map(([code, p]) => ({ type: problemType(code as keyof typeof PROBLEMS), code, ...p })),
      ),
  });
}
