import sql, { empty, join, type Sql } from 'sql-template-tag';
import type { OrganisationType } from '../../../shared/organisations.ts';
import type { Queryable } from '../../db/db.ts';

export interface Organisation {
  id: string;
  name: string;
  nameAr: string | null;
  type: OrganisationType;
  countryCode: string | null;
  requireTotp: boolean;
  createdAt: Date;
}

const columns = sql`id, name, name_ar as "nameAr", type, country_code as "countryCode", require_totp as "requireTotp", created_at as "createdAt"`;

export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
}

export async function listOrganisations(
  db: Queryable,
  filter: { q?: string; type?: OrganisationType; page: number; pageSize: number },
): Promise<{ items: Organisation[]; total: number }> {
  const conditions: Sql[] = [];
  if (filter.q)
    conditions.push(sql`(lower(name) like ${likePattern(filter.q)} or lower(coalesce(name_ar, '')) like ${likePattern(filter.q)})`);
  if (filter.type) conditions.push(sql`type = ${filter.type}`);
  const where = conditions.length ? sql`where ${join(conditions, ' and ')}` : empty;
  const [items, count] = await Promise.all([
    db.query<Organisation>(sql`select ${columns} from organisations ${where} order by name, id
                               limit ${filter.pageSize} offset ${(filter.page - 1) * filter.pageSize}`),
    db.query<{ total: number }>(sql`select count(*) as total from organisations ${where}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

export async function getOrganisation(db: Queryable, id: string): Promise<Organisation | undefined> {
  return (await db.query<Organisation>(sql`select ${columns} from organisations where id = ${id}::uuid`)).rows[0];
}

export interface OrganisationInput {
  name: string;
  nameAr?: string | null;
  type: OrganisationType;
  countryCode?: string | null;
  requireTotp?: boolean;
}

export async function insertOrganisation(db: Queryable, input: OrganisationInput): Promise<Organisation> {
  const result = await db.query<Organisation>(sql`
    insert into organisations (name, name_ar, type, country_code, require_totp)
    values (${input.name}, ${input.nameAr ?? null}, ${input.type}, ${input.countryCode ?? null}, ${input.requireTotp ?? false})
    returning ${columns}`);
  return result.rows[0];
}

export async function updateOrganisation(db: Queryable, id: string, input: Partial<OrganisationInput>): Promise<Organisation | undefined> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (input.name !== undefined) sets.push(sql`name = ${input.name}`);
  if (input.nameAr !== undefined) sets.push(sql`name_ar = ${input.nameAr}`);
  if (input.type !== undefined) sets.push(sql`type = ${input.type}`);
  if (input.countryCode !== undefined) sets.push(sql`country_code = ${input.countryCode}`);
  if (input.requireTotp !== undefined) sets.push(sql`require_totp = ${input.requireTotp}`);
  return (await db.query<Organisation>(sql`update organisations set ${join(sets, ', ')} where id = ${id}::uuid returning ${columns}`))
    .rows[0];
}
