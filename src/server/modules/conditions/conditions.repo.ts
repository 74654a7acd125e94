/**
 * SQL for stakeholders, their positions, conditions, their stakeholders and evidence.
 * Every list, count and fetch of a classified record carries visibleTo; stakeholder links
 * and evidence are read only through a condition the caller may see.
 */
import sql, { empty, join, raw, type Sql } from 'sql-template-tag';
import type { Classification } from '../../../shared/organisations.ts';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import { likePattern } from '../access/organisations.repo.ts';
import type { ConditionStatus, Expression } from './expressions.ts';

export const STAKEHOLDER_KINDS = ['government', 'party', 'international_organisation', 'coalition', 'group'] as const;
export type StakeholderKind = (typeof STAKEHOLDER_KINDS)[number];
export const STANCES = ['supports', 'opposes', 'conditional', 'undecided'] as const;
export type Stance = (typeof STANCES)[number];

export interface Classified {
  ownerOrgId: string;
  classification: Classification;
  sharedWith: string[];
}

export interface Page {
  page?: number;
  pageSize?: number;
}

const paging = (filter: Page) =>
  filter.pageSize ? sql`limit ${filter.pageSize} offset ${((filter.page ?? 1) - 1) * filter.pageSize}` : empty;

export const classifiedColumns = (alias: string) =>
  raw(`${alias}.owner_org_id as "ownerOrgId", ${alias}.classification, ${alias}.shared_with as "sharedWith"`);
const classified = classifiedColumns;

export { paging };

// --- Stakeholders -----------------------------------------------------------------------

export interface Stakeholder extends Classified {
  id: string;
  name: string;
  nameAr: string;
  kind: StakeholderKind;
  organisationId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const stakeholderColumns = sql`s.id, s.name, s.name_ar as "nameAr", s.kind, s.organisation_id as "organisationId", ${classified('s')},
  s.created_at as "createdAt", s.updated_at as "updatedAt"`;

export async function listStakeholders(
  db: Queryable,
  actor: Actor | null,
  filter: Page & { q?: string; kind?: StakeholderKind; ids?: readonly string[] },
): Promise<{ items: Stakeholder[]; total: number }> {
  const conditions: Sql[] = [visibleTo(actor, 's')];
  if (filter.ids) conditions.push(sql`s.id = any(${filter.ids}::uuid[])`);
  if (filter.kind) conditions.push(sql`s.kind = ${filter.kind}`);
  if (filter.q) conditions.push(sql`(lower(s.name) like ${likePattern(filter.q)} or s.name_ar like ${likePattern(filter.q)})`);
  const where = sql`where ${join(conditions, ' and ')}`;
  const [items, count] = await Promise.all([
    db.query<Stakeholder>(sql`select ${stakeholderColumns} from stakeholders s ${where} order by lower(s.name), s.id ${paging(filter)}`),
    db.query<{ total: number }>(sql`select count(*) as total from stakeholders s ${where}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

export async function getStakeholder(db: Queryable, actor: Actor | null, id: string): Promise<Stakeholder | undefined> {
  return (
    await db.query<Stakeholder>(sql`select ${stakeholderColumns} from stakeholders s where s.id = ${id}::uuid and ${visibleTo(actor, 's')}`)
  ).rows[0];
}

export interface StakeholderInput {
  name: string;
  nameAr: string;
  kind: StakeholderKind;
  organisationId?: string | null;
  classification: Classification;
  sharedWith?: string[];
}

export async function insertStakeholder(db: Queryable, input: StakeholderInput & { ownerOrgId: string }): Promise<Stakeholder> {
  return (
    await db.query<Stakeholder>(sql`
      insert into stakeholders as s (name, name_ar, kind, organisation_id, owner_org_id, classification, shared_with)
      values (${input.name}, ${input.nameAr}, ${input.kind}, ${input.organisationId ?? null}::uuid, ${input.ownerOrgId}::uuid,
              ${input.classification}, ${input.sharedWith ?? []}::uuid[])
      returning ${stakeholderColumns}`)
  ).rows[0];
}

export async function updateStakeholder(db: Queryable, id: string, input: Partial<StakeholderInput>): Promise<Stakeholder> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (input.name !== undefined) sets.push(sql`name = ${input.name}`);
  if (input.nameAr !== undefined) sets.push(sql`name_ar = ${input.nameAr}`);
  if (input.kind !== undefined) sets.push(sql`kind = ${input.kind}`);
  if (input.organisationId !== undefined) sets.push(sql`organisation_id = ${input.organisationId}::uuid`);
  if (input.classification !== undefined) sets.push(sql`classification = ${input.classification}`);
  if (input.sharedWith !== undefined) sets.push(sql`shared_with = ${input.sharedWith}::uuid[]`);
  return (
    await db.query<Stakeholder>(sql`update stakeholders s set ${join(sets, ', ')} where s.id = ${id}::uuid returning ${stakeholderColumns}`)
  ).rows[0];
}

// --- Positions --------------------------------------------------------------------------

export interface Position extends Classified {
  id: string;
  stakeholderId: string;
  conditionId: string | null;
  topic: string | null;
  stance: Stance;
  statedOn: string;
  source: string;
  sourceUrl: string | null;
  note: string;
  createdAt: Date;
}

const positionColumns = sql`p.id, p.stakeholder_id as "stakeholderId", p.condition_id as "conditionId", p.topic, p.stance,
  to_char(p.stated_on, 'YYYY-MM-DD') as "statedOn", p.source, p.source_url as "sourceUrl", p.note, ${classified('p')}, p.created_at as "createdAt"`;

/**
 * A stakeholder's positions, newest first. With `asOf`, only the stance that held on that
 * date for each condition or topic: the latest stated on or before it.
 */
export async function listPositions(
  db: Queryable,
  actor: Actor | null,
  stakeholderId: string,
  filter: Page & { asOf?: string },
): Promise<{ items: Position[]; total: number }> {
  const conditions: Sql[] = [sql`p.stakeholder_id = ${stakeholderId}::uuid`, visibleTo(actor, 'p')];
  if (filter.asOf) conditions.push(sql`p.stated_on <= ${filter.asOf}::date`);
  const where = sql`where ${join(conditions, ' and ')}`;
  const source = filter.asOf
    ? sql`(select distinct on (coalesce(p.condition_id::text, 'topic:' || p.topic)) p.* from positions p ${where}
           order by coalesce(p.condition_id::text, 'topic:' || p.topic), p.stated_on desc, p.created_at desc, p.id desc) p`
    : sql`(select p.* from positions p ${where}) p`;
  const [items, count] = await Promise.all([
    db.query<Position>(sql`select ${positionColumns} from ${source} order by p.stated_on desc, p.created_at desc, p.id ${paging(filter)}`),
    db.query<{ total: number }>(sql`select count(*) as total from ${source}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

export interface PositionInput {
  conditionId?: string | null;
  topic?: string | null;
  stance: Stance;
  statedOn: string;
  source: string;
  sourceUrl?: string | null;
  note?: string;
  classification: Classification;
  sharedWith?: string[];
}

export async function insertPosition(
  db: Queryable,
  stakeholderId: string,
  input: PositionInput & { ownerOrgId: string },
): Promise<Position> {
  return (
    await db.query<Position>(sql`
      insert into positions as p (stakeholder_id, condition_id, topic, stance, stated_on, source, source_url, note, owner_org_id, classification, shared_with)
      values (${stakeholderId}::uuid, ${input.conditionId ?? null}::uuid, ${input.topic ?? null}, ${input.stance}, ${input.statedOn}::date,
              ${input.source}, ${input.sourceUrl ?? null}, ${input.note ?? ''}, ${input.ownerOrgId}::uuid, ${input.classification},
              ${input.sharedWith ?? []}::uuid[])
      returning ${positionColumns}`)
  ).rows[0];
}

// --- Conditions -------------------------------------------------------------------------

export interface Condition extends Classified {
  id: string;
  code: string;
  titleEn: string;
  titleAr: string;
  descriptionEn: string;
  descriptionAr: string;
  status: ConditionStatus;
  targetDate: string | null;
  requires: Expression | null;
  stakeholderIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

// The stakeholders who must act, as far as the caller may see them.
const conditionColumns = (
  actor: Actor | null,
) => sql`c.id, c.code, c.title_en as "titleEn", c.title_ar as "titleAr", c.description_en as "descriptionEn",
  c.description_ar as "descriptionAr", c.status, to_char(c.target_date, 'YYYY-MM-DD') as "targetDate", c.requires,
  coalesce((select array_agg(cs.stakeholder_id order by cs.stakeholder_id) from condition_stakeholders cs
            join stakeholders s on s.id = cs.stakeholder_id where cs.condition_id = c.id and ${visibleTo(actor, 's')}), '{}') as "stakeholderIds",
  ${classified('c')}, c.created_at as "createdAt", c.updated_at as "updatedAt"`;

export async function listConditions(
  db: Queryable,
  actor: Actor | null,
  filter: Page & { status?: ConditionStatus; q?: string; ids?: readonly string[] },
): Promise<{ items: Condition[]; total: number }> {
  const conditions: Sql[] = [visibleTo(actor, 'c')];
  if (filter.ids) conditions.push(sql`c.id = any(${filter.ids}::uuid[])`);
  if (filter.status) conditions.push(sql`c.status = ${filter.status}`);
  if (filter.q)
    conditions.push(
      sql`(lower(c.title_en) like ${likePattern(filter.q)} or c.title_ar like ${likePattern(filter.q)} or c.code like ${likePattern(filter.q)})`,
    );
  const where = sql`where ${join(conditions, ' and ')}`;
  const [items, count] = await Promise.all([
    db.query<Condition>(sql`select ${conditionColumns(actor)} from conditions c ${where} order by c.code, c.id ${paging(filter)}`),
    db.query<{ total: number }>(sql`select count(*) as total from conditions c ${where}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

export async function getCondition(db: Queryable, actor: Actor | null, id: string): Promise<Condition | undefined> {
  return (
    await db.query<Condition>(
      sql`select ${conditionColumns(actor)} from conditions c where c.id = ${id}::uuid and ${visibleTo(actor, 'c')}`,
    )
  ).rows[0];
}

/** Which of these ids name conditions the caller may see. */
export async function visibleConditionIds(db: Queryable, actor: Actor | null, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.query<{ id: string }>(
    sql`select c.id from conditions c where c.id = any(${ids}::uuid[]) and ${visibleTo(actor, 'c')}`,
  );
  return new Set(rows.rows.map((r) => r.id));
}

/** What decides whether a condition holds, whoever may see it. */
export interface ConditionTruth {
  id: string;
  status: ConditionStatus;
  targetDate: string | null;
  requires: Expression | null;
}

/** Every condition's truth (or these conditions'), whoever may see it: for the analysis's stand-ins of hidden conditions. */
export async function conditionTruths(db: Queryable, ids?: readonly string[]): Promise<ConditionTruth[]> {
  return (
    await db.query<ConditionTruth>(sql`
      select id, status, to_char(target_date, 'YYYY-MM-DD') as "targetDate", requires from conditions
      ${ids ? sql`where id = any(${ids}::uuid[])` : empty}`)
  ).rows;
}

/** The conditions that name any of these stakeholders. */
export async function conditionsOfStakeholders(db: Queryable, stakeholderIds: readonly string[]): Promise<string[]> {
  return (
    await db.query<{ id: string }>(
      sql`select distinct condition_id as id from condition_stakeholders where stakeholder_id = any(${stakeholderIds}::uuid[])`,
    )
  ).rows.map((r) => r.id);
}

/** Every condition's requirements, whoever may see it: a cycle runs through all of them. */
export async function allRequirements(db: Queryable): Promise<{ id: string; code: string; requires: Expression | null }[]> {
  return (await db.query<{ id: string; code: string; requires: Expression | null }>(sql`select id, code, requires from conditions`)).rows;
}

export interface ConditionInput {
  code: string;
  titleEn: string;
  titleAr: string;
  descriptionEn?: string;
  descriptionAr?: string;
  targetDate?: string | null;
  requires?: Expression | null;
  stakeholderIds?: string[];
  classification: Classification;
  sharedWith?: string[];
}

async function setStakeholders(db: Queryable, conditionId: string, stakeholderIds: string[]) {
  await db.query(sql`delete from condition_stakeholders where condition_id = ${conditionId}::uuid`);
  if (stakeholderIds.length)
    await db.query(sql`insert into condition_stakeholders (condition_id, stakeholder_id)
      select ${conditionId}::uuid, s from unnest(${[...new Set(stakeholderIds)]}::uuid[]) s`);
}

export async function insertCondition(db: Queryable, input: ConditionInput & { ownerOrgId: string }): Promise<string> {
  const row = await db.query<{ id: string }>(sql`
    insert into conditions (code, title_en, title_ar, description_en, description_ar, target_date, requires, owner_org_id, classification, shared_with)
    values (${input.code}, ${input.titleEn}, ${input.titleAr}, ${input.descriptionEn ?? ''}, ${input.descriptionAr ?? ''},
            ${input.targetDate ?? null}::date, ${input.requires == null ? null : JSON.stringify(input.requires)}::jsonb,
            ${input.ownerOrgId}::uuid, ${input.classification}, ${input.sharedWith ?? []}::uuid[])
    returning id`);
  const id = row.rows[0].id;
  await setStakeholders(db, id, input.stakeholderIds ?? []);
  return id;
}

export async function updateCondition(db: Queryable, id: string, input: Partial<ConditionInput>): Promise<void> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (input.code !== undefined) sets.push(sql`code = ${input.code}`);
  if (input.titleEn !== undefined) sets.push(sql`title_en = ${input.titleEn}`);
  if (input.titleAr !== undefined) sets.push(sql`title_ar = ${input.titleAr}`);
  if (input.descriptionEn !== undefined) sets.push(sql`description_en = ${input.descriptionEn}`);
  if (input.descriptionAr !== undefined) sets.push(sql`description_ar = ${input.descriptionAr}`);
  if (input.targetDate !== undefined) sets.push(sql`target_date = ${input.targetDate}::date`);
  if (input.requires !== undefined) sets.push(sql`requires = ${input.requires === null ? null : JSON.stringify(input.requires)}::jsonb`);
  if (input.classification !== undefined) sets.push(sql`classification = ${input.classification}`);
  if (input.sharedWith !== undefined) sets.push(sql`shared_with = ${input.sharedWith}::uuid[]`);
  await db.query(sql`update conditions set ${join(sets, ', ')} where id = ${id}::uuid`);
  if (input.stakeholderIds !== undefined) await setStakeholders(db, id, input.stakeholderIds);
}

/** Which of these stakeholder ids the caller may see. */
export async function visibleStakeholderIds(db: Queryable, actor: Actor | null, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.query<{ id: string }>(
    sql`select s.id from stakeholders s where s.id = any(${ids}::uuid[]) and ${visibleTo(actor, 's')}`,
  );
  return new Set(rows.rows.map((r) => r.id));
}

// --- Evidence ---------------------------------------------------------------------------

export interface Evidence {
  id: string;
  conditionId: string;
  datedOn: string;
  status: ConditionStatus;
  source: string;
  sourceUrl: string | null;
  note: string;
  recordedBy: string;
  recordedAt: Date;
}

const evidenceColumns = sql`e.id, e.condition_id as "conditionId", to_char(e.dated_on, 'YYYY-MM-DD') as "datedOn", e.status, e.source,
  e.source_url as "sourceUrl", e.note, e.recorded_by as "recordedBy", e.recorded_at as "recordedAt"`;

/** The evidence of one condition, oldest first (the order statuses took effect). */
export async function listEvidence(db: Queryable, conditionId: string): Promise<Evidence[]> {
  return (
    await db.query<Evidence>(sql`select ${evidenceColumns} from condition_evidence e where e.condition_id = ${conditionId}::uuid
      order by e.dated_on, e.recorded_at, e.id`)
  ).rows;
}

/** The evidence of every condition the caller may see, in the order it took effect. */
export async function visibleEvidence(
  db: Queryable,
  actor: Actor | null,
): Promise<{ conditionId: string; date: string; status: ConditionStatus }[]> {
  return (
    await db.query<{ conditionId: string; date: string; status: ConditionStatus }>(sql`
      select e.condition_id as "conditionId", to_char(e.dated_on, 'YYYY-MM-DD') as date, e.status
      from condition_evidence e join conditions c on c.id = e.condition_id
      where ${visibleTo(actor, 'c')} order by e.dated_on, e.recorded_at, e.id`)
  ).rows;
}

export interface EvidenceInput {
  datedOn: string;
  status: ConditionStatus;
  source: string;
  sourceUrl?: string | null;
  note?: string;
}

/** Records evidence, then sets the condition's status from its latest entry. */
export async function insertEvidence(db: Queryable, conditionId: string, input: EvidenceInput, recordedBy: string): Promise<Evidence> {
  const created = (
    await db.query<Evidence>(sql`
      insert into condition_evidence as e (condition_id, dated_on, status, source, source_url, note, recorded_by)
      values (${conditionId}::uuid, ${input.datedOn}::date, ${input.status}, ${input.source}, ${input.sourceUrl ?? null}, ${input.note ?? ''}, ${recordedBy})
      returning ${evidenceColumns}`)
  ).rows[0];
  await db.query(sql`
    update conditions c set status = latest.status, updated_at = now()
    from (select e.status from condition_evidence e where e.condition_id = ${conditionId}::uuid
          order by e.dated_on desc, e.recorded_at desc, e.id desc limit 1) latest
    where c.id = ${conditionId}::uuid and c.status <> latest.status`);
  return created;
}
