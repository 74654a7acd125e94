import sql, { join, type Sql } from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import type { Actor } from '../../http/actor.ts';
import { directoryVisibleTo } from './access.policy.ts';
import { likePattern } from './organisations.repo.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  locale: 'en' | 'ar';
  organisation: { id: string; name: string; nameAr: string | null };
  roles: string[];
  disabled: boolean;
  totpEnabled: boolean;
  createdAt: Date;
}

const select = sql`
  select u.id, u.email, u.name, u.locale, json_build_object('id', o.id, 'name', o.name, 'nameAr', o.name_ar) as organisation,
         coalesce((select array_agg(ur.role_key order by ur.role_key) from user_roles ur where ur.user_id = u.id), '{}') as roles,
         u.disabled_at is not null as disabled, u.totp_enabled_at is not null as "totpEnabled", u.created_at as "createdAt"
  from users u join organisations o on o.id = u.organisation_id`;

export interface UserFilter {
  q?: string;
  organisationId?: string;
  role?: string;
  status?: 'active' | 'disabled';
  page: number;
  pageSize: number;
}

/** The people `actor` may see in the directory (access.policy.ts), a page at a time. */
export async function listUsers(db: Queryable, actor: Actor | null, filter: UserFilter): Promise<{ items: User[]; total: number }> {
  const conditions: Sql[] = [directoryVisibleTo(actor, 'u', 'uo')];
  if (filter.q) conditions.push(sql`(lower(u.name) like ${likePattern(filter.q)} or u.email like ${likePattern(filter.q)})`);
  if (filter.organisationId) conditions.push(sql`u.organisation_id = ${filter.organisationId}::uuid`);
  if (filter.role) conditions.push(sql`exists (select 1 from user_roles ur where ur.user_id = u.id and ur.role_key = ${filter.role})`);
  if (filter.status === 'active') conditions.push(sql`u.disabled_at is null`);
  if (filter.status === 'disabled') conditions.push(sql`u.disabled_at is not null`);
  const where = sql`where ${join(conditions, ' and ')}`;
  const from = sql`users u join organisations uo on uo.id = u.organisation_id`;
  // The page's ids come first, so the organisation join and the roles subquery run for
  // the rows shown, not for every row an offset skips.
  const [items, count] = await Promise.all([
    db.query<User>(sql`
      with page as (
        select u.id, u.name from ${from} ${where}
        order by u.name, u.id limit ${filter.pageSize} offset ${(filter.page - 1) * filter.pageSize}
      )
      ${select} join page on page.id = u.id order by page.name, page.id`),
    db.query<{ total: number }>(sql`select count(*) as total from ${from} ${where}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

/** Any user, for the service's own lookups. */
export async function getUser(db: Queryable, id: string): Promise<User | undefined> {
  return (await db.query<User>(sql`${select} where u.id = ${id}::uuid`)).rows[0];
}

/** A user `actor` may see in the directory. */
export async function getVisibleUser(db: Queryable, actor: Actor | null, id: string): Promise<User | undefined> {
  return (await db.query<User>(sql`${select} where u.id = ${id}::uuid and ${directoryVisibleTo(actor, 'u', 'o')}`)).rows[0];
}

export async function insertUser(
  db: Queryable,
  input: { email: string; name: string; organisationId: string; locale: string; passwordHash: string },
): Promise<string> {
  const result = await db.query<{ id: string }>(sql`
    insert into users (email, name, organisation_id, locale, password_hash)
    values (${input.email}, ${input.name}, ${input.organisationId}::uuid, ${input.locale}, ${input.passwordHash})
    returning id`);
  return result.rows[0].id;
}

export async function setUserRoles(db: Queryable, userId: string, roles: string[]): Promise<void> {
  await db.query(sql`delete from user_roles where user_id = ${userId}::uuid`);
  if (roles.length) {
    await db.query(sql`insert into user_roles (user_id, role_key) select ${userId}::uuid, unnest(${roles}::text[])`);
  }
}

export async function updateUser(
  db: Queryable,
  id: string,
  input: { name?: string; organisationId?: string; locale?: string },
): Promise<void> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (input.name !== undefined) sets.push(sql`name = ${input.name}`);
  if (input.organisationId !== undefined) sets.push(sql`organisation_id = ${input.organisationId}::uuid`);
  if (input.locale !== undefined) sets.push(sql`locale = ${input.locale}`);
  await db.query(sql`update users set ${join(sets, ', ')} where id = ${id}::uuid`);
}

export async function setDisabled(db: Queryable, id: string, disabled: boolean): Promise<void> {
  await db.query(sql`update users set disabled_at = ${disabled ? sql`coalesce(disabled_at, now())` : sql`null`}, updated_at = now()
                     where id = ${id}::uuid`);
}

export async function setPasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query(
    sql`update users set password_hash = ${passwordHash}, password_changed_at = now(), updated_at = now() where id = ${id}::uuid`,
  );
}

export async function findUserIdByEmail(db: Queryable, email: string): Promise<string | undefined> {
  return (await db.query<{ id: string }>(sql`select id from users where email = ${email.toLowerCase()}`)).rows[0]?.id;
}
