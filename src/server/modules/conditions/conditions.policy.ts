/**
 * Who may do what to stakeholders, positions, conditions, their evidence and commitments.
 * Everyone who may see one of them (visibleTo) may read it; its owner organisation alone
 * changes it or records a condition's evidence. A position is recorded by any organisation
 * that may see the stakeholder, and belongs to that organisation. An expression may name
 * only conditions its writer may see (hidden-conditions.ts).
 */
import type { Actor } from '../../http/actor.ts';
import { newRecordOwner, type Owned, requireOwner } from '../../http/policy.ts';

/** The owner of a stakeholder, position, condition or commitment `actor` records: their organisation. */
export const recordOwner = (actor: Actor, what: 'Stakeholders' | 'Positions' | 'Conditions' | 'Commitments'): string =>
  newRecordOwner(actor, what);

export function requireMayChangeStakeholder(actor: Actor, stakeholder: Owned): void {
  requireOwner(actor, stakeholder, 'Only the organisation that owns this stakeholder can change it.');
}

export function requireMayChangeCondition(actor: Actor, condition: Owned): void {
  requireOwner(actor, condition, 'Only the organisation that owns this condition can change it.');
}

export function requireMayRecordEvidence(actor: Actor, condition: Owned): void {
  requireOwner(actor, condition, 'Only the organisation that owns this condition can record its evidence.');
}

export function requireMayChangeCommitment(actor: Actor, commitment: Owned): void {
  requireOwner(actor, commitment, 'Only the organisation that owns this commitment can change it.');
}
