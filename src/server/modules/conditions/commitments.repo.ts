/**
 * Commitments: a stakeholder's conditional offer (money, personnel, aid capacity,
 * projects), the first gated subject. Money is numeric(20,2), read as an exact decimal
 * string and handed to the analysis in US cents.
 */
import sql, { join, type Sql } from 'sql-template-tag';
import type { Classification } from '../../../shared/organisations.ts';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import { likePattern } from '../access/organisations.repo.ts';
import { type Classified, classifiedColumns, type Page, paging } from './conditions.repo.ts';
import type { DimensionValues, Expression } from './expressions.ts';
import type { GatedSubjectType } from './gates.ts';

export const COMMITMENT_SUBJECT = 'commitment';

export interface Commitment extends Classified {
  id: string;
  stakeholderId: string;
  titleEn: string;
  titleAr: string;
  description: string;
  moneyUsd: string;
  personnel: number;
  aidTrucksPerDay: number;
  projects: number;
  source: string;
  illustrative: boolean;
  gate: Expression | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = sql`m.id, m.stakeholder_id as "stakeholderId", m.title_en as "titleEn", m.title_ar as "titleAr", m.description,
  m.money_usd::text as "moneyUsd", m.personnel, m.aid_trucks_per_day as "aidTrucksPerDay", m.projects, m.source, m.illustrative,
  (select g.expression from gates g where g.subject_type = ${COMMITMENT_SUBJECT} and g.subject_id = m.id) as gate,
  ${classifiedColumns('m')}, m.created_at as "createdAt", m.updated_at as "updatedAt"`;

export async function listCommitments(
  db: Queryable,
  actor: Actor | null,
  filter: Page & { stakeholderId?: string; q?: string },
): Promise<{ items: Commitment[]; total: number }> {
  const conditions: Sql[] = [visibleTo(actor, 'm')];
  if (filter.stakeholderId) conditions.push(sql`m.stakeholder_id = ${filter.stakeholderId}::uuid`);
  if (filter.q) conditions.push(sql`(lower(m.title_en) like ${likePattern(filter.q)} or m.title_ar like ${likePattern(filter.q)})`);
  const where = sql`where ${join(conditions, ' and ')}`;
  const [items, count] = await Promise.all([
    db.query<Commitment>(sql`select ${columns} from commitments m ${where} order by m.created_at, m.id ${paging(filter)}`),
    db.query<{ total: number }>(sql`select count(*) as total from commitments m ${where}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

export async function getCommitment(db: Queryable, actor: Actor | null, id: string): Promise<Commitment | undefined> {
  return (await db.query<Commitment>(sql`select ${columns} from commitments m where m.id = ${id}::uuid and ${visibleTo(actor, 'm')}`))
    .rows[0];
}

export interface CommitmentInput {
  stakeholderId: string;
  titleEn: string;
  titleAr: string;
  description?: string;
  moneyUsd?: string;
  personnel?: number;
  aidTrucksPerDay?: number;
  projects?: number;
  source?: string;
  illustrative?: boolean;
  classification: Classification;
  sharedWith?: string[];
}

export async function insertCommitment(db: Queryable, input: CommitmentInput & { ownerOrgId: string }): Promise<string> {
  return (
    await db.query<{ id: string }>(sql`
      insert into commitments (stakeholder_id, title_en, title_ar, description, money_usd, personnel, aid_trucks_per_day, projects,
                               source, illustrative, owner_org_id, classification, shared_with)
      values (${input.stakeholderId}::uuid, ${input.titleEn}, ${input.titleAr}, ${input.description ?? ''}, ${input.moneyUsd ?? '0'}::numeric,
              ${input.personnel ?? 0}, ${input.aidTrucksPerDay ?? 0}, ${input.projects ?? 0}, ${input.source ?? ''}, ${input.illustrative ?? false},
              ${input.ownerOrgId}::uuid, ${input.classification}, ${input.sharedWith ?? []}::uuid[])
      returning id`)
  ).rows[0].id;
}

export async function updateCommitment(db: Queryable, id: string, input: Partial<CommitmentInput>): Promise<void> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (input.stakeholderId !== undefined) sets.push(sql`stakeholder_id = ${input.stakeholderId}::uuid`);
  if (input.titleEn !== undefined) sets.push(sql`title_en = ${input.titleEn}`);
  if (input.titleAr !== undefined) sets.push(sql`title_ar = ${input.titleAr}`);
  if (input.description !== undefined) sets.push(sql`description = ${input.description}`);
  if (input.moneyUsd !== undefined) sets.push(sql`money_usd = ${input.moneyUsd}::numeric`);
  if (input.personnel !== undefined) sets.push(sql`personnel = ${input.personnel}`);
  if (input.aidTrucksPerDay !== undefined) sets.push(sql`aid_trucks_per_day = ${input.aidTrucksPerDay}`);
  if (input.projects !== undefined) sets.push(sql`projects = ${input.projects}`);
  if (input.source !== undefined) sets.push(sql`source = ${input.source}`);
  if (input.illustrative !== undefined) sets.push(sql`illustrative = ${input.illustrative}`);
  if (input.classification !== undefined) sets.push(sql`classification = ${input.classification}`);
  if (input.sharedWith !== undefined) sets.push(sql`shared_with = ${input.sharedWith}::uuid[]`);
  await db.query(sql`update commitments set ${join(sets, ', ')} where id = ${id}::uuid`);
}

/** Commitments are gated subjects: their values are what they commit (money, personnel, trucks a day, projects). */
export const commitmentSubject: GatedSubjectType = {
  type: COMMITMENT_SUBJECT,
  async valuesFor(db, actor, ids) {
    const rows = await db.query<{ id: string; cents: string; personnel: number; trucks: number; projects: number }>(sql`
      select m.id, (m.money_usd * 100)::numeric(22, 0)::text as cents, m.personnel, m.aid_trucks_per_day as trucks, m.projects
      from commitments m where m.id = any(${ids}::uuid[]) and ${visibleTo(actor, 'm')}`);
    return new Map(
      rows.rows.map((r): [string, Partial<DimensionValues>] => [
        r.id,
        { money_usd: BigInt(r.cents), personnel: BigInt(r.personnel), aid_trucks_per_day: BigInt(r.trucks), projects: BigInt(r.projects) },
      ]),
    );
  },
  async labelsFor(db, actor, ids) {
    const rows = await db.query<{ id: string; en: string; ar: string }>(
      sql`select m.id, m.title_en as en, m.title_ar as ar from commitments m where m.id = any(${ids}::uuid[]) and ${visibleTo(actor, 'm')}`,
    );
    return new Map(rows.rows.map((r) => [r.id, { en: r.en, ar: r.ar }]));
  },
};
