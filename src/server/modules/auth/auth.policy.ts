/**
 * The second factor's reach beyond the sign-in: where an organisation requires one, an API
 * token is made only in a session that passed it, and a token made without it does not
 * work, so a token never walks around the requirement.
 */
import type { Actor } from '../../http/actor.ts';
import { Problem } from '../../http/problems.ts';
import type { TokenRow } from './auth.repo.ts';

/** Refuses (403) to make a token in a session that has not passed a second factor its organisation requires. */
export function requireSecondFactorForTokens(actor: Actor): void {
  if (actor.secondFactorRequired && !actor.secondFactor)
    throw new Problem(
      'auth.second-factor-required',
      'Your organisation requires a second factor: sign in again with your one-time code to make an API token.',
    );
}

/** Whether a token may act for its user today: made with a second factor wherever one is required and still enrolled. */
export function tokenMeetsSecondFactor(row: TokenRow): boolean {
  return !row.require_totp || (row.second_factor && row.totp_enabled);
}
