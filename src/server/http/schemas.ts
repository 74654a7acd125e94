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
