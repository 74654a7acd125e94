/**
 * Contingent strength figures and reimbursement claims with their equipment lines and
 * events. Claims are classified records owned by the claiming country; strength figures
 * are seen by the country they belong to and by force headquarters.
 */

import sql, { join, type Sql } from 'sql-template-tag';
import type { Classification } from '../../../shared/organisations.ts';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import { type Page, paging } from '../conditions/conditions.repo.ts';
import type { ClaimStatus } from './claims.schema.ts';
import type { ClaimMove, SeparationOfDuties } from './funding.policy.ts';

/** The first day of a "YYYY-MM" month, as the database stores it. */
export const firstDay = (month: string) => `${month}-01`;

// --- Strengths ------------------------------------------------------------------------------

export interface Strength {
  countryOrgId: string;
  countryName: string;
  contingent: string;
  month: string;
  personnelDays: number;
  source: string;
  recordedAt: Date;
}

const strengthColumns = sql`s.country_org_id as "countryOrgId", o.name as "countryName", s.contingent,
  to_char(s.month, 'YYYY-MM') as month, s.personnel_days as "personnelDays", s.source, s.recorded_at as "recordedAt"`;
const strengthFrom = sql`from contingent_strengths s join organisations o on o.id = s.country_org_id`;

/** Strength figures are seen by their own country, by force headquarters and by the local CLI. */
function strengthsVisibleTo(actor: Actor | null): Sql {
  if (actor?.kind === 'system' || actor?.organisationType === 'force_headquarters') return sql`true`;
  return sql`s.country_org_id = ${actor?.organisationId ?? null}::uuid`;
}

export async function listStrengths(
  db: Queryable,
  actor: Actor | null,
  filter: Page & { countryOrgId?: string; contingent?: string; month?: string },
) {
  const where: Sql[] = [strengthsVisibleTo(actor)];
  if (filter.countryOrgId) where.push(sql`s.country_org_id = ${filter.countryOrgId}::uuid`);
  if (filter.contingent) where.push(sql`s.contingent = ${filter.contingent}`);
  if (filter.month) where.push(sql`s.month = ${firstDay(filter.month)}::date`);
  const clause = sql`where ${join(where, ' and ')}`;
  const [items, count] = await Promise.all([
    db.query<Strength>(
      sql`select ${strengthColumns} ${strengthFrom} ${clause} order by s.month desc, o.name, s.contingent ${paging(filter)}`,
    ),
    db.query<{ total: number }>(sql`select count(*)::int as total ${strengthFrom} ${clause}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

export async function getStrength(db: Queryable, countryOrgId: string, contingent: string, month: string) {
  return (
    await db.query<Strength>(sql`select ${strengthColumns} ${strengthFrom}
      where s.country_org_id = ${countryOrgId}::uuid and s.contingent = ${contingent} and s.month = ${firstDay(month)}::date`)
  ).rows[0];
}

/** Enters or replaces one contingent-month's figure; says whether it was new, changed or the same. */
export async function upsertStrength(
  db: Queryable,
  input: { countryOrgId: string; contingent: string; month: string; personnelDays: number; source: string },
): Promise<'imported' | 'updated' | 'unchanged'> {
  const before = (
    await db.query<{ personnelDays: number }>(sql`
      select personnel_days as "personnelDays" from contingent_strengths
      where country_org_id = ${input.countryOrgId}::uuid and contingent = ${input.contingent} and month = ${firstDay(input.month)}::date
      for update`)
  ).rows[0];
  if (before?.personnelDays === input.personnelDays) return 'unchanged';
  await db.query(sql`
    insert into contingent_strengths (country_org_id, contingent, month, personnel_days, source)
    values (${input.countryOrgId}::uuid, ${input.contingent}, ${firstDay(input.month)}::date, ${input.personnelDays}, ${input.source})
    on conflict (country_org_id, contingent, month) do update
      set personnel_days = excluded.personnel_days, source = excluded.source, recorded_at = now()`);
  return before ? 'updated' : 'imported';
}

// --- Claims ---------------------------------------------------------------------------------

export interface Claim {
  id: string;
  countryOrgId: string;
  countryName: string;
  contingent: string;
  month: string;
  instrumentId: string;
  instrumentName: string;
  budgetLineId: string;
  budgetLineCode: string;
  personnelDays: number;
  daysInMonth: number;
  rateUsd: string;
  personnelUsd: string;
  equipmentUsd: string;
  totalUsd: string;
  status: ClaimStatus;
  paidTransactionId: string | null;
  ownerOrgId: string;
  classification: Classification;
  sharedWith: string[];
  createdAt: Date;
  updatedAt: Date;
}

const claimColumns = sql`c.id, c.country_org_id as "countryOrgId", o.name as "countryName", c.contingent,
  to_char(c.month, 'YYYY-MM') as month, c.instrument_id as "instrumentId", i.name as "instrumentName",
  c.budget_line_id as "budgetLineId", b.code as "budgetLineCode", c.personnel_days as "personnelDays",
  extract(day from (c.month + interval '1 month' - interval '1 day'))::int as "daysInMonth",
  c.rate_usd::text as "rateUsd", c.personnel_usd::text as "personnelUsd", c.equipment_usd::text as "equipmentUsd",
  c.total_usd::text as "totalUsd", c.status, c.paid_transaction_id as "paidTransactionId",
  c.owner_org_id as "ownerOrgId", c.classification, c.shared_with as "sharedWith", c.created_at as "createdAt", c.updated_at as "updatedAt"`;
const claimFrom = sql`from reimbursement_claims c join organisations o on o.id = c.country_org_id
  join funding_instruments i on i.id = c.instrument_id join budget_lines b on b.id = c.budget_line_id`;

export async function listClaims(
  db: Queryable,
  actor: Actor | null,
  filter: Page & { status?: ClaimStatus; countryOrgId?: string; month?: string },
) {
  const where: Sql[] = [visibleTo(actor, 'c')];
  if (filter.status) where.push(sql`c.status = ${filter.status}`);
  if (filter.countryOrgId) where.push(sql`c.country_org_id = ${filter.countryOrgId}::uuid`);
  if (filter.month) where.push(sql`c.month = ${firstDay(filter.month)}::date`);
  const clause = sql`where ${join(where, ' and ')}`;
  const [items, count] = await Promise.all([
    db.query<Claim>(sql`select ${claimColumns} ${claimFrom} ${clause} order by c.month desc, o.name, c.contingent ${paging(filter)}`),
    db.query<{ total: number }>(sql`select count(*)::int as total ${claimFrom} ${clause}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

/** One claim the actor may see; `lock` takes its row lock for a change of status. */
export async function getClaim(db: Queryable, actor: Actor | null, id: string, lock = false): Promise<Claim | undefined> {
  return (
    await db.query<Claim>(
      sql`select ${claimColumns} ${claimFrom} where c.id = ${id}::uuid and ${visibleTo(actor, 'c')} ${lock ? sql`for update of c` : sql``}`,
    )
  ).rows[0];
}

export interface EquipmentLine {
  id: string;
  description: string;
  lease: 'wet' | 'dry';
  quantity: number;
  monthlyRateUsd: string;
  amountUsd: string;
}

export async function equipmentOf(db: Queryable, claimId: string): Promise<EquipmentLine[]> {
  return (
    await db.query<EquipmentLine>(sql`
      select id, description, lease, quantity, monthly_rate_usd::text as "monthlyRateUsd", amount_usd::text as "amountUsd"
      from claim_equipment_lines where claim_id = ${claimId}::uuid order by description, id`)
  ).rows;
}

export async function eventsOf(db: Queryable, claimId: string) {
  return (
    await db.query<{ status: string; note: string; recordedBy: string; recordedAt: Date }>(sql`
      select status, note, recorded_by as "recordedBy", recorded_at as "recordedAt"
      from claim_events where claim_id = ${claimId}::uuid order by recorded_at, id`)
  ).rows;
}

export interface ClaimAmounts {
  personnelDays: number;
  rateUsd: string;
  personnelUsd: string;
  equipmentUsd: string;
  totalUsd: string;
  equipment: { description: string; lease: 'wet' | 'dry'; quantity: number; monthlyRateUsd: string; amountUsd: string }[];
}

export async function insertClaim(
  db: Queryable,
  input: ClaimAmounts & {
    countryOrgId: string;
    contingent: string;
    month: string;
    instrumentId: string;
    budgetLineId: string;
    ownerOrgId: string;
    classification: Classification;
    sharedWith: string[];
  },
): Promise<string> {
  const id = (
    await db.query<{ id: string }>(sql`
      insert into reimbursement_claims (country_org_id, contingent, month, instrument_id, budget_line_id, personnel_days, rate_usd,
        personnel_usd, equipment_usd, total_usd, owner_org_id, classification, shared_with)
      values (${input.countryOrgId}::uuid, ${input.contingent}, ${firstDay(input.month)}::date, ${input.instrumentId}::uuid,
        ${input.budgetLineId}::uuid, ${input.personnelDays}, ${input.rateUsd}::numeric, ${input.personnelUsd}::numeric,
        ${input.equipmentUsd}::numeric, ${input.totalUsd}::numeric, ${input.ownerOrgId}::uuid, ${input.classification},
        ${input.sharedWith}::uuid[])
      returning id`)
  ).rows[0].id;
  await replaceEquipment(db, id, input.equipment);
  return id;
}

async function replaceEquipment(db: Queryable, claimId: string, lines: ClaimAmounts['equipment']): Promise<void> {
  await db.query(sql`delete from claim_equipment_lines where claim_id = ${claimId}::uuid`);
  if (!lines.length) return;
  await db.query(sql`
    insert into claim_equipment_lines (claim_id, description, lease, quantity, monthly_rate_usd, amount_usd)
    values ${join(
      lines.map(
        (l) => sql`(${claimId}::uuid, ${l.description}, ${l.lease}, ${l.quantity}, ${l.monthlyRateUsd}::numeric, ${l.amountUsd}::numeric)`,
      ),
    )}`);
}

export async function updateClaim(
  db: Queryable,
  id: string,
  input: ClaimAmounts & { instrumentId: string; budgetLineId: string; classification: Classification; sharedWith: string[] },
): Promise<void> {
  await db.query(sql`
    update reimbursement_claims set instrument_id = ${input.instrumentId}::uuid, budget_line_id = ${input.budgetLineId}::uuid,
      personnel_days = ${input.personnelDays}, rate_usd = ${input.rateUsd}::numeric, personnel_usd = ${input.personnelUsd}::numeric,
      equipment_usd = ${input.equipmentUsd}::numeric, total_usd = ${input.totalUsd}::numeric,
      classification = ${input.classification}, shared_with = ${input.sharedWith}::uuid[], updated_at = now()
    where id = ${id}::uuid`);
  await replaceEquipment(db, id, input.equipment);
}

export async function setStatus(db: Queryable, id: string, status: ClaimStatus, paidTransactionId: string | null): Promise<void> {
  await db.query(sql`update reimbursement_claims set status = ${status}, paid_transaction_id = ${paidTransactionId}::uuid,
    updated_at = now() where id = ${id}::uuid`);
}

export async function insertEvent(
  db: Queryable,
  claimId: string,
  status: ClaimStatus,
  note: string,
  by: { label: string; userId: string | null; organisationId: string | null },
) {
  await db.query(sql`insert into claim_events (claim_id, status, note, recorded_by, actor_user_id, actor_org_id)
    values (${claimId}::uuid, ${status}, ${note}, ${by.label}, ${by.userId}::uuid, ${by.organisationId}::uuid)`);
}

export type ClaimMoves = ClaimMove[];

/** Who moved a claim to each status so far, for separation of duties. */
export async function movesOf(db: Queryable, claimId: string): Promise<ClaimMove[]> {
  return (
    await db.query<ClaimMove>(sql`
      select status, actor_user_id as "actorUserId", recorded_by as "recordedBy"
      from claim_events where claim_id = ${claimId}::uuid order by recorded_at, id`)
  ).rows;
}

/** The mission's separation-of-duties settings (one row, made by migration 0010). */
export async function getSeparationOfDuties(db: Queryable): Promise<SeparationOfDuties & { updatedAt: Date; updatedBy: string }> {
  return (
    await db.query<SeparationOfDuties & { updatedAt: Date; updatedBy: string }>(sql`
      select claim_payer_not_submitter as "claimPayerNotSubmitter", claim_payer_not_approver as "claimPayerNotApprover",
             claim_approver_not_verifier as "claimApproverNotVerifier", updated_at as "updatedAt", updated_by as "updatedBy"
      from separation_of_duties`)
  ).rows[0];
}

export async function setSeparationOfDuties(db: Queryable, changes: Partial<SeparationOfDuties>, by: string): Promise<void> {
  await db.query(sql`
    update separation_of_duties set
      claim_payer_not_submitter = coalesce(${changes.claimPayerNotSubmitter ?? null}::boolean, claim_payer_not_submitter),
      claim_payer_not_approver = coalesce(${changes.claimPayerNotApprover ?? null}::boolean, claim_payer_not_approver),
      claim_approver_not_verifier = coalesce(${changes.claimApproverNotVerifier ?? null}::boolean, claim_approver_not_verifier),
      updated_at = now(), updated_by = ${by}`);
}
