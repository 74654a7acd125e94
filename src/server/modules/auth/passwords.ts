/**
 * What makes a password acceptable, as NIST SP 800-63B (section 3.1.1.2) says: long enough
 * (12 characters at least, 200 at most, any characters), and not a value attackers try
 * first: common and breached passwords, dictionary words, keyboard patterns, repetitions,
 * sequences, dates, and words of the user's own account, as zxcvbn estimates them
 * (decision 0019). No composition rules (a digit, a capital...) and no forced expiry.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { invalid } from '../../http/problems.ts';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;
/**
 * The guesses (as a power of ten) zxcvbn must estimate a password to need: 10^10, its top
 * score, which an attacker holding a stolen argon2 hash could not reach. 10^8 (its "safely
 * unguessable online") still lets through a name and a year, or a season and a year.
 */
export const MIN_GUESSES_LOG10 = 10;

/** Words of the platform itself that an attacker would try with an account's own. */
const SITE_WORDS = ['concord', 'gaza', 'mission', 'stabilization', 'stabilisation'];

let checker: ZxcvbnFactory | undefined;

function zxcvbn(): ZxcvbnFactory {
  checker ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return checker;
}

/** Why a password is not acceptable, in a sentence, or null when it is. `account` holds the account's own words (email, name). */
export function passwordProblem(password: string, account: readonly string[] = []): string | null {
  // Length counts characters as people see them (code points), not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `At least ${PASSWORD_MIN_LENGTH} characters.`;
  if (length > PASSWORD_MAX_LENGTH) return `At most ${PASSWORD_MAX_LENGTH} characters.`;
  const words = account.flatMap((text) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter((word) => word.length >= 3);
  const result = zxcvbn().check(password, [...SITE_WORDS, ...words]);
  if (result.guessesLog10 >= MIN_GUESSES_LOG10) return null;
  const why = result.feedback.warning ?? 'It is too easy to guess.';
  const hint = result.feedback.suggestions[0] ?? 'Use a few words that do not go together.';
  return `This password is too easy to guess: ${why} ${hint}`.replace(/\s+/g, ' ').trim();
}

/** Refuses (400, with `pointer`) a password that passwordProblem finds a problem with. */
export function checkPassword(password: string, account: readonly string[], pointer: string): void {
  const problem = passwordProblem(password, account);
  if (problem) throw invalid([{ pointer, detail: problem }], 'The password is not acceptable.');
}
