/**
 * Exchange rates, funding instruments, budget lines with their versions, pledges with
 * their tranches, and agreements. Instruments, pledges and agreements are classified
 * records; budget lines are mission-wide; a tranche is seen with its pledge.
 */
import sql, { join, raw, type Sql } from 'sql-template-tag';
import type { Classification } from '../../../shared/organisations.ts';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import { type Classified, classifiedColumns, type Page, paging } from '../conditions/conditions.repo.ts';
import type { Expression } from '../conditions/expressions.ts';
import type { BUDGET_CATEGORIES, INSTRUMENT_KINDS } from './funding.schema.ts';

type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];
type BudgetCategory = (typeof BUDGET_CATEGORIES)[number];

export const TRANCHE_SUBJECT = 'funding_tranche';

async function listed<T>(db: Queryable, select: Sql, from: Sql, where: Sql[], order: Sql, page: Page) {
  const clause = where.length ? sql`where ${join(where, ' and ')}` : sql``;
  const [items, count] = await Promise.all([
    db.query<T>(sql`select ${select} ${from} ${clause} order by ${order} ${paging(page)}`),
    db.query<{ total: number }>(sql`select count(*) as total ${from} ${clause}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

// --- Exchange rates -----------------------------------------------------------------------

export interface Rate {
  currency: string;
  rateDate: string;
  usdPerUnit: string;
  source: string;
}

export function listRates(db: Queryable, filter: Page & { currency?: string }) {
  return listed<Rate>(
    db,
    sql`currency, rate_date::text as "rateDate", usd_per_unit::text as "usdPerUnit", source`,
    sql`from exchange_rates`,
    filter.currency ? [sql`currency = ${filter.currency}`] : [],
    sql`currency, rate_date desc`,
    filter,
  );
}

export async function insertRate(db: Queryable, rate: Rate): Promise<Rate> {
  return (
    await db.query<Rate>(sql`
      insert into exchange_rates (currency, rate_date, usd_per_unit, source)
      values (${rate.currency}, ${rate.rateDate}::date, ${rate.usdPerUnit}::numeric, ${rate.source})
      returning currency, rate_date::text as "rateDate", usd_per_unit::text as "usdPerUnit", source`)
  ).rows[0];
}

// --- Instruments --------------------------------------------------------------------------

export interface Instrument extends Classified {
  id: string;
  donorOrgId: string;
  donorName: string;
  name: string;
  nameAr: string;
  kind: InstrumentKind;
  restrictions: string[];
  reimbursementRateUsd: string;
  source: string;
  illustrative: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const instrumentColumns = sql`i.id, i.donor_org_id as "donorOrgId", o.name as "donorName", i.name, i.name_ar as "nameAr", i.kind,
  i.restrictions, i.reimbursement_rate_usd::text as "reimbursementRateUsd", i.source, i.illustrative, ${classifiedColumns('i')},
  i.created_at as "createdAt", i.updated_at as "updatedAt"`;
const instrumentFrom = sql`from funding_instruments i join organisations o on o.id = i.donor_org_id`;

export function listInstruments(db: Queryable, actor: Actor | null, filter: Page & { donorOrgId?: string }) {
  const where = [visibleTo(actor, 'i')];
  if (filter.donorOrgId) where.push(sql`i.donor_org_id = ${filter.donorOrgId}::uuid`);
  return listed<Instrument>(db, instrumentColumns, instrumentFrom, where, sql`o.name, i.name`, filter);
}

export async function getInstrument(db: Queryable, actor: Actor | null, id: string): Promise<Instrument | undefined> {
  return (
    await db.query<Instrument>(sql`select ${instrumentColumns} ${instrumentFrom} where i.id = ${id}::uuid and ${visibleTo(actor, 'i')}`)
  ).rows[0];
}

export interface InstrumentInput {
  donorOrgId: string;
  name: string;
  nameAr?: string;
  kind: InstrumentKind;
  restrictions?: string[];
  reimbursementRateUsd?: string;
  source?: string;
  illustrative?: boolean;
  classification: Classification;
  sharedWith?: string[];
}

export async function insertInstrument(db: Queryable, input: InstrumentInput & { ownerOrgId: string }): Promise<string> {
  return (
    await db.query<{ id: string }>(sql`
      insert into funding_instruments (donor_org_id, name, name_ar, kind, restrictions, reimbursement_rate_usd, source, illustrative,
                                       owner_org_id, classification, shared_with)
      values (${input.donorOrgId}::uuid, ${input.name}, ${input.nameAr ?? ''}, ${input.kind}, ${input.restrictions ?? []}::text[],
              ${input.reimbursementRateUsd ?? '1428.00'}::numeric, ${input.source ?? ''}, ${input.illustrative ?? false},
              ${input.ownerOrgId}::uuid, ${input.classification}, ${input.sharedWith ?? []}::uuid[])
      returning id`)
  ).rows[0].id;
}

export async function updateInstrument(db: Queryable, id: string, input: Partial<Omit<InstrumentInput, 'donorOrgId'>>): Promise<void> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (input.name !== undefined) sets.push(sql`name = ${input.name}`);
  if (input.nameAr !== undefined) sets.push(sql`name_ar = ${input.nameAr}`);
  if (input.kind !== undefined) sets.push(sql`kind = ${input.kind}`);
  if (input.restrictions !== undefined) sets.push(sql`restrictions = ${input.restrictions}::text[]`);
  if (input.reimbursementRateUsd !== undefined) sets.push(sql`reimbursement_rate_usd = ${input.reimbursementRateUsd}::numeric`);
  if (input.source !== undefined) sets.push(sql`source = ${input.source}`);
  if (input.illustrative !== undefined) sets.push(sql`illustrative = ${input.illustrative}`);
  if (input.classification !== undefined) sets.push(sql`classification = ${input.classification}`);
  if (input.sharedWith !== undefined) sets.push(sql`shared_with = ${input.sharedWith}::uuid[]`);
  await db.query(sql`update funding_instruments set ${join(sets, ', ')} where id = ${id}::uuid`);
}

// --- Budget lines -------------------------------------------------------------------------

export interface BudgetLine {
  id: string;
  code: string;
  nameEn: string;
  nameAr: string;
  category: BudgetCategory;
  periodStart: string;
  periodEnd: string;
  originalUsd: string;
  currentUsd: string;
  version: number;
  versions: { version: number; amountUsd: string; reason: string; recordedBy: string; recordedAt: Date }[];
}

const lineColumns = sql`b.id, b.code, b.name_en as "nameEn", b.name_ar as "nameAr", b.category,
  b.period_start::text as "periodStart", b.period_end::text as "periodEnd",
  (select v.amount_usd::text from budget_line_versions v where v.budget_line_id = b.id order by v.version limit 1) as "originalUsd",
  (select v.amount_usd::text from budget_line_versions v where v.budget_line_id = b.id order by v.version desc limit 1) as "currentUsd",
  (select max(v.version) from budget_line_versions v where v.budget_line_id = b.id) as version,
  (select coalesce(json_agg(json_build_object('version', v.version, 'amountUsd', v.amount_usd::text, 'reason', v.reason,
     'recordedBy', v.recorded_by, 'recordedAt', v.recorded_at) order by v.version), '[]')
   from budget_line_versions v where v.budget_line_id = b.id) as versions`;

function withDates(line: BudgetLine): BudgetLine {
  return { ...line, versions: line.versions.map((v) => ({ ...v, recordedAt: new Date(v.recordedAt) })) };
}

export async function listBudgetLines(db: Queryable, filter: Page & { category?: string }) {
  const result = await listed<BudgetLine>(
    db,
    lineColumns,
    sql`from budget_lines b`,
    filter.category ? [sql`b.category = ${filter.category}`] : [],
    sql`b.code`,
    filter,
  );
  return { ...result, items: result.items.map(withDates) };
}

export async function getBudgetLine(db: Queryable, id: string): Promise<BudgetLine | undefined> {
  const row = (await db.query<BudgetLine>(sql`select ${lineColumns} from budget_lines b where b.id = ${id}::uuid`)).rows[0];
  return row && withDates(row);
}

export interface BudgetLineInput {
  code: string;
  nameEn: string;
  nameAr: string;
  category: BudgetCategory;
  periodStart: string;
  periodEnd: string;
  amountUsd: string;
}

export async function insertBudgetLine(db: Queryable, input: BudgetLineInput, recordedBy: string): Promise<string> {
  const id = (
    await db.query<{ id: string }>(sql`
      insert into budget_lines (code, name_en, name_ar, category, period_start, period_end)
      values (${input.code}, ${input.nameEn}, ${input.nameAr}, ${input.category}, ${input.periodStart}::date, ${input.periodEnd}::date)
      returning id`)
  ).rows[0].id;
  await db.query(sql`insert into budget_line_versions (budget_line_id, version, amount_usd, reason, recorded_by)
    values (${id}::uuid, 1, ${input.amountUsd}::numeric, 'original', ${recordedBy})`);
  return id;
}

export async function reviseBudgetLine(db: Queryable, id: string, amountUsd: string, reason: string, recordedBy: string): Promise<void> {
  // The line's row lock orders concurrent revisions, so each gets the next version number.
  await db.query(sql`select 1 from budget_lines where id = ${id}::uuid for update`);
  await db.query(sql`
    insert into budget_line_versions (budget_line_id, version, amount_usd, reason, recorded_by)
    select ${id}::uuid, coalesce(max(version), 0) + 1, ${amountUsd}::numeric, ${reason}, ${recordedBy}
    from budget_line_versions where budget_line_id = ${id}::uuid`);
}

export async function existingBudgetLineIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.query<{ id: string }>(sql`select id from budget_lines where id = any(${ids}::uuid[])`);
  return new Set(rows.rows.map((r) => r.id));
}

// --- Pledges and tranches -----------------------------------------------------------------

export interface TrancheRow {
  id: string;
  pledgeId: string;
  seq: number;
  amount: string;
  currency: string;
  amountUsd: string;
  receivedUsd: string;
  expectedOn: string | null;
  note: string;
  gate: Expression | null;
}

export interface PledgeRow extends Classified {
  id: string;
  instrumentId: string;
  instrumentName: string;
  donorOrgId: string;
  donorName: string;
  title: string;
  amount: string;
  currency: string;
  amountUsd: string;
  pledgedOn: string;
  earmarks: string[];
  source: string;
  illustrative: boolean;
  receivedUsd: string;
  createdAt: Date;
  updatedAt: Date;
}

/** USD received against a tranche, net of reversed receipts. */
const trancheReceived = (alias: string) => sql`coalesce((
  select sum(t.amount_usd) from ledger_transactions t
  where t.tranche_id = ${raw(`${alias}.id`)}
    and t.kind = 'receipt' and not exists (select 1 from ledger_transactions r where r.reverses_id = t.id)), 0)`;

const pledgeColumns = sql`p.id, p.instrument_id as "instrumentId", i.name as "instrumentName", i.donor_org_id as "donorOrgId",
  o.name as "donorName", p.title, p.amount::text, p.currency, p.amount_usd::text as "amountUsd", p.pledged_on::text as "pledgedOn",
  p.earmarks, p.source, p.illustrative,
  coalesce((select sum(t.amount_usd) from ledger_transactions t join tranches tr on tr.id = t.tranche_id
    where tr.pledge_id = p.id and t.kind = 'receipt'
      and not exists (select 1 from ledger_transactions r where r.reverses_id = t.id)), 0)::numeric(20, 2)::text as "receivedUsd",
  ${classifiedColumns('p')}, p.created_at as "createdAt", p.updated_at as "updatedAt"`;
const pledgeFrom = sql`from pledges p join funding_instruments i on i.id = p.instrument_id join organisations o on o.id = i.donor_org_id`;

export function listPledges(db: Queryable, actor: Actor | null, filter: Page & { instrumentId?: string; donorOrgId?: string }) {
  const where = [visibleTo(actor, 'p')];
  if (filter.instrumentId) where.push(sql`p.instrument_id = ${filter.instrumentId}::uuid`);
  if (filter.donorOrgId) where.push(sql`i.donor_org_id = ${filter.donorOrgId}::uuid`);
  return listed<PledgeRow>(db, pledgeColumns, pledgeFrom, where, sql`p.pledged_on desc, p.created_at desc, p.id`, filter);
}

export async function getPledge(db: Queryable, actor: Actor | null, id: string): Promise<PledgeRow | undefined> {
  return (await db.query<PledgeRow>(sql`select ${pledgeColumns} ${pledgeFrom} where p.id = ${id}::uuid and ${visibleTo(actor, 'p')}`))
    .rows[0];
}

const trancheColumns = sql`tr.id, tr.pledge_id as "pledgeId", tr.seq, tr.amount::text, p.currency, tr.amount_usd::text as "amountUsd",
  ${trancheReceived('tr')}::numeric(20, 2)::text as "receivedUsd", tr.expected_on::text as "expectedOn", tr.note,
  (select g.expression from gates g where g.subject_type = ${TRANCHE_SUBJECT} and g.subject_id = tr.id) as gate`;

export async function tranchesOf(db: Queryable, pledgeIds: string[]): Promise<TrancheRow[]> {
  if (!pledgeIds.length) return [];
  return (
    await db.query<TrancheRow>(sql`select ${trancheColumns} from tranches tr join pledges p on p.id = tr.pledge_id
      where tr.pledge_id = any(${pledgeIds}::uuid[]) order by tr.pledge_id, tr.seq`)
  ).rows;
}

/** A tranche, if the caller may see its pledge; `lock` holds it until the transaction ends. */
export async function getTranche(db: Queryable, actor: Actor | null, id: string, lock = false): Promise<TrancheRow | undefined> {
  return (
    await db.query<TrancheRow>(sql`select ${trancheColumns} from tranches tr join pledges p on p.id = tr.pledge_id
      where tr.id = ${id}::uuid and ${visibleTo(actor, 'p')} ${lock ? sql`for update of tr` : sql``}`)
  ).rows[0];
}

export interface PledgeInput {
  instrumentId: string;
  title: string;
  amount: string;
  currency: string;
  amountUsd: string;
  pledgedOn: string;
  earmarks: string[];
  source: string;
  illustrative: boolean;
  externalRef?: string | null;
  classification: Classification;
  sharedWith: string[];
}

export async function insertPledge(db: Queryable, input: PledgeInput & { ownerOrgId: string }): Promise<string> {
  return (
    await db.query<{ id: string }>(sql`
      insert into pledges (instrument_id, title, amount, currency, amount_usd, pledged_on, earmarks, source, illustrative, external_ref,
                           owner_org_id, classification, shared_with)
      values (${input.instrumentId}::uuid, ${input.title}, ${input.amount}::numeric, ${input.currency}, ${input.amountUsd}::numeric,
              ${input.pledgedOn}::date, ${input.earmarks}::uuid[], ${input.source}, ${input.illustrative}, ${input.externalRef ?? null},
              ${input.ownerOrgId}::uuid, ${input.classification}, ${input.sharedWith}::uuid[])
      returning id`)
  ).rows[0].id;
}

export async function updatePledge(
  db: Queryable,
  id: string,
  input: Partial<Pick<PledgeInput, 'title' | 'source' | 'illustrative' | 'earmarks' | 'classification' | 'sharedWith'>>,
): Promise<void> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (input.title !== undefined) sets.push(sql`title = ${input.title}`);
  if (input.source !== undefined) sets.push(sql`source = ${input.source}`);
  if (input.illustrative !== undefined) sets.push(sql`illustrative = ${input.illustrative}`);
  if (input.earmarks !== undefined) sets.push(sql`earmarks = ${input.earmarks}::uuid[]`);
  if (input.classification !== undefined) sets.push(sql`classification = ${input.classification}`);
  if (input.sharedWith !== undefined) sets.push(sql`shared_with = ${input.sharedWith}::uuid[]`);
  await db.query(sql`update pledges set ${join(sets, ', ')} where id = ${id}::uuid`);
}

export async function insertTranche(
  db: Queryable,
  input: { pledgeId: string; seq: number; amount: string; amountUsd: string; expectedOn: string | null; note: string },
): Promise<string> {
  return (
    await db.query<{ id: string }>(sql`
      insert into tranches (pledge_id, seq, amount, amount_usd, expected_on, note)
      values (${input.pledgeId}::uuid, ${input.seq}, ${input.amount}::numeric, ${input.amountUsd}::numeric, ${input.expectedOn}::date, ${input.note})
      returning id`)
  ).rows[0].id;
}

export async function updateTranche(db: Queryable, id: string, input: { expectedOn?: string | null; note?: string }): Promise<void> {
  const sets: Sql[] = [];
  if (input.expectedOn !== undefined) sets.push(sql`expected_on = ${input.expectedOn}::date`);
  if (input.note !== undefined) sets.push(sql`note = ${input.note}`);
  if (sets.length) await db.query(sql`update tranches set ${join(sets, ', ')} where id = ${id}::uuid`);
}

// --- Agreements ---------------------------------------------------------------------------

export interface Agreement extends Classified {
  id: string;
  instrumentId: string;
  pledgeId: string | null;
  reference: string;
  amount: string;
  currency: string;
  amountUsd: string;
  signedOn: string;
  source: string;
  illustrative: boolean;
  createdAt: Date;
}

const agreementColumns = sql`a.id, a.instrument_id as "instrumentId", a.pledge_id as "pledgeId", a.reference, a.amount::text, a.currency,
  a.amount_usd::text as "amountUsd", a.signed_on::text as "signedOn", a.source, a.illustrative, ${classifiedColumns('a')},
  a.created_at as "createdAt"`;

export function listAgreements(db: Queryable, actor: Actor | null, filter: Page & { instrumentId?: string }) {
  const where = [visibleTo(actor, 'a')];
  if (filter.instrumentId) where.push(sql`a.instrument_id = ${filter.instrumentId}::uuid`);
  return listed<Agreement>(db, agreementColumns, sql`from funding_agreements a`, where, sql`a.signed_on desc, a.id`, filter);
}

export async function getAgreement(db: Queryable, actor: Actor | null, id: string): Promise<Agreement | undefined> {
  return (
    await db.query<Agreement>(
      sql`select ${agreementColumns} from funding_agreements a where a.id = ${id}::uuid and ${visibleTo(actor, 'a')}`,
    )
  ).rows[0];
}

export interface AgreementInput {
  instrumentId: string;
  pledgeId: string | null;
  reference: string;
  amount: string;
  currency: string;
  amountUsd: string;
  signedOn: string;
  source: string;
  illustrative: boolean;
  externalRef?: string | null;
  classification: Classification;
  sharedWith: string[];
}

export async function insertAgreement(db: Queryable, input: AgreementInput & { ownerOrgId: string }): Promise<string> {
  return (
    await db.query<{ id: string }>(sql`
      insert into funding_agreements (instrument_id, pledge_id, reference, amount, currency, amount_usd, signed_on, source, illustrative,
                                      external_ref, owner_org_id, classification, shared_with)
      values (${input.instrumentId}::uuid, ${input.pledgeId}::uuid, ${input.reference}, ${input.amount}::numeric, ${input.currency},
              ${input.amountUsd}::numeric, ${input.signedOn}::date, ${input.source}, ${input.illustrative}, ${input.externalRef ?? null},
              ${input.ownerOrgId}::uuid, ${input.classification}, ${input.sharedWith}::uuid[])
      returning id`)
  ).rows[0].id;
}
