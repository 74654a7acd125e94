import sql, { empty, join, type Sql } from 'sql-template-tag';
import type { Classification } from '../../../shared/organisations.ts';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import { likePattern } from '../access/organisations.repo.ts';

export const PLACE_KINDS = ['governorate', 'land_crossing', 'gate', 'port', 'corridor', 'site'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];
export const ENTRY_POINT_KINDS: PlaceKind[] = ['land_crossing', 'gate', 'port', 'corridor'];

export interface Place {
  id: string;
  kind: PlaceKind;
  code: string;
  nameEn: string;
  nameAr: string;
  geometry: { type: string; coordinates: unknown };
  properties: Record<string, unknown>;
  ownerOrgId: string;
  classification: Classification;
  sharedWith: string[];
  createdAt: Date;
  updatedAt: Date;
}

const columns = sql`p.id, p.kind, p.code, p.name_en as "nameEn", p.name_ar as "nameAr", p.geometry, p.properties,
  p.owner_org_id as "ownerOrgId", p.classification, p.shared_with as "sharedWith", p.created_at as "createdAt", p.updated_at as "updatedAt"`;

export interface PlaceFilter {
  kinds?: PlaceKind[];
  q?: string;
  page?: number;
  pageSize?: number;
}

function whereFor(actor: Actor | null, filter: PlaceFilter): Sql {
  const conditions: Sql[] = [visibleTo(actor, 'p')];
  if (filter.kinds?.length) conditions.push(sql`p.kind = any(${filter.kinds}::text[])`);
  if (filter.q)
    conditions.push(
      sql`(lower(p.name_en) like ${likePattern(filter.q)} or p.name_ar like ${likePattern(filter.q)} or p.code like ${likePattern(filter.q)})`,
    );
  return sql`where ${join(conditions, ' and ')}`;
}

export async function listPlaces(db: Queryable, actor: Actor | null, filter: PlaceFilter): Promise<{ items: Place[]; total: number }> {
  const where = whereFor(actor, filter);
  const paging = filter.pageSize ? sql`limit ${filter.pageSize} offset ${((filter.page ?? 1) - 1) * filter.pageSize}` : empty;
  const [items, count] = await Promise.all([
    db.query<Place>(sql`select ${columns} from places p ${where} order by p.kind, p.name_en, p.id ${paging}`),
    db.query<{ total: number }>(sql`select count(*) as total from places p ${where}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

export async function getPlace(db: Queryable, actor: Actor | null, id: string): Promise<Place | undefined> {
  return (await db.query<Place>(sql`select ${columns} from places p where p.id = ${id}::uuid and ${visibleTo(actor, 'p')}`)).rows[0];
}

export interface PlaceInput {
  kind: PlaceKind;
  code: string;
  nameEn: string;
  nameAr: string;
  geometry: unknown;
  properties?: Record<string, unknown>;
  ownerOrgId: string;
  classification: Classification;
  sharedWith?: string[];
}

export async function insertPlace(db: Queryable, input: PlaceInput): Promise<Place> {
  const result = await db.query<Place>(sql`
    insert into places as p (kind, code, name_en, name_ar, geometry, properties, owner_org_id, classification, shared_with)
    values (${input.kind}, ${input.code}, ${input.nameEn}, ${input.nameAr}, ${JSON.stringify(input.geometry)}::jsonb,
            ${JSON.stringify(input.properties ?? {})}::jsonb, ${input.ownerOrgId}::uuid, ${input.classification}, ${input.sharedWith ?? []}::uuid[])
    returning ${columns}`);
  return result.rows[0];
}

export async function updatePlace(db: Queryable, id: string, input: Partial<Omit<PlaceInput, 'ownerOrgId' | 'kind'>>): Promise<Place> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (input.code !== undefined) sets.push(sql`code = ${input.code}`);
  if (input.nameEn !== undefined) sets.push(sql`name_en = ${input.nameEn}`);
  if (input.nameAr !== undefined) sets.push(sql`name_ar = ${input.nameAr}`);
  if (input.geometry !== undefined) sets.push(sql`geometry = ${JSON.stringify(input.geometry)}::jsonb`);
  if (input.properties !== undefined) sets.push(sql`properties = ${JSON.stringify(input.properties)}::jsonb`);
  if (input.classification !== undefined) sets.push(sql`classification = ${input.classification}`);
  if (input.sharedWith !== undefined) sets.push(sql`shared_with = ${input.sharedWith}::uuid[]`);
  return (await db.query<Place>(sql`update places p set ${join(sets, ', ')} where p.id = ${id}::uuid returning ${columns}`)).rows[0];
}

export function toFeatureCollection(places: Place[]) {
  return {
    type: 'FeatureCollection' as const,
    features: places.map((place) => ({
      type: 'Feature' as const,
      id: place.id,
      geometry: place.geometry,
      properties: { id: place.id, code: place.code, kind: place.kind, nameEn: place.nameEn, nameAr: place.nameAr, ...place.properties },
    })),
  };
}
