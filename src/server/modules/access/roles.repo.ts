import sql, { join, type Sql } from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';

export interface Role {
  key: string;
  nameEn: string;
  nameAr: string;
  description: string;
  permissions: string[];
  builtin: boolean;
}

const columns = sql`key, name_en as "nameEn", name_ar as "nameAr", description, permissions, builtin`;

export async function listRoles(db: Queryable): Promise<Role[]> {
  return (await db.query<Role>(sql`select ${columns} from roles order by builtin desc, key`)).rows;
}

export async function getRole(db: Queryable, key: string): Promise<Role | undefined> {
  return (await db.query<Role>(sql`select ${columns} from roles where key = ${key}`)).rows[0];
}

export async function unknownRoles(db: Queryable, keys: string[]): Promise<string[]> {
  if (!keys.length) return [];
  const result = await db.query<{ key: string }>(
    sql`select k as key from unnest(${keys}::text[]) k where not exists (select 1 from roles r where r.key = k)`,
  );
  return result.rows.map((row) => row.key);
}

export async function insertRole(db: Queryable, role: Omit<Role, 'builtin'>, builtin = false): Promise<Role> {
  const result = await db.query<Role>(sql`
    insert into roles (key, name_en, name_ar, description, permissions, builtin)
    values (${role.key}, ${role.nameEn}, ${role.nameAr}, ${role.description}, ${role.permissions}::text[], ${builtin})
    returning ${columns}`);
  return result.rows[0];
}

export async function updateRole(db: Queryable, key: string, changes: Partial<Omit<Role, 'key' | 'builtin'>>): Promise<Role | undefined> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (changes.nameEn !== undefined) sets.push(sql`name_en = ${changes.nameEn}`);
  if (changes.nameAr !== undefined) sets.push(sql`name_ar = ${changes.nameAr}`);
  if (changes.description !== undefined) sets.push(sql`description = ${changes.description}`);
  if (changes.permissions !== undefined) sets.push(sql`permissions = ${changes.permissions}::text[]`);
  return (await db.query<Role>(sql`update roles set ${join(sets, ', ')} where key = ${key} returning ${columns}`)).rows[0];
}
