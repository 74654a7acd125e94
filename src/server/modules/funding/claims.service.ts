/**
 * Reimbursement of contributing countries: monthly claims per contingent, computed from
 * the contingent's strength and its leased equipment, and their lifecycle
 *
 *   drafted → submitted → verified → approved → paid
 *                 └──────────┴→ rejected → drafted (corrected and submitted again)
 *
 * The country drafts and submits its own claims (funding.report); the mission's finance
 * staff verify, approve, pay and reject them, under the separation of duties the mission
 * sets (funding.policy.ts: who may is decided there, never here). Paying posts the
 * disbursement from the claim's budget line to the country in the same transaction; the
 * claim's row lock and the database's unique claim reference make a second payment
 * impossible, however many requests arrive at once.
 */
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { centsOf, usdOf } from '../../../shared/money.ts';
import { type Actor, actorLabel } from '../../http/actor.ts';
import type { Ctx } from '../../http/context.ts';
import { forbidden, invalid, Problem } from '../../http/problems.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import { getOrganisation } from '../access/organisations.repo.ts';
import * as repo from './claims.repo.ts';
import type * as s from './claims.schema.ts';
import type { ClaimStatus } from './claims.schema.ts';
import {
  CLAIM_MOVED_BY,
  claimDutyRefusal,
  holdsClaimRole,
  mayActForAnyCountry,
  requireMayChangeClaim,
  requireMayEnterFiguresFor,
} from './funding.policy.ts';
import * as funding from './funding.repo.ts';
import * as ledger from './ledger.repo.ts';

// --- Amounts --------------------------------------------------------------------------------

/** Days in a "YYYY-MM" month (28 to 31). */
export function daysInMonth(month: string): number {
  const [year, m] = month.split('-').map(Number);
  return new Date(Date.UTC(year, m, 0)).getUTCDate();
}

/** numerator ÷ denominator rounded half up, for non-negative integers. */
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return 2n * (numerator % denominator) >= denominator ? quotient + 1n : quotient;
}

/**
 * The amounts of a claim, exactly, in integer cents:
 *   personnel = personnel-days × monthly rate per person ÷ days in the month, rounded half up to cents
 *               (800 people all of a 30-day month at USD 1,428: 24,000 × 1,428 ÷ 30 = USD 1,142,400.00);
 *   each equipment line = quantity × monthly lease rate;
 *   total = personnel + equipment.
 */
export function claimAmounts(
  month: string,
  personnelDays: number,
  rateUsd: string,
  equipment: { description: string; lease: 'wet' | 'dry'; quantity: number; monthlyRateUsd: string }[],
): repo.ClaimAmounts {
  const personnel = divideHalfUp(BigInt(personnelDays) * centsOf(rateUsd), BigInt(daysInMonth(month)));
  const lines = equipment.map((line) => ({ ...line, amountUsd: usdOf(BigInt(line.quantity) * centsOf(line.monthlyRateUsd)) }));
  const equipmentCents = lines.reduce((sum, line) => sum + centsOf(line.amountUsd), 0n);
  return {
    personnelDays,
    rateUsd: usdOf(centsOf(rateUsd)),
    personnelUsd: usdOf(personnel),
    equipmentUsd: usdOf(equipmentCents),
    totalUsd: usdOf(personnel + equipmentCents),
    equipment: lines.map((line) => ({ ...line, monthlyRateUsd: usdOf(centsOf(line.monthlyRateUsd)) })),
  };
}

// --- Whose figures --------------------------------------------------------------------------

/**
 * The contributing country a strength figure or claim is for: the caller's own organisation,
 * which must be a contributing country; the mission's finance staff may name any
 * contributing country.
 */
async function countryFor(ctx: Ctx, requested: string | undefined, pointer: string): Promise<string> {
  const actor = ctx.requireActor();
  const mayActForOthers = mayActForAnyCountry(actor);
  const countryOrgId = requested ?? actor.organisationId;
  if (!countryOrgId) throw invalid([{ pointer, detail: 'Name the contributing country (its organisation id).' }]);
  requireMayEnterFiguresFor(actor, countryOrgId);
  const organisation = await getOrganisation(ctx.db, countryOrgId);
  if (!organisation) throw invalid([{ pointer, detail: `No such organisation: ${countryOrgId}.` }]);
  if (organisation.type !== 'contributing_country') {
    if (!requested && !mayActForOthers) throw forbidden('Only a contributing country enters its strength figures and claims.');
    if (!requested) throw invalid([{ pointer, detail: 'Your organisation is not a contributing country: name the country this is for.' }]);
    throw invalid([{ pointer, detail: `${organisation.name} is not a contributing country.` }]);
  }
  return countryOrgId;
}

// --- Strengths ------------------------------------------------------------------------------

export async function setStrength(ctx: Ctx, body: z.output<typeof s.strengthPut>) {
  const countryOrgId = await countryFor(ctx, body.countryOrgId, '/countryOrgId');
  const before = await repo.getStrength(ctx.db, countryOrgId, body.contingent, body.month);
  await repo.upsertStrength(ctx.db, { ...body, countryOrgId, source: 'entered' });
  const after = (await repo.getStrength(ctx.db, countryOrgId, body.contingent, body.month))!;
  ctx.auditDetails({ entityId: `${countryOrgId}:${body.contingent}:${body.month}`, before: before ?? null });
  return after;
}

const COLUMNS = ['contingent', 'month', 'personnel_days'] as const;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Imports strength figures from CSV with a header row naming the columns contingent, month
 * (YYYY-MM) and personnel_days, in any order. A file that cannot be read as CSV or lacks a
 * column is refused whole; otherwise the good rows are written and each bad row is reported
 * with its line number and reason, so the file can be corrected and imported again (rows
 * already imported come back as unchanged).
 */
export async function importStrengths(ctx: Ctx, csv: string, requestedCountry: string | undefined) {
  const countryOrgId = await countryFor(ctx, requestedCountry, '/countryOrgId');
  // With `info: true` each record comes with where it was read, which csv-parse's types do not say.
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(csv, { skip_empty_lines: true, trim: true, bom: true, info: true, relax_column_count: true }) as unknown as typeof rows;
  } catch (error) {
    throw invalid([{ pointer: '/csv', detail: `The file is not readable as CSV: ${(error as Error).message}` }]);
  }
  const header = (rows[0]?.record ?? []).map((h) => h.toLowerCase());
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length)
    throw invalid([
      {
        pointer: '/csv',
        detail: `The first line must name the columns ${COLUMNS.join(', ')}; missing: ${missing.join(', ')}.`,
      },
    ]);
  const records = rows.slice(1).map(({ record, info }) => ({
    record: Object.fromEntries(header.map((name, i) => [name, record[i] ?? ''])),
    info,
  }));

  const result = { imported: 0, updated: 0, unchanged: 0, refused: [] as { line: number; reason: string }[] };
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const reason = rowProblem(record);
    if (reason) {
      result.refused.push({ line, reason });
      continue;
    }
    const key = `${record.contingent}\u0000${record.month}`;
    if (seen.has(key)) {
      result.refused.push({ line, reason: `The same contingent and month as line ${seen.get(key)}.` });
      continue;
    }
    seen.set(key, line);
    const outcome = await repo.upsertStrength(ctx.db, {
      countryOrgId,
      contingent: record.contingent,
      month: record.month,
      personnelDays: Number(record.personnel_days),
      source: 'imported',
    });
    result[outcome] += 1;
  }
  ctx.auditDetails({
    entityId: countryOrgId,
    after: { imported: result.imported, updated: result.updated, unchanged: result.unchanged, refused: result.refused.length },
  });
  return result;
}

function rowProblem(record: Record<string, string>): string | undefined {
  const contingent = record.contingent ?? '';
  if (!contingent) return 'The contingent is empty.';
  if (contingent.length > 200) return 'The contingent name is longer than 200 characters.';
  if (!MONTH.test(record.month ?? '')) return `The month "${record.month ?? ''}" is not YYYY-MM.`;
  if (record.month < '2000-01' || record.month > '2100-12')
    return `The month ${record.month} is not one of the mission's, from 2000-01 to 2100-12.`;
  const days = record.personnel_days ?? '';
  if (!/^\d{1,9}$/.test(days) || Number(days) > 100_000_000)
    return `personnel_days "${days}" is not a whole number of days from 0 to 100,000,000.`;
  return undefined;
}

// --- Claims ---------------------------------------------------------------------------------

async function visibleInstrument(ctx: Ctx, id: string) {
  const instrument = await funding.getInstrument(ctx.db, ctx.actor, id);
  if (!instrument) throw invalid([{ pointer: '/instrumentId', detail: `No such funding instrument: ${id}.` }]);
  return instrument;
}

async function existingBudgetLine(ctx: Ctx, id: string) {
  if (!(await funding.getBudgetLine(ctx.db, id))) throw invalid([{ pointer: '/budgetLineId', detail: `No such budget line: ${id}.` }]);
}

function nothingClaimed(amounts: repo.ClaimAmounts): void {
  if (centsOf(amounts.totalUsd) === 0n)
    throw invalid([{ pointer: '/personnelDays', detail: 'The claim comes to USD 0.00: give personnel-days or equipment lines.' }]);
}

export async function createClaim(ctx: Ctx, body: z.output<typeof s.claimCreate>) {
  const countryOrgId = await countryFor(ctx, body.countryOrgId, '/countryOrgId');
  const instrument = await visibleInstrument(ctx, body.instrumentId);
  await existingBudgetLine(ctx, body.budgetLineId);
  let personnelDays = body.personnelDays;
  if (personnelDays === undefined) {
    const strength = await repo.getStrength(ctx.db, countryOrgId, body.contingent, body.month);
    if (!strength)
      throw invalid([
        {
          pointer: '/personnelDays',
          detail: `There is no strength figure for ${body.contingent} in ${body.month}: enter or import it, or give personnelDays.`,
        },
      ]);
    personnelDays = strength.personnelDays;
  }
  const amounts = claimAmounts(body.month, personnelDays, instrument.reimbursementRateUsd, body.equipment);
  nothingClaimed(amounts);
  const id = await repo.insertClaim(ctx.db, {
    ...amounts,
    countryOrgId,
    contingent: body.contingent,
    month: body.month,
    instrumentId: body.instrumentId,
    budgetLineId: body.budgetLineId,
    ownerOrgId: countryOrgId,
    classification: body.classification,
    sharedWith: body.sharedWith,
  });
  await repo.insertEvent(ctx.db, id, 'drafted', '', mover(ctx.requireActor()));
  return getClaim(ctx, id);
}

export async function updateClaim(ctx: Ctx, id: string, body: z.output<typeof s.claimUpdate>) {
  const actor = ctx.requireActor();
  const before = await getClaim(ctx, id);
  requireMayChangeClaim(actor, before);
  if (before.status !== 'drafted')
    throw new Problem('funding.claim-transition', `The claim is ${before.status}; only a drafted claim can be changed.`);
  const instrumentId = body.instrumentId ?? before.instrumentId;
  const instrument = await visibleInstrument(ctx, instrumentId);
  if (body.budgetLineId) await existingBudgetLine(ctx, body.budgetLineId);
  const equipment = body.equipment ?? before.equipment;
  const amounts = claimAmounts(before.month, body.personnelDays ?? before.personnelDays, instrument.reimbursementRateUsd, equipment);
  nothingClaimed(amounts);
  await repo.updateClaim(ctx.db, id, {
    ...amounts,
    instrumentId,
    budgetLineId: body.budgetLineId ?? before.budgetLineId,
    classification: body.classification ?? before.classification,
    sharedWith: body.sharedWith ?? before.sharedWith,
  });
  ctx.auditDetails({ before });
  return getClaim(ctx, id);
}

/** Where a claim can go from each status. */
const TRANSITIONS: Record<ClaimStatus, ClaimStatus[]> = {
  drafted: ['submitted'],
  submitted: ['verified', 'rejected'],
  verified: ['approved', 'rejected'],
  approved: ['paid'],
  paid: [],
  rejected: ['drafted'],
};

/** Who moves a claim, as its events record it. */
function mover(actor: Actor) {
  return { label: actorLabel(actor), userId: actor.userId, organisationId: actor.organisationId };
}

/** Why `actor` may not move `claim` to `to`, or null: the role it needs, then separation of duties. */
function refusalOf(
  actor: Actor | null,
  claim: repo.Claim,
  to: ClaimStatus,
  moves: repo.ClaimMoves,
  duties: Awaited<ReturnType<typeof repo.getSeparationOfDuties>>,
): string | null {
  if (!holdsClaimRole(actor, claim, to))
    return CLAIM_MOVED_BY[to] === 'country'
      ? `Only the country that owns the claim can move it to ${to}.`
      : `Moving a claim to ${to} is for the mission's finance staff (the permission "funding.post" at force headquarters).`;
  return claimDutyRefusal(actor!, actorLabel(actor), claim, to, moves, duties);
}

export async function getClaim(ctx: Ctx, id: string, lock = false) {
  const claim = await repo.getClaim(ctx.db, ctx.actor, id, lock);
  if (!claim) throw await notFoundOrHidden(ctx.db, 'reimbursement_claims', id, 'reimbursement claim');
  const [moves, duties] = await Promise.all([repo.movesOf(ctx.db, id), repo.getSeparationOfDuties(ctx.db)]);
  return {
    ...claim,
    equipment: await repo.equipmentOf(ctx.db, id),
    events: await repo.eventsOf(ctx.db, id),
    // The moves the caller may make now: what the claim's status allows, their role, and separation of duties.
    transitions: TRANSITIONS[claim.status].filter((to) => refusalOf(ctx.actor, claim, to, moves, duties) === null),
  };
}

export async function transition(ctx: Ctx, id: string, body: z.output<typeof s.transitionCreate>) {
  const actor = ctx.requireActor();
  // The row lock orders concurrent changes of one claim: the second waits and sees the first's result.
  const before = await getClaim(ctx, id, true);
  const refusal = refusalOf(actor, before, body.to, await repo.movesOf(ctx.db, id), await repo.getSeparationOfDuties(ctx.db));
  if (refusal) throw forbidden(refusal);
  if (!TRANSITIONS[before.status].includes(body.to)) {
    if (before.status === 'paid')
      throw new Problem('funding.claim-paid', `It was paid by ledger transaction ${before.paidTransactionId}.`, {
        paidTransactionId: before.paidTransactionId,
      });
    const allowed = TRANSITIONS[before.status];
    throw new Problem(
      'funding.claim-transition',
      `The claim is ${before.status}; it can move to ${allowed.length ? allowed.join(' or ') : 'nothing else'}, not to ${body.to}.`,
      { from: before.status, to: body.to },
    );
  }
  if (body.to === 'rejected' && !body.note)
    throw invalid([{ pointer: '/note', detail: 'Say why the claim is rejected, so the country can correct it.' }]);

  let disbursement: ledger.Transaction | null = null;
  if (body.to === 'paid') {
    disbursement = await ledger.post(ctx.db, {
      kind: 'disbursement',
      instrumentId: before.instrumentId,
      budgetLineId: before.budgetLineId,
      payeeOrgId: before.countryOrgId,
      claimId: before.id,
      valueDate: body.valueDate ?? new Date().toISOString().slice(0, 10),
      currency: 'USD',
      amount: before.totalUsd,
      usdPerUnit: '1',
      amountUsd: before.totalUsd,
      reference: `Claim ${before.contingent} ${before.month}`,
      description: `Reimbursement of ${before.countryName}, ${before.contingent}, ${before.month}`,
      origin: 'claim',
      postedBy: actorLabel(actor),
    });
  }
  const paidTransactionId = disbursement?.id ?? null;
  await repo.setStatus(ctx.db, id, body.to, paidTransactionId);
  await repo.insertEvent(ctx.db, id, body.to, body.note, mover(actor));
  const after = await getClaim(ctx, id);
  // A payment's disbursement is recorded with the claim's entry: it is the payment.
  ctx.auditDetails({
    action: `funding.claim.${body.to}`,
    before: { status: before.status },
    after: { status: after.status, note: body.note, paidTransactionId, ...(disbursement ? { disbursement } : {}) },
  });
  return after;
}

export async function setSeparationOfDuties(ctx: Ctx, changes: z.output<typeof s.separationOfDutiesUpdate>) {
  const before = await repo.getSeparationOfDuties(ctx.db);
  await repo.setSeparationOfDuties(ctx.db, changes, actorLabel(ctx.requireActor()));
  ctx.auditDetails({ before });
  return repo.getSeparationOfDuties(ctx.db);
}
