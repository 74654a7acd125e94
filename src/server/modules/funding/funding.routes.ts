/**
 * Routes of the funding capability: exchange rates, instruments, budget lines, pledges
 * and their tranches, agreements, the ledger and the figures. Money writes need an
 * Idempotency-Key header (see http/idempotency.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorLabel } from '../../http/actor.ts';
import { run } from '../../http/context.ts';
import { notFound } from '../../http/problems.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import { idParams, pageOf, pageQuery, problemResponses } from '../../http/schemas.ts';
import { overview } from './figures.repo.ts';
import { requireMayCheckLedger } from './funding.policy.ts';
import * as repo from './funding.repo.ts';
import * as s from './funding.schema.ts';
import * as service from './funding.service.ts';
import * as ledger from './ledger.repo.ts';
import { checkLedger } from './ledger-check.ts';

const tags = ['funding'];

export function fundingRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { access: { permission: 'funding.read' as const } };
  const manage = (action: string, entityType: string) => ({
    access: { permission: 'funding.manage' as const },
    audit: { action, entityType },
  });
  const manageMoney = (action: string, entityType: string) => ({ ...manage(action, entityType), idempotent: true });
  const postMoney = (kind: string) => ({
    access: { permission: 'funding.post' as const },
    idempotent: true,
    audit: { action: `funding.${kind}.post`, entityType: 'ledger_transaction' },
  });

  // --- Exchange rates

  r.get('/api/funding/rates', {
    config: read,
    schema: {
      tags,
      summary: 'Exchange rates to US dollars, newest first per currency',
      querystring: s.rateQuery.extend(pageQuery),
      response: { 200: pageOf(s.rateSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await repo.listRates(ctx.db, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.post('/api/funding/rates', {
    config: {
      ...manage('funding.rate.create', 'exchange_rate'),
      audit: {
        action: 'funding.rate.create',
        entityType: 'exchange_rate',
        entityId: (rate: unknown) => {
          const { currency, rateDate } = rate as { currency: string; rateDate: string };
          return `${currency}:${rateDate}`;
        },
      },
    },
    schema: {
      tags,
      summary: 'Record the US dollar value of a currency on a date',
      body: s.rateCreate,
      response: { 201: s.rateSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await repo.insertRate(ctx.db, req.body);
        reply.code(201);
        return created;
      }),
  });

  // --- Instruments

  r.get('/api/funding/instruments', {
    config: read,
    schema: {
      tags,
      summary: 'Funding instruments you may see',
      querystring: s.instrumentQuery.extend(pageQuery),
      response: { 200: pageOf(s.instrumentSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await repo.listInstruments(ctx.db, ctx.actor, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.get('/api/funding/instruments/:id', {
    config: read,
    schema: { tags, summary: 'One funding instrument', params: idParams, response: { 200: s.instrumentSchema, ...problemResponses } },
    handler: (req, reply) => run(req, reply, (ctx) => service.getInstrument(ctx, req.params.id)),
  });

  r.post('/api/funding/instruments', {
    config: manage('funding.instrument.create', 'funding_instrument'),
    schema: {
      tags,
      summary:
        "Add a donor's funding instrument, with its restrictions and reimbursement rate: your own organisation's, or any donor's for the mission's finance staff",
      body: s.instrumentCreate,
      response: { 201: s.instrumentSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await service.createInstrument(ctx, req.body);
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/funding/instruments/:id', {
    config: manage('funding.instrument.update', 'funding_instrument'),
    schema: {
      tags,
      summary: 'Change a funding instrument your organisation owns',
      params: idParams,
      body: s.instrumentUpdate,
      response: { 200: s.instrumentSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.updateInstrument(ctx, req.params.id, req.body)),
  });

  // --- Budget lines

  r.get('/api/funding/budget-lines', {
    config: read,
    schema: {
      tags,
      summary: 'Budget lines with their original and current amounts',
      querystring: pageQueryObject(),
      response: { 200: pageOf(s.budgetLineSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await repo.listBudgetLines(ctx.db, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.get('/api/funding/budget-lines/:id', {
    config: read,
    schema: {
      tags,
      summary: 'One budget line with every version',
      params: idParams,
      response: { 200: s.budgetLineSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => (await repo.getBudgetLine(ctx.db, req.params.id)) ?? Promise.reject(notFound('budget line'))),
  });

  r.post('/api/funding/budget-lines', {
    config: manage('funding.budget-line.create', 'budget_line'),
    schema: {
      tags,
      summary: 'Add a budget line with its original amount',
      body: s.budgetLineCreate,
      response: { 201: s.budgetLineSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const id = await repo.insertBudgetLine(ctx.db, req.body, actorLabel(ctx.requireActor()));
        const created = (await repo.getBudgetLine(ctx.db, id))!;
        reply.code(201);
        return created;
      }),
  });

  r.post('/api/funding/budget-lines/:id/revisions', {
    config: manage('funding.budget-line.revise', 'budget_line'),
    schema: {
      tags,
      summary: 'Revise a budget line: a new version, the earlier ones kept',
      params: idParams,
      body: s.budgetRevisionCreate,
      response: { 201: s.budgetLineSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const before = await repo.getBudgetLine(ctx.db, req.params.id);
        if (!before) throw notFound('budget line');
        await repo.reviseBudgetLine(ctx.db, before.id, req.body.amountUsd, req.body.reason, actorLabel(ctx.requireActor()));
        const after = (await repo.getBudgetLine(ctx.db, before.id))!;
        ctx.auditDetails({ before });
        reply.code(201);
        return after;
      }),
  });

  // --- Pledges and tranches

  r.get('/api/funding/pledges', {
    config: read,
    schema: {
      tags,
      summary: 'Pledges you may see, with their tranches and what each waits on',
      querystring: s.pledgeQuery.extend(pageQuery),
      response: { 200: pageOf(s.pledgeSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { items, total } = await repo.listPledges(ctx.db, ctx.actor, req.query);
        return { items: await service.presentPledges(ctx, items), total, page: req.query.page, pageSize: req.query.pageSize };
      }),
  });

  r.get('/api/funding/pledges/:id', {
    config: read,
    schema: { tags, summary: 'One pledge with its tranches', params: idParams, response: { 200: s.pledgeSchema, ...problemResponses } },
    handler: (req, reply) => run(req, reply, (ctx) => service.getPledge(ctx, req.params.id)),
  });

  r.post('/api/funding/pledges', {
    config: manageMoney('funding.pledge.create', 'pledge'),
    schema: {
      tags,
      summary: 'Record a pledge, split into tranches each gated by an AND/OR expression over conditions',
      body: s.pledgeCreate,
      response: { 201: s.pledgeSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await service.createPledge(ctx, req.body);
        reply.code(201);
        return created;
      }),
  });

  r.patch('/api/funding/pledges/:id', {
    config: manage('funding.pledge.update', 'pledge'),
    schema: {
      tags,
      summary: "Change a pledge's title, source, earmarks or classification (amounts are fixed)",
      params: idParams,
      body: s.pledgeUpdate,
      response: { 200: s.pledgeSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.updatePledge(ctx, req.params.id, req.body)),
  });

  r.get('/api/funding/tranches/:id', {
    config: read,
    schema: {
      tags,
      summary: 'One tranche, its gate and what it waits on',
      params: idParams,
      response: { 200: s.trancheSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.getTranche(ctx, req.params.id)),
  });

  r.patch('/api/funding/tranches/:id', {
    config: manage('funding.tranche.update', 'tranche'),
    schema: {
      tags,
      summary: "Change a tranche's expected date, note or gate (null removes it)",
      params: idParams,
      body: s.trancheUpdate,
      response: { 200: s.trancheSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => service.updateTranche(ctx, req.params.id, req.body)),
  });

  // --- Agreements

  r.get('/api/funding/agreements', {
    config: read,
    schema: {
      tags,
      summary: 'Signed agreements (commitments) you may see',
      querystring: s.instrumentQuery
        .omit({ donorOrgId: true })
        .extend({ instrumentId: s.pledgeQuery.shape.instrumentId })
        .extend(pageQuery),
      response: { 200: pageOf(s.agreementSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await repo.listAgreements(ctx.db, ctx.actor, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.post('/api/funding/agreements', {
    config: manageMoney('funding.agreement.create', 'funding_agreement'),
    schema: {
      tags,
      summary: 'Record a signed agreement (a commitment of money, not yet received)',
      body: s.agreementCreate,
      response: { 201: s.agreementSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const created = await service.createAgreement(ctx, req.body);
        reply.code(201);
        return created;
      }),
  });

  // --- Ledger

  const postings = [
    {
      kind: 'receipt',
      path: 'receipts',
      body: s.receiptCreate,
      summary: 'Post money received from a donor on an instrument (optionally against an open tranche)',
    },
    { kind: 'allocation', path: 'allocations', body: s.allocationCreate, summary: 'Allocate received money to a budget line' },
    {
      kind: 'disbursement',
      path: 'disbursements',
      body: s.disbursementCreate,
      summary: "Disburse from a budget line's allocation to a payee",
    },
  ] as const;
  for (const posting of postings) {
    r.post(`/api/funding/${posting.path}`, {
      config: postMoney(posting.kind),
      schema: { tags, summary: posting.summary, body: posting.body, response: { 201: s.transactionSchema, ...problemResponses } },
      handler: (req, reply) =>
        run(req, reply, async (ctx) => {
          const posted = await service.postMoney(ctx, posting.kind, req.body as s.PostingBody);
          reply.code(201);
          return posted;
        }),
    });
  }

  r.post('/api/funding/expenditures', {
    config: {
      access: { permission: 'funding.report' as const },
      idempotent: true,
      audit: { action: 'funding.expenditure.post', entityType: 'ledger_transaction' },
    },
    schema: {
      tags,
      summary: 'Report spending of money disbursed to your organisation',
      body: s.expenditureCreate,
      response: { 201: s.transactionSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const posted = await service.postMoney(ctx, 'expenditure', req.body);
        reply.code(201);
        return posted;
      }),
  });

  r.post('/api/funding/transactions/:id/reversal', {
    config: postMoney('reversal'),
    schema: {
      tags,
      summary: 'Reverse a posted transaction: its mirror image, pointing back at it',
      params: idParams,
      body: s.reversalCreate,
      response: { 201: s.transactionSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const posted = await service.reverseTransaction(ctx, req.params.id, req.body);
        reply.code(201);
        return posted;
      }),
  });

  r.get('/api/funding/transactions', {
    config: read,
    schema: {
      tags,
      summary: 'Ledger transactions you may see, newest first, with their entries',
      querystring: s.transactionQuery.extend(pageQuery),
      response: { 200: pageOf(s.transactionSchema), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await ledger.listTransactions(ctx.db, ctx.actor, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.get('/api/funding/transactions/:id', {
    config: read,
    schema: {
      tags,
      summary: 'One ledger transaction with its entries',
      params: idParams,
      response: { 200: s.transactionSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(
        req,
        reply,
        async (ctx) =>
          (await ledger.getTransaction(ctx.db, ctx.actor, req.params.id)) ??
          Promise.reject(await notFoundOrHidden(ctx.db, 'ledger_transactions', req.params.id, 'ledger transaction')),
      ),
  });

  r.get('/api/funding/ledger/check', {
    config: read,
    schema: {
      tags,
      summary:
        "Recompute every balance and monthly figure of the instruments you may see from the ledger's entries, and report each that differs " +
        "from what the ledger keeps (for the mission's finance staff and auditors)",
      response: { 200: s.ledgerCheckSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        requireMayCheckLedger(ctx.requireActor());
        return checkLedger(ctx.db, ctx.actor);
      }),
  });

  // --- Figures

  r.get('/api/funding/overview', {
    config: read,
    schema: {
      tags,
      summary: 'Pledged, committed, received, allocated, disbursed and spent by donor, line and month; gap, burn and runway',
      querystring: s.overviewQuery,
      response: { 200: s.overviewSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, (ctx) => overview(ctx.db, ctx.actor, req.query)),
  });

  r.get('/api/public/funding', {
    config: { access: { public: true } },
    schema: {
      tags,
      summary: 'Aggregate figures of publicly classified funding, for the transparency page (no sign-in)',
      querystring: s.overviewQuery,
      response: { 200: s.publicOverviewSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { flows: _flows, names: _names, ...figures } = await overview(ctx.db, null, req.query);
        return figures;
      }),
  });
}

function pageQueryObject() {
  return s.budgetLineQuery.extend(pageQuery);
}
