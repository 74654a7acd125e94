/**
 * Routes of the conditions capability: stakeholders and their positions, conditions with
 * their evidence and requirements, commitments with their gates, and the analysis.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Actor, actorLabel, ownsRecord } from '../../http/actor.ts';
import { run } from '../../http/context.ts';
import { forbidden, invalid, notFound } from '../../http/problems.ts';
import { idParams, pageOf, pageQuery, problemResponses } from '../../http/schemas.ts';
import { earliestOpenings, whatIf } from './analysis.ts';
import * as commitments from './commitments.repo.ts';
import * as repo from './conditions.repo.ts';
import * as s from './conditions.schema.ts';
import * as service from './conditions.service.ts';
import { setGate } from './gates.ts';

function ownerOrg(actor: Actor, what: string): string {
  if (!actor.organisationId)
    throw invalid([{ pointer: '', detail: `${what} are owned by an organisation; sign in as a user to add one.` }]);
  return actor.organisationId;
}

export function conditionsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { access: { permission: 'conditions.read' as const } };
  const manage = { access: { permission: 'conditions.manage' as const } };

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
    handler: (req, reply) =>
      run(
        req,
        reply,
        async (ctx) => (await repo.getStakeholder(ctx.db, ctx.actor, req.params.id)) ?? Promise.reject(notFound('stakeholder')),
      ),
  });

  r.post('/api/stakeholders', {
    config: manage,
    schema: {
      tags: ['conditions'],
      summary: 'Add a stakeholder owned by your organisation',
      body: s.stakeholderCreate,
      response: { 201: s.stakeholderSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const created = await repo.insertStakeholder(ctx.db, { ...req.body, ownerOrgId: ownerOrg(actor, 'Stakeholders') });
        await ctx.audit({ action: 'conditions.stakeholder.create', entityType: 'stakeholder', entityId: created.id, after: created });
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/stakeholders/:id', {
    config: manage,
    schema: {
      tags: ['conditions'],
      summary: 'Change a stakeholder your organisation owns',
      params: idParams,
      body: s.stakeholderUpdate,
      response: { 200: s.stakeholderSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const before = await repo.getStakeholder(ctx.db, actor, req.params.id);
        if (!before) throw notFound('stakeholder');
        if (!ownsRecord(actor, before.ownerOrgId)) throw forbidden('Only the organisation that owns this stakeholder can change it.');
        const after = await repo.updateStakeholder(ctx.db, req.params.id, req.body);
        await ctx.audit({ action: 'conditions.stakeholder.update', entityType: 'stakeholder', entityId: after.id, before, after });
        return after;
      }),
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
      run(req, reply, async (ctx) => {
        if (!(await repo.getStakeholder(ctx.db, ctx.actor, req.params.id))) throw notFound('stakeholder');
        return {
          ...(await repo.listPositions(ctx.db, ctx.actor, req.params.id, req.query)),
          page: req.query.page,
          pageSize: req.query.pageSize,
        };
      }),
  });

  r.post('/api/stakeholders/:id/positions', {
    config: manage,
    schema: {
      tags: ['conditions'],
      summary: "Record a stakeholder's dated stance on a condition or a topic (positions are never changed, so history is kept)",
      params: idParams,
      body: s.positionCreate,
      response: { 201: s.positionSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        if (!(await repo.getStakeholder(ctx.db, actor, req.params.id))) throw notFound('stakeholder');
        if (req.body.conditionId && !(await repo.getCondition(ctx.db, actor, req.body.conditionId)))
          throw invalid([{ pointer: '/conditionId', detail: 'No such condition.' }]);
        const created = await repo.insertPosition(ctx.db, req.params.id, { ...req.body, ownerOrgId: ownerOrg(actor, 'Positions') });
        await ctx.audit({ action: 'conditions.position.create', entityType: 'position', entityId: created.id, after: created });
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
          items: page.items.map((c) => {
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
        const condition = await repo.getCondition(ctx.db, ctx.actor, req.params.id);
        if (!condition) throw notFound('condition');
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
        if (!impact) throw notFound('condition');
        const ids = {
          heldBack: impact.heldBackGateIds,
          inUnlockingSets: impact.inUnlockingSetsGateIds,
          unlocks: impact.unlocksGateIds,
        }[req.query.relation];
        return service.gatePage(loaded, analysis, ids, req.query.page, req.query.pageSize);
      }),
  });

  r.post('/api/conditions', {
    config: manage,
    schema: {
      tags: ['conditions'],
      summary: 'Add a condition owned by your organisation (status unmet until evidence says otherwise)',
      body: s.conditionCreate,
      response: { 201: s.conditionSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const ownerOrgId = ownerOrg(actor, 'Conditions');
        await service.checkExpression(ctx, req.body.requires, '/requires');
        await service.checkStakeholders(ctx, req.body.stakeholderIds, '/stakeholderIds');
        // A new condition cannot close a cycle: nothing requires it yet.
        const id = await repo.insertCondition(ctx.db, { ...req.body, ownerOrgId });
        const created = (await repo.getCondition(ctx.db, actor, id))!;
        await ctx.audit({ action: 'conditions.condition.create', entityType: 'condition', entityId: id, after: created });
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/conditions/:id', {
    config: manage,
    schema: {
      tags: ['conditions'],
      summary: 'Change a condition your organisation owns, including what it requires (cycles are refused)',
      params: idParams,
      body: s.conditionUpdate,
      response: { 200: s.conditionSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const before = await repo.getCondition(ctx.db, actor, req.params.id);
        if (!before) throw notFound('condition');
        if (!ownsRecord(actor, before.ownerOrgId)) throw forbidden('Only the organisation that owns this condition can change it.');
        await service.checkExpression(ctx, req.body.requires, '/requires');
        await service.checkStakeholders(ctx, req.body.stakeholderIds, '/stakeholderIds');
        if (req.body.requires !== undefined) await service.refuseCycle(ctx, before.id, req.body.requires);
        await repo.updateCondition(ctx.db, before.id, req.body);
        const after = (await repo.getCondition(ctx.db, actor, before.id))!;
        await ctx.audit({ action: 'conditions.condition.update', entityType: 'condition', entityId: after.id, before, after });
        return after;
      }),
  });

  r.post('/api/conditions/:id/evidence', {
    config: manage,
    schema: {
      tags: ['conditions'],
      summary: "Record dated evidence for a condition; the latest evidence sets the condition's status",
      params: idParams,
      body: s.evidenceCreate,
      response: { 201: s.evidenceSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const before = await repo.getCondition(ctx.db, actor, req.params.id);
        if (!before) throw notFound('condition');
        if (!ownsRecord(actor, before.ownerOrgId))
          throw forbidden('Only the organisation that owns this condition can record its evidence.');
        const created = await repo.insertEvidence(ctx.db, before.id, req.body, actorLabel(actor));
        const after = (await repo.getCondition(ctx.db, actor, before.id))!;
        await ctx.audit({
          action: 'conditions.evidence.create',
          entityType: 'condition',
          entityId: before.id,
          before: { status: before.status },
          after: { evidence: created, status: after.status },
        });
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
        ...(await commitments.listCommitments(ctx.db, ctx.actor, req.query)),
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
    handler: (req, reply) =>
      run(
        req,
        reply,
        async (ctx) => (await commitments.getCommitment(ctx.db, ctx.actor, req.params.id)) ?? Promise.reject(notFound('commitment')),
      ),
  });

  r.post('/api/commitments', {
    config: manage,
    schema: {
      tags: ['conditions'],
      summary: "Add a stakeholder's conditional offer, gated by an AND/OR expression over conditions",
      body: s.commitmentCreate,
      response: { 201: s.commitmentSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const ownerOrgId = ownerOrg(actor, 'Commitments');
        await service.checkStakeholders(ctx, [req.body.stakeholderId], '/stakeholderId');
        await service.checkExpression(ctx, req.body.gate, '/gate');
        const id = await commitments.insertCommitment(ctx.db, { ...req.body, ownerOrgId });
        await setGate(ctx.db, commitments.COMMITMENT_SUBJECT, id, req.body.gate);
        const created = (await commitments.getCommitment(ctx.db, actor, id))!;
        await ctx.audit({ action: 'conditions.commitment.create', entityType: 'commitment', entityId: id, after: created });
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/commitments/:id', {
    config: manage,
    schema: {
      tags: ['conditions'],
      summary: 'Change a commitment your organisation owns, or its gate (null removes it)',
      params: idParams,
      body: s.commitmentUpdate,
      response: { 200: s.commitmentSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const actor = ctx.requireActor();
        const before = await commitments.getCommitment(ctx.db, actor, req.params.id);
        if (!before) throw notFound('commitment');
        if (!ownsRecord(actor, before.ownerOrgId)) throw forbidden('Only the organisation that owns this commitment can change it.');
        if (req.body.stakeholderId !== undefined) await service.checkStakeholders(ctx, [req.body.stakeholderId], '/stakeholderId');
        await service.checkExpression(ctx, req.body.gate, '/gate');
        await commitments.updateCommitment(ctx.db, before.id, req.body);
        if (req.body.gate !== undefined) await setGate(ctx.db, commitments.COMMITMENT_SUBJECT, before.id, req.body.gate);
        const after = (await commitments.getCommitment(ctx.db, actor, before.id))!;
        await ctx.audit({ action: 'conditions.commitment.update', entityType: 'commitment', entityId: after.id, before, after });
        return after;
      }),
  });
}
