/**
 * Domain rules of the funding capability: what may be pledged, gated, received,
 * allocated, disbursed, reported spent and reversed, by whom. The ledger rules
 * themselves (balance, no overdraft, no change) are the database's.
 */
import type { z } from 'zod';
import { centsOf, usdOf } from '../../../shared/money.ts';
import { type Actor, actorLabel, can, ownsRecord } from '../../http/actor.ts';
import type { Ctx } from '../../http/context.ts';
import { forbidden, invalid, notFound, Problem } from '../../http/problems.ts';
import { getOrganisation } from '../access/organisations.repo.ts';
import { checkExpression } from '../conditions/conditions.service.ts';
import { setGate } from '../conditions/gates.ts';
import * as repo from './funding.repo.ts';
import type * as s from './funding.schema.ts';
import * as ledger from './ledger.repo.ts';
import { toUsd } from './rates.ts';
import { trancheStates } from './tranches.ts';

export function ownerOrg(actor: Actor, what: string): string {
  if (!actor.organisationId)
    throw invalid([{ pointer: '', detail: `${what} are owned by an organisation; sign in as a user to add one.` }]);
  return actor.organisationId;
}

async function visibleInstrument(ctx: Ctx, id: string, pointer = '/instrumentId'): Promise<repo.Instrument> {
  const instrument = await repo.getInstrument(ctx.db, ctx.actor, id);
  if (!instrument) throw invalid([{ pointer, detail: `No such funding instrument: ${id}.` }]);
  return instrument;
}

async function existingBudgetLine(ctx: Ctx, id: string, pointer = '/budgetLineId'): Promise<void> {
  if (!(await repo.getBudgetLine(ctx.db, id))) throw invalid([{ pointer, detail: `No such budget line: ${id}.` }]);
}

async function existingOrganisation(ctx: Ctx, id: string, pointer: string): Promise<void> {
  if (!(await getOrganisation(ctx.db, id))) throw invalid([{ pointer, detail: `No such organisation: ${id}.` }]);
}

// --- Pledges ---------------------------------------------------------------------------------

export async function presentPledges(ctx: Ctx, pledges: repo.PledgeRow[]) {
  const tranches = await repo.tranchesOf(
    ctx.db,
    pledges.map((p) => p.id),
  );
  const states = await trancheStates(ctx, tranches);
  return pledges.map((pledge) => ({
    ...pledge,
    tranches: tranches.filter((t) => t.pledgeId === pledge.id).map((t) => ({ ...t, ...states.get(t.id)! })),
  }));
}

export async function getPledge(ctx: Ctx, id: string) {
  const row = await repo.getPledge(ctx.db, ctx.actor, id);
  if (!row) throw notFound('pledge');
  return (await presentPledges(ctx, [row]))[0];
}

export async function createPledge(ctx: Ctx, body: z.output<typeof s.pledgeCreate>) {
  const actor = ctx.requireActor();
  const ownerOrgId = ownerOrg(actor, 'Pledges');
  await visibleInstrument(ctx, body.instrumentId);
  const lines = await repo.existingBudgetLineIds(ctx.db, body.earmarks);
  const unknown = body.earmarks.filter((id) => !lines.has(id));
  if (unknown.length) throw invalid(unknown.map((id) => ({ pointer: '/earmarks', detail: `No such budget line: ${id}.` })));
  const tranches = body.tranches ?? [{ amount: body.amount, expectedOn: null, note: '', gate: null }];
  if (sumOf(tranches.map((t) => t.amount)) !== sumOf([body.amount]))
    throw invalid([
      {
        pointer: '/tranches',
        detail: `The tranches add up to ${addDecimals(tranches.map((t) => t.amount))}, not the pledged ${body.amount}.`,
      },
    ]);
  for (const [i, tranche] of tranches.entries()) await checkExpression(ctx, tranche.gate, `/tranches/${i}/gate`);

  const { amountUsd } = await toUsd(ctx.db, body.amount, body.currency, body.pledgedOn);
  const id = await repo.insertPledge(ctx.db, { ...body, amountUsd, ownerOrgId });
  // Each tranche in USD at the pledge's rate; the last takes the rounding, so they add up exactly.
  let left = centsOf(amountUsd);
  for (const [i, tranche] of tranches.entries()) {
    const usd = i === tranches.length - 1 ? usdOf(left) : (await toUsd(ctx.db, tranche.amount, body.currency, body.pledgedOn)).amountUsd;
    left -= centsOf(usd);
    const trancheId = await repo.insertTranche(ctx.db, {
      pledgeId: id,
      seq: i + 1,
      amount: tranche.amount,
      amountUsd: usd,
      expectedOn: tranche.expectedOn,
      note: tranche.note,
    });
    if (tranche.gate) await setGate(ctx.db, repo.TRANCHE_SUBJECT, trancheId, tranche.gate);
  }
  const created = await getPledge(ctx, id);
  await ctx.audit({ action: 'funding.pledge.create', entityType: 'pledge', entityId: id, after: created });
  return created;
}

/** Exact sum of decimal strings, in ten-thousandths. */
function sumOf(amounts: string[]): bigint {
  return amounts.reduce((sum, a) => {
    const [whole, fraction = ''] = a.split('.');
    return sum + BigInt(whole) * 10000n + BigInt(fraction.padEnd(4, '0'));
  }, 0n);
}

function addDecimals(amounts: string[]): string {
  const total = sumOf(amounts);
  const fraction = (total % 10000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${total / 10000n}${fraction ? `.${fraction}` : ''}`;
}

export async function updatePledge(ctx: Ctx, id: string, body: z.output<typeof s.pledgeUpdate>) {
  const actor = ctx.requireActor();
  const before = await getPledge(ctx, id);
  if (!ownsRecord(actor, before.ownerOrgId)) throw forbidden('Only the organisation that recorded this pledge can change it.');
  if (body.earmarks) {
    const lines = await repo.existingBudgetLineIds(ctx.db, body.earmarks);
    const unknown = body.earmarks.filter((l) => !lines.has(l));
    if (unknown.length) throw invalid(unknown.map((l) => ({ pointer: '/earmarks', detail: `No such budget line: ${l}.` })));
  }
  await repo.updatePledge(ctx.db, id, body);
  const after = await getPledge(ctx, id);
  await ctx.audit({ action: 'funding.pledge.update', entityType: 'pledge', entityId: id, before, after });
  return after;
}

export async function getTranche(ctx: Ctx, id: string) {
  const row = await repo.getTranche(ctx.db, ctx.actor, id);
  if (!row) throw notFound('tranche');
  const state = (await trancheStates(ctx, [row])).get(row.id)!;
  return { ...row, ...state };
}

export async function updateTranche(ctx: Ctx, id: string, body: z.output<typeof s.trancheUpdate>) {
  const actor = ctx.requireActor();
  const before = await getTranche(ctx, id);
  const pledge = await repo.getPledge(ctx.db, actor, before.pledgeId);
  if (!pledge || !ownsRecord(actor, pledge.ownerOrgId))
    throw forbidden('Only the organisation that recorded the pledge can change its tranches.');
  await checkExpression(ctx, body.gate, '/gate');
  await repo.updateTranche(ctx.db, id, body);
  if (body.gate !== undefined) await setGate(ctx.db, repo.TRANCHE_SUBJECT, id, body.gate);
  const after = await getTranche(ctx, id);
  await ctx.audit({ action: 'funding.tranche.update', entityType: 'tranche', entityId: id, before, after });
  return after;
}

// --- Agreements ------------------------------------------------------------------------------

export async function createAgreement(ctx: Ctx, body: z.output<typeof s.agreementCreate>) {
  const actor = ctx.requireActor();
  const ownerOrgId = ownerOrg(actor, 'Agreements');
  await visibleInstrument(ctx, body.instrumentId);
  if (body.pledgeId) {
    const pledge = await repo.getPledge(ctx.db, actor, body.pledgeId);
    if (!pledge) throw invalid([{ pointer: '/pledgeId', detail: `No such pledge: ${body.pledgeId}.` }]);
    if (pledge.instrumentId !== body.instrumentId)
      throw invalid([{ pointer: '/pledgeId', detail: 'The pledge belongs to another funding instrument.' }]);
  }
  const { amountUsd } = await toUsd(ctx.db, body.amount, body.currency, body.signedOn);
  const id = await repo.insertAgreement(ctx.db, { ...body, amountUsd, ownerOrgId });
  const created = (await repo.getAgreement(ctx.db, actor, id))!;
  await ctx.audit({ action: 'funding.agreement.create', entityType: 'funding_agreement', entityId: id, after: created });
  return created;
}

// --- Ledger postings -------------------------------------------------------------------------

export async function postMoney(ctx: Ctx, kind: ledger.PostingKind, body: s.PostingBody) {
  const actor = ctx.requireActor();
  await visibleInstrument(ctx, body.instrumentId);
  if (body.budgetLineId) await existingBudgetLine(ctx, body.budgetLineId);
  if (body.payeeOrgId) await existingOrganisation(ctx, body.payeeOrgId, '/payeeOrgId');
  if (kind === 'expenditure' && body.payeeOrgId !== actor.organisationId && !can(actor, 'funding.post') && actor.kind !== 'system')
    throw forbidden('You can report the spending of your own organisation only.');
  const { usdPerUnit, amountUsd } = await toUsd(ctx.db, body.amount, body.currency, body.valueDate);
  if (body.trancheId) await checkTrancheReceipt(ctx, body.trancheId, body.instrumentId, amountUsd);
  const id = await ledger.post(ctx.db, { ...body, kind, usdPerUnit, amountUsd, postedBy: actorLabel(actor) });
  const posted = (await ledger.getTransaction(ctx.db, actor, id))!;
  await ctx.audit({ action: `funding.${kind}.post`, entityType: 'ledger_transaction', entityId: id, after: posted });
  return posted;
}

/** A receipt against a tranche: the tranche must be open, on the same instrument, and not overpaid. */
async function checkTrancheReceipt(ctx: Ctx, trancheId: string, instrumentId: string, amountUsd: string): Promise<void> {
  const tranche = await repo.getTranche(ctx.db, ctx.actor, trancheId, true);
  if (!tranche) throw invalid([{ pointer: '/trancheId', detail: `No such tranche: ${trancheId}.` }]);
  const pledge = (await repo.getPledge(ctx.db, ctx.actor, tranche.pledgeId))!;
  if (pledge.instrumentId !== instrumentId)
    throw invalid([{ pointer: '/trancheId', detail: 'The tranche belongs to a pledge on another funding instrument.' }]);
  const state = (await trancheStates(ctx, [tranche])).get(tranche.id)!;
  if (state.state === 'blocked' || state.state === 'expected') {
    const names = state.waitsOn.map((c) => `${c.code} (${c.titleEn})`);
    if (state.hiddenWaitsOn)
      names.push(state.hiddenWaitsOn === 1 ? 'a condition you may not see' : `${state.hiddenWaitsOn} conditions you may not see`);
    throw new Problem('funding.tranche-blocked', `Tranche ${tranche.seq} of "${pledge.title}" waits on ${names.join(', ')}.`, {
      waitsOn: state.waitsOn,
    });
  }
  const left = centsOf(tranche.amountUsd) - centsOf(tranche.receivedUsd);
  if (centsOf(amountUsd) > left)
    throw new Problem(
      'funding.insufficient-funds',
      `Tranche ${tranche.seq} of "${pledge.title}" has USD ${usdOf(left)} left to receive; this receipt is USD ${amountUsd}.`,
    );
}

export async function reverseTransaction(ctx: Ctx, id: string, body: z.output<typeof s.reversalCreate>) {
  const actor = ctx.requireActor();
  const original = await ledger.getTransaction(ctx.db, actor, id);
  if (!original) throw notFound('ledger transaction');
  if (original.kind === 'reversal')
    throw new Problem('request.invalid', 'A reversal cannot itself be reversed; post the movement again instead.');
  if (original.reversedById) throw new Problem('funding.already-reversed', `It was reversed by ${original.reversedById}.`);
  const valueDate = body.valueDate ?? new Date().toISOString().slice(0, 10);
  if (valueDate < original.valueDate)
    throw invalid([
      { pointer: '/valueDate', detail: `A reversal cannot be dated before the transaction it reverses (${original.valueDate}).` },
    ]);
  const reversalId = await ledger.reverse(ctx.db, original, { valueDate, reason: body.reason, postedBy: actorLabel(actor) });
  const posted = (await ledger.getTransaction(ctx.db, actor, reversalId))!;
  await ctx.audit({ action: 'funding.reversal.post', entityType: 'ledger_transaction', entityId: reversalId, after: posted });
  return posted;
}
