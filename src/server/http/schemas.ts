/** Schemas shared by many routes: ids, pagination, problem responses. */
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../modules/auth/passwords.ts';

// Messages a person can act on, for the issues zod words for developers.
z.config({
  customError: (issue) => {
    if (issue.input === undefined) return 'Required.';
    if (issue.code === 'invalid_value' && issue.values.length > 1) return `Must be one of: ${issue.values.join(', ')}.`;
    if (issue.code === 'too_big' && issue.origin === 'number') return `At most ${issue.maximum}.`;
    if (issue.code === 'too_small' && issue.origin === 'number') return `At least ${issue.minimum}.`;
    if (issue.code === 'too_small' && issue.origin === 'string')
      return issue.minimum === 1 ? 'Must not be empty.' : `At least ${issue.minimum} characters.`;
    if (issue.code === 'too_big' && issue.origin === 'string') return `At most ${issue.maximum} characters.`;
    return undefined;
  },
});

export const MAX_PAGE_SIZE = 100;

/** Today's date (UTC) plus `days`, as YYYY-MM-DD. */
export function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A calendar date (YYYY-MM-DD) bounded to what its field can mean, refused with a plain
 * sentence otherwise. `latest` is a date or a function of today (a date something happened
 * cannot be later than tomorrow, which allows for the time zones ahead of UTC).
 */
export function calendarDate(earliest: string, latest: string | (() => string), what: string) {
  return z.iso.date('A calendar date, YYYY-MM-DD.').superRefine((value, ctx) => {
    const last = typeof latest === 'string' ? latest : latest();
    if (value < earliest || value > last) ctx.addIssue({ code: 'custom', message: `${what} is a date from ${earliest} to ${last}.` });
  });
}

/** The dates of the mission's plans and figures: targets, expected tranches, budget periods, reporting periods. */
export const missionDate = (what = 'This') => calendarDate('2000-01-01', '2100-12-31', what);
/** The date money moved, was pledged or signed, or a rate held: in the mission's time, and not in the future. */
export const moneyDate = (what = 'This') => calendarDate('2000-01-01', () => dayFromToday(1), what);
/** The date something was said or seen (a stance, evidence): history back to 1945, and not in the future. */
export const pastDate = (what = 'This') => calendarDate('1945-01-01', () => dayFromToday(1), what);
/** A date to look back to ("as of"): from 1945 to the end of the mission's horizon. */
export const asOfDate = (what = 'The date') => calendarDate('1945-01-01', '2100-12-31', what);

export const idParams = z.object({ id: z.uuid() });

export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}

/** A new password: NIST SP 800-63B's rules (auth/passwords.ts); the service checks it again against the account's own words. */
export const password = z
  .string()
  .max(PASSWORD_MAX_LENGTH * 2, `At most ${PASSWORD_MAX_LENGTH} characters.`)
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(`At least ${PASSWORD_MIN_LENGTH} characters, and not easy to guess: no common or breached password, word or pattern`);

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email('Not an email address.'));

export const locale = z.enum(['en', 'ar']);

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ pointer: z.string(), detail: z.string(), in: z.enum(['querystring', 'params', 'headers']).optional() }))
      .optional(),
    correlationId: z.string().optional(),
  })
  // Problems may carry extension members (RFC 9457 section 3.2), e.g. retryAfterSeconds.
  .loose()
  .describe('RFC 9457 problem details')
  .meta({ id: 'Problem' });

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
};
