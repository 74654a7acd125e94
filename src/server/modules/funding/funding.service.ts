/**
 * Domain rules of the funding capability: what may be pledged, gated, received,
 * allocated, disbursed, reported spent and reversed. Who may is funding.policy.ts's to
 * say; the ledger rules themselves (balance, no overdraft, no change) are the database's.
 */
import type { z } from 'zod';
import { centsOf, usdOf } from '../../../shared/money.ts';
import { actorLabel } from '../../http/actor.ts';
import type { Ctx } from '../../http/context.ts';
import { invalid, Problem } from '../../http/problems.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import { getOrganisation } from '../access/organisations.repo.ts';
import { setGate } from '../conditions/gates.ts';
import { expressionMasker, expressionToStore } from '../conditions/hidden-conditions.ts';
import {
  fundingRecordOwner,
  requireMayChangeInstrument,
  requireMayChangePledge,
  requireMayChangeTranches,
  requireMayRecordMoneyOf,
  requireMayReportSpendingOf,
} from './funding.policy.ts';
import * as repo from './funding.repo.ts';
import type * as s from './funding.schema.ts';
import * as ledger from './ledger.repo.ts';
import { toUsd } from './rates.ts';
import { trancheStates } from './tranches.ts';

async function visibleInstrument(ctx: Ctx, id: string, pointer = '/instrumentId'): Promise<repo.Instrument> {
  const instrument = await repo.getInstrument(ctx.db, ctx.actor, id);
  if (!instrument) throw invalid([{ pointer, detail: `No such funding instrument: ${id}.` }]);
  return instrument;
}

/** An instrument the caller may see and may record money on in its donor's name. */
async function instrumentForMoney(ctx: Ctx, id: string): Promise<repo.Instrument> {
  const instrument = await visibleInstrument(ctx, id);
  requireMayRecordMoneyOf(ctx.requireActor(), { id: instrument.donorOrgId, name: instrument.donorName });
  return instrument;
}

// --- Instruments -----------------------------------------------------------------------------

export async function getInstrument(ctx: Ctx, id: string): Promise<repo.Instrument> {
  return (
    (await repo.getInstrument(ctx.db, ctx.actor, id)) ??
    Promise.reject(await notFoundOrHidden(ctx.db, 'funding_instruments', id, 'funding instrument'))
  );
}

export async function createInstrument(ctx: Ctx, body: z.output<typeof s.instrumentCreate>) {
  const actor = ctx.requireActor();
  const ownerOrgId = fundingRecordOwner(actor, 'Funding instruments');
  const donor = await getOrganisation(ctx.db, body.donorOrgId);
  if (!donor) throw invalid([{ pointer: '/donorOrgId', detail: `No such organisation: ${body.donorOrgId}.` }]);
  requireMayRecordMoneyOf(actor, donor);
  const id = await repo.insertInstrument(ctx.db, { ...body, ownerOrgId });
  return (await repo.getInstrument(ctx.db, actor, id))!;
}

export async function updateInstrument(ctx: Ctx, id: string, body: z.output<typeof s.instrumentUpdate>) {
  const actor = ctx.requireActor();
  const before = await getInstrument(ctx, id);
  requireMayChangeInstrument(actor, before);
  await repo.updateInstrument(ctx.db, before.id, body);
  ctx.auditDetails({ before });
  return (await repo.getInstrument(ctx.db, actor, before.id))!;
}

async function existingBudgetLine(ctx: Ctx, id: string, pointer = '/budgetLineId'): Promise<void> {
  if (!(await repo.getBudgetLine(ctx.db, id))) throw invalid([{ pointer, detail: `No such budget line: ${id}.` }]);
}

async function existingOrganisation(ctx: Ctx, id: string, pointer: string): Promise<void> {
  if (!(await getOrganisation(ctx.db, id))) throw invalid([{ pointer, detail: `No such organisation: ${id}.` }]);
}

// --- Pledges ---------------------------------------------------------------------------------

/** Pledges with their tranches, each tranche's state, and its gate as the caller may see it. */
export async function presentPledges(ctx: Ctx, pledges: repo.PledgeRow[]) {
  const tranches = await repo.tranchesOf(
    ctx.db,
    pledges.map((p) => p.id),
  );
  const states = await trancheStates(ctx, tranches);
  const mask = await expressionMasker(
    ctx.db,
    ctx.actor,
    tranches.map((t) => t.gate),
  );
  return pledges.map((pledge) => ({
    ...pledge,
    tranches: tranches.filter((t) => t.pledgeId === pledge.id).map((t) => ({ ...t, gate: mask(t.gate), ...states.get(t.id)! })),
  }));
}

async function visiblePledge(ctx: Ctx, id: string): Promise<repo.PledgeRow> {
  return (await repo.getPledge(ctx.db, ctx.actor, id)) ?? Promise.reject(await notFoundOrHidden(ctx.db, 'pledges', id, 'pledge'));
}

export async function getPledge(ctx: Ctx, id: string) {
  return (await presentPledges(ctx, [await visiblePledge(ctx, id)]))[0];
}

export async function createPledge(ctx: Ctx, body: z.output<typeof s.pledgeCreate>) {
  const actor = ctx.requireActor();
  const ownerOrgId = fundingRecordOwner(actor, 'Pledges');
  await instrumentForMoney(ctx, body.instrumentId);
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
  const gates = [];
  for (const [i, tranche] of tranches.entries())
    gates.push(await expressionToStore(ctx.db, actor, tranche.gate, null, `/tranches/${i}/gate`));

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
    if (gates[i]) await setGate(ctx.db, repo.TRANCHE_SUBJECT, trancheId, gates[i]);
  }
  return getPledge(ctx, id);
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
  requireMayChangePledge(actor, before);
  if (body.earmarks) {
    const lines = await repo.existingBudgetLineIds(ctx.db, body.earmarks);
    const unknown = body.earmarks.filter((l) => !lines.has(l));
    if (unknown.length) throw invalid(unknown.map((l) => ({ pointer: '/earmarks', detail: `No such budget line: ${l}.` })));
  }
  await repo.updatePledge(ctx.db, id, body);
  ctx.auditDetails({ before });
  return getPledge(ctx, id);
}

async function visibleTranche(ctx: Ctx, id: string): Promise<repo.TrancheRow> {
  return (await repo.getTranche(ctx.db, ctx.actor, id)) ?? Promise.reject(await notFoundOrHidden(ctx.db, 'tranches', id, 'tranche'));
}

async function presentTranche(ctx: Ctx, row: repo.TrancheRow) {
  const state = (await trancheStates(ctx, [row])).get(row.id)!;
  const mask = await expressionMasker(ctx.db, ctx.actor, [row.gate]);
  return { ...row, gate: mask(row.gate), ...state };
}

export async function getTranche(ctx: Ctx, id: string) {
  return presentTranche(ctx, await visibleTranche(ctx, id));
}

export async function updateTranche(ctx: Ctx, id: string, body: z.output<typeof s.trancheUpdate>) {
  const actor = ctx.requireActor();
  const before = await visibleTranche(ctx, id);
  const pledge = await visiblePledge(ctx, before.pledgeId);
  requireMayChangeTranches(actor, pledge);
  const gate = await expressionToStore(ctx.db, actor, body.gate, before.gate, '/gate');
  await repo.updateTranche(ctx.db, id, body);
  if (gate !== undefined) await setGate(ctx.db, repo.TRANCHE_SUBJECT, id, gate);
  const after = (await repo.getTranche(ctx.db, actor, id))!;
  ctx.auditDetails({ before, after });
  return presentTranche(ctx, after);
}

// --- Agreements ------------------------------------------------------------------------------

export async function createAgreement(ctx: Ctx, body: z.output<typeof s.agreementCreate>) {
  const actor = ctx.requireActor();
  const ownerOrgId = fundingRecordOwner(actor, 'Agreements');
  await instrumentForMoney(ctx, body.instrumentId);
  if (body.pledgeId) {
    const pledge = await repo.getPledge(ctx.db, actor, body.pledgeId);
    if (!pledge) throw invalid([{ pointer: '/pledgeId', detail: `No such pledge: ${body.pledgeId}.` }]);
    if (pledge.instrumentId !== body.instrumentId)
      throw invalid([{ pointer: '/pledgeId', detail: 'The pledge belongs to another funding instrument.' }]);
  }
  const { amountUsd } = await toUsd(ctx.db, body.amount, body.currency, body.signedOn);
  const id = await repo.insertAgreement(ctx.db, { ...body, amountUsd, ownerOrgId });
  return (await repo.getAgreement(ctx.db, actor, id))!;
}

// --- Ledger postings -------------------------------------------------------------------------

export async function postMoney(ctx: Ctx, kind: ledger.PostingKind, body: s.PostingBody) {
  const actor = ctx.requireActor();
  // Spending is reported in the payee's name; every other movement in the donor's.
  if (kind === 'expenditure') await visibleInstrument(ctx, body.instrumentId);
  else await instrumentForMoney(ctx, body.instrumentId);
  if (body.budgetLineId) await existingBudgetLine(ctx, body.budgetLineId);
  if (body.payeeOrgId) await existingOrganisation(ctx, body.payeeOrgId, '/payeeOrgId');
  if (kind === 'expenditure') requireMayReportSpendingOf(actor, body.payeeOrgId);
  const { usdPerUnit, amountUsd } = await toUsd(ctx.db, body.amount, body.currency, body.valueDate);
  if (body.trancheId) await checkTrancheReceipt(ctx, body.trancheId, body.instrumentId, amountUsd);
  return ledger.post(ctx.db, { ...body, kind, usdPerUnit, amountUsd, postedBy: actorLabel(actor) });
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
  if (!original) throw await notFoundOrHidden(ctx.db, 'ledger_transactions', id, 'ledger transaction');
  await instrumentForMoney(ctx, original.instrumentId);
  if (original.kind === 'reversal')
    throw new Problem('request.invalid', 'A reversal cannot itself be reversed; post the movement again instead.');
  if (original.reversedById) throw new Problem('funding.already-reversed', `It was reversed by ${original.reversedById}.`);
  const valueDate = body.valueDate ?? new Date().toISOString().slice(0, 10);
  if (valueDate < original.valueDate)
    throw invalid([
      { pointer: '/valueDate', detail: `A reversal cannot be dated before the transaction it reverses (${original.valueDate}).` },
    ]);
  return ledger.reverse(ctx.db, original, { valueDate, reason: body.reason, postedBy: actorLabel(actor) });
}
