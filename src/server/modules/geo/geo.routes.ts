import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CLASSIFICATIONS } from '../../../shared/organisations.ts';
import type { Queryable } from '../../db/db.ts';
import { run } from '../../http/context.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import { idParams, pageOf, pageQuery, problemResponses } from '../../http/schemas.ts';
import { placeOwner, requireMayChangePlace } from './geo.policy.ts';
import * as repo from './geo.repo.ts';

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const geometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Point'), coordinates: position }),
  z.object({ type: z.literal('LineString'), coordinates: z.array(position).min(2).max(10000) }),
  z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position).min(4).max(10000)).min(1).max(100) }),
]);

const placeSchema = z.object({
  id: z.uuid(),
  kind: z.enum(repo.PLACE_KINDS),
  code: z.string(),
  nameEn: z.string(),
  nameAr: z.string(),
  geometry: z.unknown(),
  properties: z.record(z.string(), z.unknown()),
  ownerOrgId: z.uuid(),
  classification: z.enum(CLASSIFICATIONS),
  sharedWith: z.array(z.uuid()),
  createdAt: z.date(),
  updatedAt: z.date(),
});

const propertyValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);

// Without defaults: a default in the PATCH schema would reset what the request leaves out.
const placeFields = z.object({
  kind: z.enum(repo.PLACE_KINDS),
  code: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'Lowercase letters, digits and dashes.'),
  nameEn: z.string().trim().min(1).max(200),
  nameAr: z.string().trim().min(1).max(200),
  geometry,
  properties: z.record(z.string().max(100), propertyValue),
  classification: z.enum(CLASSIFICATIONS),
  sharedWith: z.array(z.uuid()).max(100),
});

const placeCreate = placeFields
  .extend({
    properties: placeFields.shape.properties.default({}),
    classification: placeFields.shape.classification.default('mission'),
    sharedWith: placeFields.shape.sharedWith.default([]),
  })
  .strict();

const placeUpdate = placeFields.omit({ kind: true }).partial().strict();

const featureCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({ type: z.literal('Feature'), id: z.string(), geometry: z.unknown(), properties: z.record(z.string(), z.unknown()) }),
  ),
});

export function geoRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['geography'];

  r.get('/api/geo/governorates', {
    config: { access: { public: true } },
    schema: { tags, summary: 'The governorates as GeoJSON, with names and population', response: { 200: featureCollection } },
    handler: (req, reply) =>
      run(req, reply, async (ctx) =>
        repo.toFeatureCollection((await repo.listPlaces(ctx.db, ctx.actor, { kinds: ['governorate'] })).items),
      ),
  });

  r.get('/api/geo/crossings', {
    config: { access: { public: true } },
    schema: { tags, summary: 'Crossings, gates, ports and corridors as GeoJSON', response: { 200: featureCollection } },
    handler: (req, reply) =>
      run(req, reply, async (ctx) =>
        repo.toFeatureCollection((await repo.listPlaces(ctx.db, ctx.actor, { kinds: repo.ENTRY_POINT_KINDS })).items),
      ),
  });

  r.get('/api/places', {
    config: { access: { permission: 'places.read' } },
    schema: {
      tags,
      summary: 'Places you may see, filtered by kind and name',
      querystring: z.object({ kind: z.enum(repo.PLACE_KINDS).optional(), q: z.string().trim().max(200).optional(), ...pageQuery }),
      response: { 200: pageOf(placeSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { kind, ...filter } = req.query;
        return {
          ...(await repo.listPlaces(ctx.db, ctx.actor, { ...filter, kinds: kind ? [kind] : undefined })),
          page: req.query.page,
          pageSize: req.query.pageSize,
        };
      }),
  });

  r.get('/api/places/:id', {
    config: { access: { permission: 'places.read' } },
    schema: { tags, summary: 'One place', params: idParams, response: { 200: placeSchema, ...problemResponses } },
    handler: (req, reply) =>
      run(
        req,
        reply,
        async (ctx) => (await repo.getPlace(ctx.db, ctx.actor, req.params.id)) ?? Promise.reject(await hidden(ctx.db, req.params.id)),
      ),
  });

  r.post('/api/places', {
    config: { access: { permission: 'places.manage' }, audit: { action: 'geo.place.create', entityType: 'place' } },
    schema: {
      tags,
      summary: 'Add a place owned by your organisation',
      body: placeCreate,
      response: { 201: placeSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await repo.insertPlace(ctx.db, { ...req.body, ownerOrgId: placeOwner(ctx.requireActor()) });
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/places/:id', {
    config: { access: { permission: 'places.manage' }, audit: { action: 'geo.place.update', entityType: 'place' } },
    schema: {
      tags,
      summary: 'Change a place your organisation owns',
      params: idParams,
      body: placeUpdate,
      response: { 200: placeSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const before = await repo.getPlace(ctx.db, actor, req.params.id);
        if (!before) throw await hidden(ctx.db, req.params.id);
        requireMayChangePlace(actor, before);
        ctx.auditDetails({ before });
        return repo.updatePlace(ctx.db, req.params.id, req.body);
      }),
  });
}

const hidden = (db: Queryable, id: string) => notFoundOrHidden(db, 'places', id, 'place');
