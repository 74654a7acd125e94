/**
 * The rules every module's policy builds on: who owns a new record, and who may change an
 * existing one. Each module's `<module>.policy.ts` says, with these, who may do what to
 * which of its objects; services and routes ask the policy and never decide by hand.
 */
import type { Actor } from './actor.ts';
import { forbidden, invalid } from './problems.ts';

/** A record with an owner organisation (and a classification, see visibleTo in actor.ts). */
export interface Owned {
  ownerOrgId: string;
}

/** Whether `actor` may change a record it can see: only its owner organisation (or the console). */
export function owns(actor: Actor | null, record: Owned): boolean {
  return !!actor && (actor.kind === 'system' || actor.organisationId === record.ownerOrgId);
}

/** Refuses (403) a change by anyone but the record's owner organisation, with the reason. */
export function requireOwner(actor: Actor, record: Owned, reason: string): void {
  if (!owns(actor, record)) throw forbidden(reason);
}

/**
 * The organisation that owns a record `actor` creates: their own. `what` names the records
 * in the refusal the console operator gets, who belongs to no organisation.
 */
export function newRecordOwner(actor: Actor, what: string): string {
  if (!actor.organisationId)
    throw invalid([{ pointer: '', detail: `${what} are owned by an organisation; sign in as a user to add one.` }]);
  return actor.organisationId;
}
