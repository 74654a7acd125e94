/**
 * Who may do what to the funding capability's objects, in one place:
 *  - money is recorded in an organisation's name (its instruments, the pledges, agreements
 *    and movements on them) only by that organisation or by the mission's finance staff;
 *  - only the organisation that recorded an instrument, a pledge or its tranches changes it;
 *  - an organisation reports its own spending; finance staff may report anyone's;
 *  - a donor's statement is read by that donor and by finance staff;
 *  - the ledger check is run by finance staff and auditors;
 *  - reimbursement claims: a country drafts and submits its own, finance staff verify,
 *    approve, reject and pay them, and separation of duties decides who may not
 *    (claimDutyRefusal).
 * The mission's finance staff are the holders of funding.post at force headquarters (and
 * the console operator): a custom role that grants funding.post elsewhere does not make
 * its holder the mission's finance staff.
 */
import type { Actor } from '../../http/actor.ts';
import { newRecordOwner, type Owned, owns, requireOwner } from '../../http/policy.ts';
import { forbidden } from '../../http/problems.ts';
import type { ClaimStatus } from './claims.schema.ts';

export function isFinanceStaff(actor: Actor | null): boolean {
  if (!actor) return false;
  return actor.kind === 'system' || (actor.permissions.has('funding.post') && actor.organisationType === 'force_headquarters');
}

/** The owner of an instrument, pledge or agreement `actor` records: their organisation. */
export const fundingRecordOwner = (actor: Actor, what: 'Funding instruments' | 'Pledges' | 'Agreements'): string =>
  newRecordOwner(actor, what);

/** Refuses (403) money recorded in the name of `donor` by anyone but that organisation or finance staff. */
export function requireMayRecordMoneyOf(actor: Actor, donor: { id: string; name: string }): void {
  if (actor.organisationId === donor.id || isFinanceStaff(actor)) return;
  throw forbidden(`Money is recorded in the name of ${donor.name} only by ${donor.name} itself or by the mission's finance staff.`);
}

export function requireMayChangeInstrument(actor: Actor, instrument: Owned): void {
  requireOwner(actor, instrument, 'Only the organisation that owns this instrument can change it.');
}

export function requireMayChangePledge(actor: Actor, pledge: Owned): void {
  requireOwner(actor, pledge, 'Only the organisation that recorded this pledge can change it.');
}

export function requireMayChangeTranches(actor: Actor, pledge: Owned): void {
  requireOwner(actor, pledge, 'Only the organisation that recorded the pledge can change its tranches.');
}

export function requireMayReportSpendingOf(actor: Actor, payeeOrgId: string | null | undefined): void {
  if (payeeOrgId === actor.organisationId || isFinanceStaff(actor)) return;
  throw forbidden('You can report the spending of your own organisation only.');
}

/** Statements are visible to their donor and to the mission's finance staff. */
export function mayReadStatement(actor: Actor | null, donorOrgId: string): boolean {
  return !!actor && (actor.organisationId === donorOrgId || isFinanceStaff(actor));
}

export function requireMayReadStatement(actor: Actor, donorOrgId: string): void {
  if (!mayReadStatement(actor, donorOrgId)) throw forbidden("A donor's statement is for that donor and the mission's finance staff only.");
}

/** The ledger check recomputes every balance: for finance staff and auditors. */
export function requireMayCheckLedger(actor: Actor): void {
  if (isFinanceStaff(actor) || actor.permissions.has('audit.read')) return;
  throw forbidden("The ledger check is for the mission's finance staff and auditors.");
}

// --- Reimbursement claims ----------------------------------------------------------------------

/** Who moves a claim to each status: the country itself, or the mission's finance staff. */
export const CLAIM_MOVED_BY: Record<ClaimStatus, 'country' | 'finance'> = {
  drafted: 'country',
  submitted: 'country',
  verified: 'finance',
  approved: 'finance',
  paid: 'finance',
  rejected: 'finance',
};

/** Whether `actor` enters strength figures and claims for countries other than their own. */
export const mayActForAnyCountry = (actor: Actor): boolean => isFinanceStaff(actor);

export function requireMayEnterFiguresFor(actor: Actor, countryOrgId: string): void {
  if (countryOrgId !== actor.organisationId && !mayActForAnyCountry(actor))
    throw forbidden('You can enter figures and claims for your own country only.');
}

export function requireMayChangeClaim(actor: Actor, claim: Owned): void {
  requireOwner(actor, claim, 'Only the country that drafted this claim can change it.');
}

/** Whether `actor` holds the role that moves a claim to `to` (separation of duties aside). */
export function holdsClaimRole(actor: Actor | null, claim: Owned, to: ClaimStatus): boolean {
  if (!actor) return false;
  if (CLAIM_MOVED_BY[to] === 'finance') return isFinanceStaff(actor);
  return (actor.permissions.has('funding.report') || actor.kind === 'system') && owns(actor, claim);
}

/** The mission's separation-of-duties settings (table separation_of_duties). */
export interface SeparationOfDuties {
  claimPayerNotSubmitter: boolean;
  claimPayerNotApprover: boolean;
  claimApproverNotVerifier: boolean;
}

/** Who moved a claim before, as its events record them. */
export interface ClaimMove {
  status: ClaimStatus;
  actorUserId: string | null;
  recordedBy: string;
}

/** Whether a move was made by `actor`: the same user, or the same console. */
function movedBy(move: ClaimMove, actor: Actor, label: string): boolean {
  return actor.userId ? move.actorUserId === actor.userId : move.actorUserId === null && move.recordedBy === label;
}

/**
 * Why separation of duties forbids `actor` (their audit label `label`) to move a claim of
 * `countryOrgId` to `to`, or null. Always: no one of the claim's own country verifies,
 * approves, rejects or pays it, whatever role they hold. As the mission sets it: whoever
 * submitted or approved a claim does not pay it; whoever verified it does not approve it.
 */
export function claimDutyRefusal(
  actor: Actor,
  label: string,
  claim: { countryOrgId: string },
  to: ClaimStatus,
  moves: readonly ClaimMove[],
  duties: SeparationOfDuties,
): string | null {
  if (CLAIM_MOVED_BY[to] !== 'finance') return null;
  if (actor.organisationId === claim.countryOrgId) return `No one of the claiming country moves its claim to ${to}.`;
  const did = (status: ClaimStatus) => moves.some((move) => move.status === status && movedBy(move, actor, label));
  if (to === 'paid' && duties.claimPayerNotSubmitter && did('submitted')) return 'Whoever submitted a claim cannot pay it.';
  if (to === 'paid' && duties.claimPayerNotApprover && did('approved')) return 'Whoever approved a claim cannot pay it.';
  if (to === 'approved' && duties.claimApproverNotVerifier && did('verified')) return 'Whoever verified a claim cannot approve it.';
  return null;
}
