/**
 * Routes of reimbursement claims: contingent strength figures (entered or imported from
 * CSV), claims and their lifecycle. Moving a claim's status is a money write (paying it
 * posts the disbursement) and needs an Idempotency-Key header.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { run } from '../../http/context.ts';
import { idParams, pageOf, pageQuery, problemResponses } from '../../http/schemas.ts';
import { decodeUtf8 } from '../../http/text.ts';
import * as repo from './claims.repo.ts';
import * as s from './claims.schema.ts';
import * as service from './claims.service.ts';

const tags = ['funding'];

const FORMULA =
  'personnel = personnel-days × the instrument’s monthly rate per person ÷ days in the month, rounded half up to cents; ' +
  'each equipment line = quantity × monthly lease rate; total = personnel + equipment';

export function claimsRoutes(app: FastifyInstance) {
  // Registered in a scope of its own, so that only the import accepts a text/csv body.
  app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_req, body, done) => {
      try {
        done(null, decodeUtf8(body as Buffer, 'The CSV file'));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    routes(scope);
  });
}

function routes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { access: { permission: 'funding.read' as const } };
  const report = (action: string, entityType: string) => ({
    access: { permission: 'funding.report' as const },
    audit: { action, entityType },
  });

  // --- Strength figures

  r.get('/api/funding/strengths', {
    config: read,
    schema: {
      tags,
      summary: 'Contingent strength figures (personnel-days per contingent and month): your country’s, or all at force headquarters',
      querystring: s.strengthQuery.extend(pageQuery),
      response: { 200: pageOf(s.strengthSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await repo.listStrengths(ctx.db, ctx.actor, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.put('/api/funding/strengths', {
    config: report('funding.strength.set', 'contingent_strength'),
    schema: {
      tags,
      summary: "Enter one contingent-month's personnel-days for your country (finance may name the country)",
      body: s.strengthPut,
      response: { 200: s.strengthSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.setStrength(ctx, req.body)),
  });

  r.post('/api/funding/strengths/import', {
    config: report('funding.strength.import', 'contingent_strength'),
    schema: {
      tags,
      summary:
        'Import strength figures from CSV (columns contingent, month as YYYY-MM, personnel_days), sent as text/csv or as JSON {csv}: ' +
        'good rows are written, bad rows are reported with their line numbers; a file without those columns is refused whole',
      querystring: s.strengthImportQuery,
      body: s.strengthImport,
      response: { 200: s.importResult, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, (ctx) => {
        const body = req.body;
        const csv = typeof body === 'string' ? body : body.csv;
        const country = (typeof body === 'string' ? undefined : body.countryOrgId) ?? req.query.countryOrgId;
        return service.importStrengths(ctx, csv, country);
      }),
  });

  // --- Claims

  r.get('/api/funding/claims', {
    config: read,
    schema: {
      tags,
      summary: 'Reimbursement claims you may see',
      querystring: s.claimQuery.extend(pageQuery),
      response: { 200: pageOf(s.claimSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await repo.listClaims(ctx.db, ctx.actor, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.get('/api/funding/claims/:id', {
    config: read,
    schema: {
      tags,
      summary: 'One reimbursement claim with its equipment lines, its history and the moves you may make',
      params: idParams,
      response: { 200: s.claimDetailSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.getClaim(ctx, req.params.id)),
  });

  r.post('/api/funding/claims', {
    config: report('funding.claim.create', 'reimbursement_claim'),
    schema: {
      tags,
      summary: `Draft a monthly reimbursement claim for a contingent of your country (personnel-days from the strength figures unless given). ${FORMULA}`,
      body: s.claimCreate,
      response: { 201: s.claimDetailSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await service.createClaim(ctx, req.body);
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/funding/claims/:id', {
    config: report('funding.claim.update', 'reimbursement_claim'),
    schema: {
      tags,
      summary: `Change a drafted claim of your country; the amounts are computed again. ${FORMULA}`,
      params: idParams,
      body: s.claimUpdate,
      response: { 200: s.claimDetailSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.updateClaim(ctx, req.params.id, req.body)),
  });

  r.post('/api/funding/claims/:id/transitions', {
    config: { ...read, idempotent: true, audit: { action: 'funding.claim.transition', entityType: 'reimbursement_claim' } },
    schema: {
      tags,
      summary:
        'Move a claim along its lifecycle: the country submits (and reopens a rejected claim); the mission’s finance staff ' +
        '(funding.post at force headquarters) verify, approve, reject with a note, and pay, which posts the disbursement from ' +
        'the claim’s budget line to the country, once. Separation of duties: no one of the claiming country verifies, approves, ' +
        'rejects or pays it; as the mission sets it (GET /api/funding/separation-of-duties), whoever submitted or approved ' +
        'a claim does not pay it and whoever verified it does not approve it',
      params: idParams,
      body: s.transitionCreate,
      response: { 200: s.claimDetailSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.transition(ctx, req.params.id, req.body)),
  });

  r.get('/api/funding/separation-of-duties', {
    config: read,
    schema: {
      tags,
      summary: 'Who may not move a reimbursement claim after having moved it before, as this mission sets it',
      response: { 200: s.separationOfDutiesSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => repo.getSeparationOfDuties(ctx.db)),
  });

  r.patch('/api/funding/separation-of-duties', {
    config: {
      access: { permission: 'roles.manage' },
      audit: { action: 'funding.separation-of-duties.update', entityType: 'separation_of_duties', entityId: () => 'mission' },
    },
    schema: {
      tags,
      summary: 'Turn each separation-of-duties rule of claims on or off (administrators who manage roles)',
      body: s.separationOfDutiesUpdate,
      response: { 200: s.separationOfDutiesSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.setSeparationOfDuties(ctx, req.body)),
  });
}
