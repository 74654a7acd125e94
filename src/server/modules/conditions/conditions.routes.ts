/**
 * Routes of the conditions capability: stakeholders and their positions, conditions with
 * their evidence and requirements, commitments with their gates, and the analysis.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { run } from '../../http/context.ts';
import { invalid } from '../../http/problems.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import { idParams, pageOf, pageQuery, problemResponses } from '../../http/schemas.ts';
import { earliestOpenings, whatIf } from './analysis.ts';
import * as commitments from './commitments.service.ts';
import * as repo from './conditions.repo.ts';
import * as s from './conditions.schema.ts';
import * as service from './conditions.service.ts';
import * as stakeholders from './stakeholders.service.ts';

export function conditionsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { access: { permission: 'conditions.read' as const } };
  const manage = (action: string, entityType: string) => ({
    access: { permission: 'conditions.manage' as const },
    audit: { action, entityType },
  });

  // --- Stakeholders and positions

  r.get('/api/stakeholders', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary: 'Stakeholders you may see',
      querystring: z.object({ kind: z.enum(repo.STAKEHOLDER_KINDS).optional(), q: z.string().trim().max(200).optional(), ...pageQuery }),
      response: { 200: pageOf(s.stakeholderSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await repo.listStakeholders(ctx.db, ctx.actor, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.get('/api/stakeholders/:id', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary: 'One stakeholder',
      params: idParams,
      response: { 200: s.stakeholderSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => stakeholders.getStakeholder(ctx, req.params.id)),
  });

  r.post('/api/stakeholders', {
    config: manage('conditions.stakeholder.create', 'stakeholder'),
    schema: {
      tags: ['conditions'],
      summary: 'Add a stakeholder owned by your organisation',
      body: s.stakeholderCreate,
      response: { 201: s.stakeholderSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await stakeholders.createStakeholder(ctx, req.body);
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/stakeholders/:id', {
    config: manage('conditions.stakeholder.update', 'stakeholder'),
    schema: {
      tags: ['conditions'],
      summary: 'Change a stakeholder your organisation owns',
      params: idParams,
      body: s.stakeholderUpdate,
      response: { 200: s.stakeholderSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => stakeholders.updateStakeholder(ctx, req.params.id, req.body)),
  });

  r.get('/api/stakeholders/:id/positions', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary: "A stakeholder's positions, newest first; with asOf, the stance on each condition or topic on that date",
      params: idParams,
      querystring: s.positionQuery.extend(pageQuery),
      response: { 200: pageOf(s.positionSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await stakeholders.listPositions(ctx, req.params.id, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.post('/api/stakeholders/:id/positions', {
    config: manage('conditions.position.create', 'position'),
    schema: {
      tags: ['conditions'],
      summary: "Record a stakeholder's dated stance on a condition or a topic (positions are never changed, so history is kept)",
      params: idParams,
      body: s.positionCreate,
      response: { 201: s.positionSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await stakeholders.createPosition(ctx, req.params.id, req.body);
        reply.code(201);
        return created;
      }),
  });

  // --- Conditions and evidence

  r.get('/api/conditions', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary: 'Conditions you may see, with their status and what each holds back',
      querystring: s.conditionQuery.extend(pageQuery),
      response: { 200: pageOf(s.conditionListItem), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const page = await repo.listConditions(ctx.db, ctx.actor, req.query);
        const { analysis } = await service.analysisFor(ctx);
        return {
          items: (await service.presentConditions(ctx, page.items)).map((c) => {
            const impact = analysis.conditions.get(c.id)!;
            return {
              ...c,
              heldBack: service.presentValues(impact.heldBack),
              inUnlockingSets: service.presentValues(impact.inUnlockingSets),
            };
          }),
          total: page.total,
          page: req.query.page,
          pageSize: req.query.pageSize,
        };
      }),
  });

  r.get('/api/conditions/analysis', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary:
        'What each condition holds back, alone and with others, and unlocks, per dimension, with the long-pole rankings; asOf uses the statuses of that date',
      description:
        'Totals, per-condition values and gate counts, and the rankings. A blocked gate opens when all the conditions of one of its ' +
        'minimal unlocking sets are met. heldBack: ' +
        s.MEASURES.heldBack +
        ' inUnlockingSets: ' +
        s.MEASURES.inUnlockingSets +
        ' unlocks: ' +
        s.MEASURES.unlocks +
        ' The gates themselves, with their unlocking sets, are listed a page at a time by ' +
        '`GET /api/conditions/analysis/gates` and `GET /api/conditions/{id}/gates`.',
      querystring: s.analysisQuery,
      response: { 200: s.analysisSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        if (req.query.asOf) return service.presentedAnalysisFor(ctx, req.query.asOf);
        // Written once per model by the route's own serializer, then sent as written.
        const written = await service.writtenAnalysisFor(ctx, (presented) => String(reply.serialize(presented)));
        reply.type('application/json; charset=utf-8');
        return written as unknown as z.infer<typeof s.analysisSchema>;
      }),
  });

  r.get('/api/conditions/analysis/gates', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary:
        'The gates you may see with their state, the conditions that hold each back or would unlock it, and what would open it (its minimal unlocking sets), largest first',
      querystring: s.gateListQuery.extend(pageQuery),
      response: { 200: pageOf(s.gateSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { loaded, analysis } = await service.analysisFor(ctx, req.query.asOf);
        const { open, subjectType, subjectId } = req.query;
        const ids: string[] = [];
        for (const gate of analysis.gates.values()) {
          if (open !== undefined && gate.open !== (open === 'true')) continue;
          if (subjectType !== undefined && gate.subject.type !== subjectType) continue;
          if (subjectId !== undefined && gate.subject.id !== subjectId) continue;
          ids.push(gate.id);
        }
        return service.gatePage(loaded, analysis, ids, req.query.page, req.query.pageSize);
      }),
  });

  r.post('/api/conditions/what-if', {
    config: { ...read, readOnly: true },
    schema: {
      tags: ['conditions'],
      summary: 'What would open (and what each dimension would gain) under hypothetical statuses; nothing is written',
      description:
        'The gates that would open (and close) are counted, and the largest `gateLimit` of them listed with their English and Arabic labels.',
      body: s.whatIfBody,
      response: { 200: s.whatIfSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const loaded = await service.loadModel(ctx);
        const unknown = Object.keys(req.body.statuses).filter((id) => !loaded.conditions.has(id));
        if (unknown.length) throw invalid(unknown.map((id) => ({ pointer: `/statuses/${id}`, detail: 'No such condition.' })));
        const base = req.body.asOf ? await service.statusesOn(ctx, loaded, req.body.asOf) : undefined;
        const result = whatIf(loaded.model, new Map(Object.entries(req.body.statuses)), base);
        return {
          opened: service.presentGateList(loaded, result.openedGateIds, req.body.gateLimit),
          closed: service.presentGateList(loaded, result.closedGateIds, req.body.gateLimit),
          gained: service.presentValues(result.gained),
          lost: service.presentValues(result.lost),
          nowEffective: result.nowEffective,
          noLongerEffective: result.noLongerEffective,
        };
      }),
  });

  r.get('/api/conditions/earliest-opening', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary:
        'The earliest date each condition could hold and each gate could open, from target dates; the gates a page at a time, largest first',
      querystring: z.object(pageQuery),
      response: { 200: s.earliestSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { loaded, analysis } = await service.analysisFor(ctx);
        const openings = earliestOpenings(loaded.model);
        const { page, pageSize } = req.query;
        const ids = service.largestFirst(loaded, analysis, [...loaded.gates.keys()]);
        return {
          conditions: [...loaded.conditions.values()].map((c) => ({
            id: c.id,
            code: c.code,
            targetDate: c.targetDate,
            opening: openings.conditions.get(c.id)!,
          })),
          gates: {
            items: ids.slice((page - 1) * pageSize, page * pageSize).map((id) => {
              const g = loaded.gates.get(id)!;
              return {
                id: g.id,
                subjectType: g.subject.type,
                subjectId: g.subject.id,
                label: g.label ?? null,
                opening: openings.gates.get(id)!,
              };
            }),
            total: ids.length,
            page,
            pageSize,
          },
        };
      }),
  });

  r.get('/api/conditions/:id', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary: 'One condition with its evidence, what it holds back alone and with others, and what it unlocks',
      params: idParams,
      response: { 200: s.conditionDetail, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const [condition] = await service.presentConditions(ctx, [await service.visibleCondition(ctx, req.params.id)]);
        const { analysis } = await service.analysisFor(ctx);
        const impact = analysis.conditions.get(condition.id)!;
        return {
          ...condition,
          effective: impact.effective,
          heldBack: service.presentValues(impact.heldBack),
          inUnlockingSets: service.presentValues(impact.inUnlockingSets),
          unlocks: service.presentValues(impact.unlocks),
          heldBackGateCount: impact.heldBackGateIds.length,
          inUnlockingSetsGateCount: impact.inUnlockingSetsGateIds.length,
          unlocksGateCount: impact.unlocksGateIds.length,
          evidence: await repo.listEvidence(ctx.db, condition.id),
        };
      }),
  });

  r.get('/api/conditions/:id/gates', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary:
        'The gates a condition holds back on its own (relation=heldBack), is in a minimal unlocking set of (relation=inUnlockingSets) or would unlock alone (relation=unlocks), largest first',
      params: idParams,
      querystring: s.conditionGatesQuery.extend(pageQuery),
      response: { 200: pageOf(s.gateSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { loaded, analysis } = await service.analysisFor(ctx, req.query.asOf);
        const impact = loaded.conditions.has(req.params.id) ? analysis.conditions.get(req.params.id) : undefined;
        if (!impact) throw await notFoundOrHidden(ctx.db, 'conditions', req.params.id, 'condition');
        const ids = {
          heldBack: impact.heldBackGateIds,
          inUnlockingSets: impact.inUnlockingSetsGateIds,
          unlocks: impact.unlocksGateIds,
        }[req.query.relation];
        return service.gatePage(loaded, analysis, ids, req.query.page, req.query.pageSize);
      }),
  });

  r.post('/api/conditions', {
    config: manage('conditions.condition.create', 'condition'),
    schema: {
      tags: ['conditions'],
      summary: 'Add a condition owned by your organisation (status unmet until evidence says otherwise)',
      body: s.conditionCreate,
      response: { 201: s.conditionSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await service.createCondition(ctx, req.body);
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/conditions/:id', {
    config: manage('conditions.condition.update', 'condition'),
    schema: {
      tags: ['conditions'],
      summary: 'Change a condition your organisation owns, including what it requires (cycles are refused)',
      params: idParams,
      body: s.conditionUpdate,
      response: { 200: s.conditionSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.updateCondition(ctx, req.params.id, req.body)),
  });

  r.post('/api/conditions/:id/evidence', {
    config: manage('conditions.evidence.create', 'condition'),
    schema: {
      tags: ['conditions'],
      summary: "Record dated evidence for a condition; the latest evidence sets the condition's status",
      params: idParams,
      body: s.evidenceCreate,
      response: { 201: s.evidenceSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await service.recordEvidence(ctx, req.params.id, req.body);
        reply.code(201);
        return created;
      }),
  });

  // --- Commitments

  r.get('/api/commitments', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary: 'Commitments you may see, with their gate',
      querystring: s.commitmentQuery.extend(pageQuery),
      response: { 200: pageOf(s.commitmentSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await commitments.listCommitments(ctx, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.get('/api/commitments/:id', {
    config: read,
    schema: {
      tags: ['conditions'],
      summary: 'One commitment',
      params: idParams,
      response: { 200: s.commitmentSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => commitments.getCommitment(ctx, req.params.id)),
  });

  r.post('/api/commitments', {
    config: manage('conditions.commitment.create', 'commitment'),
    schema: {
      tags: ['conditions'],
      summary: "Add a stakeholder's conditional offer, gated by an AND/OR expression over conditions",
      body: s.commitmentCreate,
      response: { 201: s.commitmentSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await commitments.createCommitment(ctx, req.body);
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/commitments/:id', {
    config: manage('conditions.commitment.update', 'commitment'),
    schema: {
      tags: ['conditions'],
      summary: 'Change a commitment your organisation owns, or its gate (null removes it)',
      params: idParams,
      body: s.commitmentUpdate,
      response: { 200: s.commitmentSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => commitments.updateCommitment(ctx, req.params.id, req.body)),
  });
}
