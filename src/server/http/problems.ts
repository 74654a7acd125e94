/**
 * The one catalogue of problems (RFC 9457) the API can answer with. Each entry has a
 * stable machine `code`; its `type` is a URI into the catalogue served at /api/problems,
 * so a client can look up what it means. Code throws `new Problem(code, detail)`; the
 * error handler in app.ts turns it into an application/problem+json response.
 */

export const PROBLEMS = {
  'request.invalid': { status: 400, title: 'The request is not valid' },
  'request.malformed': { status: 400, title: 'The request body could not be read' },
  'request.unsupported-media-type': { status: 415, title: 'The request body must be JSON' },
  'request.too-large': { status: 413, title: 'The request body is too large' },
  'auth.unauthenticated': { status: 401, title: 'Sign-in required' },
  'auth.invalid-credentials': { status: 401, title: 'Email or password is wrong' },
  'auth.totp-required': { status: 401, title: 'A one-time code from your authenticator is required' },
  'auth.totp-invalid': { status: 401, title: 'The one-time code is wrong or was already used' },
  'auth.rate-limited': { status: 429, title: 'Too many failed sign-ins' },
  'auth.csrf': { status: 403, title: 'The request is missing its CSRF token' },
  'auth.totp-enrolment-required': {
    status: 403,
    title: 'Your organisation requires a second factor: enrol one on your account page first',
  },
  'auth.second-factor-required': { status: 403, title: 'This needs a session that passed your one-time code' },
  'auth.forbidden': { status: 403, title: 'You are not allowed to do this' },
  'resource.not-found': { status: 404, title: 'Not found' },
  'route.not-found': { status: 404, title: 'No such endpoint' },
  'resource.conflict': { status: 409, title: 'This conflicts with an existing record' },
  'resource.referenced': { status: 409, title: 'This refers to a record that does not exist or is still in use' },
  'conditions.cycle': { status: 409, title: 'Condition requirements would form a cycle' },
  'audit.append-only': { status: 409, title: 'The audit trail cannot be changed' },
  'audit.key-unavailable': { status: 409, title: 'The audit signing key is not available to check the log' },
  'audit.not-sealed': { status: 409, title: 'This audit record has no place in the tree yet' },
  'request.idempotency-key-missing': { status: 400, title: 'Money writes need an Idempotency-Key header' },
  'request.idempotency-key-reused': { status: 422, title: 'This Idempotency-Key was already used for a different request' },
  'funding.insufficient-funds': { status: 409, title: 'There is not enough money for this' },
  'funding.tranche-blocked': { status: 409, title: 'This tranche still waits on its conditions' },
  'funding.exchange-rate-missing': { status: 409, title: 'There is no exchange rate for this currency and date' },
  'funding.already-reversed': { status: 409, title: 'This transaction has already been reversed' },
  'funding.ledger-immutable': { status: 409, title: 'Posted ledger transactions cannot be changed' },
  'funding.claim-transition': { status: 409, title: 'The claim cannot move to that status from where it is' },
  'funding.claim-paid': { status: 409, title: 'This reimbursement claim has already been paid' },
  'funding.import-refused': { status: 422, title: 'The file was refused; nothing was imported' },
  'database.unavailable': { status: 503, title: 'The database is unavailable' },
  'server.shutting-down': { status: 503, title: 'The server is shutting down' },
  'server.internal': { status: 500, title: 'Something went wrong on the server' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface FieldError {
  /** A JSON pointer into the body, or into the query or path parameters when `in` says so. */
  pointer: string;
  detail: string;
  in?: 'querystring' | 'params' | 'headers';
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  correlationId?: string;
  [extension: string]: unknown;
}

export function problemType(code: ProblemCode): string {
  return `/api/problems#${code}`;
}

export class Problem extends Error {
  readonly status: number;
  /**
   * A 404 for a record that exists but the caller may not see: answered exactly like a
   * missing one, and written to the security log (see existingButHidden in refusals.ts).
   */
  hiddenRecord = false;

  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extensions: { errors?: FieldError[]; headers?: Record<string, string>; [key: string]: unknown } = {},
  ) {
    super(detail ?? PROBLEMS[code].title);
    this.status = PROBLEMS[code].status;
  }

  toBody(instance?: string): ProblemBody {
    const { headers: _headers, ...extensions } = this.extensions;
    return {
      type: problemType(this.code),
      title: PROBLEMS[this.code].title,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...extensions,
    };
  }
}

export const notFound = (what = 'record') => new Problem('resource.not-found', `No such ${what}.`);
export const forbidden = (detail?: string) => new Problem('auth.forbidden', detail);
export const invalid = (errors: FieldError[], detail = 'Some fields are not valid.') => new Problem('request.invalid', detail, { errors });
