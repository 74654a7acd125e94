/**
 * The one place where database errors become API problems. Both engines report the
 * PostgreSQL SQLSTATE in `code`; connection failures surface as Node errors.
 */
import { Problem } from '../http/problems.ts';

interface DatabaseErrorLike {
  code?: string;
  constraint?: string;
  detail?: string;
  hint?: string;
  message?: string;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03']);

/** Friendlier words for the constraints a user can run into. */
const CONSTRAINT_DETAILS: Record<string, string> = {
  users_email_key: 'A user with this email already exists.',
  organisations_name_key: 'An organisation with this name already exists.',
  roles_pkey: 'A role with this key already exists.',
  places_code_key: 'A place with this code already exists.',
  conditions_code_key: 'A condition with this code already exists.',
};

export function isConnectionError(error: unknown): boolean {
  const code = (error as DatabaseErrorLike)?.code;
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  const message = (error as Error)?.message ?? '';
  return /Connection terminated|PGlite is closed|connection timeout|timeout exceeded when trying to connect/i.test(message);
}

export function databaseErrorToProblem(error: unknown): Problem | undefined {
  if (isConnectionError(error)) return new Problem('database.unavailable', 'The database cannot be reached. Try again shortly.');
  const e = error as DatabaseErrorLike;
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  const constraint = e.constraint ?? '';
  switch (e.code) {
    case '23505':
      return new Problem('resource.conflict', CONSTRAINT_DETAILS[constraint] ?? 'A record with these values already exists.');
    case '23503':
      return new Problem('resource.referenced', 'It refers to a record that does not exist, or another record still refers to it.');
    case '23514':
    case '23502':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22P02':
    case '22021': // a NUL character in text, which PostgreSQL cannot store
    case '22P05': // a \u0000 escape in JSON, likewise
      return new Problem('request.invalid', 'A value is not acceptable to the database.');
    case 'P0001':
      if (e.hint === 'audit.append-only') return new Problem('audit.append-only');
      return undefined;
    default:
      return undefined;
  }
}
