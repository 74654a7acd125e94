/** Who may do what to places: every partner that may see a place; only its owner organisation changes it. */
import type { Actor } from '../../http/actor.ts';
import { newRecordOwner, type Owned, requireOwner } from '../../http/policy.ts';

export const placeOwner = (actor: Actor): string => newRecordOwner(actor, 'Places');

export function requireMayChangePlace(actor: Actor, place: Owned): void {
  requireOwner(actor, place, 'Only the organisation that owns this place can change it.');
}
