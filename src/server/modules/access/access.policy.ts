/**
 * Who may see whom in the mission's directory. A person is shown to those who work with
 * them: the people of their own organisation, and the mission's headquarters, whose staff
 * work with every partner. Everyone sees headquarters staff (their counterparts), and
 * account administrators (users.manage) see everyone, since they manage the accounts.
 */
import sql, { raw, type Sql } from 'sql-template-tag';
import type { Actor } from '../../http/actor.ts';

/** Whether `actor` sees every person in the directory. */
export function seesWholeDirectory(actor: Actor | null): boolean {
  if (!actor) return false;
  return actor.kind === 'system' || actor.organisationType === 'force_headquarters' || actor.permissions.has('users.manage');
}

/**
 * The SQL condition on a user row (`alias` names the users table, `orgAlias` their
 * organisation) that says whether `actor` may see that person. Part of every list and
 * fetch of the directory, never a filter applied afterwards.
 */
export function directoryVisibleTo(actor: Actor | null, alias: string, orgAlias: string): Sql {
  if (seesWholeDirectory(actor)) return sql`true`;
  if (!actor?.organisationId) return sql`false`;
  return sql`(${raw(alias)}.organisation_id = ${actor.organisationId}::uuid or ${raw(orgAlias)}.type = 'force_headquarters')`;
}
