/**
 * Who is making a request. Resolved once per request by the auth hook, from a session
 * cookie, an API token, or the local control socket the CLI uses.
 */
import sql, { raw, type Sql } from 'sql-template-tag';
import type { OrganisationType } from '../../shared/organisations.ts';
import type { Permission } from '../../shared/permissions.ts';

export interface Actor {
  kind: 'session' | 'token' | 'system';
  userId: string | null;
  email: string | null;
  name: string;
  organisationId: string | null;
  organisationType: OrganisationType | null;
  permissions: ReadonlySet<Permission>;
  sessionId?: string;
  csrfToken?: string;
  mustEnrolTotp?: boolean;
  /** Their organisation requires a second factor. */
  secondFactorRequired?: boolean;
  /** This session passed the second factor (at sign-in, or by confirming one in it). */
  secondFactor?: boolean;
}

export function can(actor: Actor | null, permission: Permission): boolean {
  return actor?.permissions.has(permission) ?? false;
}

/** A label for the audit trail that stays readable after the user is gone. */
export function actorLabel(actor: Actor | null): string {
  if (!actor) return 'anonymous';
  if (actor.kind === 'system') return actor.name;
  return actor.kind === 'token' ? `${actor.email} (token)` : (actor.email ?? actor.name);
}

/**
 * The SQL condition that decides whether `actor` may see a record with owner_org_id,
 * classification and shared_with columns (`alias` names the table). Used inside every
 * list, count and fetch, so nothing is filtered after the fact:
 *  - public: everyone, signed in or not;
 *  - mission: every signed-in partner;
 *  - restricted: the owner, force headquarters, and organisations it is shared with.
 * The local CLI acts for the operator of the server and sees everything.
 */
export function visibleTo(actor: Actor | null, alias: string): Sql {
  const t = raw(alias);
  if (!actor) return sql`${t}.classification = 'public'`;
  if (actor.kind === 'system' || actor.organisationType === 'force_headquarters') return sql`true`;
  return sql`(${t}.classification in ('public', 'mission') or ${t}.owner_org_id = ${actor.organisationId}::uuid or ${actor.organisationId}::uuid = any(${t}.shared_with))`;
}

/**
 * What in `actor` decides what `visibleTo` lets them see, as a string: two actors with the
 * same key see exactly the same records. Caches of what a caller may see (the conditions
 * analysis) are keyed by it; change it together with `visibleTo`.
 */
export function visibilityKey(actor: Actor | null): string {
  if (!actor) return 'public';
  if (actor.kind === 'system' || actor.organisationType === 'force_headquarters') return 'all';
  return `organisation:${actor.organisationId}`;
}
