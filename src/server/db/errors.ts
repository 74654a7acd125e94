/**
 * The one place where database errors become API problems. PostgreSQL reports its
 * SQLSTATE in `code`; connection failures surface as Node errors.
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
  budget_lines_code_key: 'A budget line with this code already exists.',
  funding_instruments_donor_org_id_name_key: 'This donor already has an instrument with this name.',
  exchange_rates_pkey: 'There is already a rate for this currency on this date.',
  reimbursement_claims_country_org_id_contingent_month_key: 'This contingent already has a claim for this month.',
};

/** The ledger's trigger names the kind of account that would go below zero. */
function insufficientDetail(kind: string | undefined): string {
  switch (kind) {
    case 'fund':
      return 'The instrument has not received enough money that is not yet allocated.';
    case 'line':
      return 'The budget line does not hold enough allocated money from this instrument.';
    case 'payee':
      return 'The payee has not been disbursed enough from this line to report this spending.';
    default:
      return 'An account would go below zero.';
  }
}

export function isConnectionError(error: unknown): boolean {
  const code = (error as DatabaseErrorLike)?.code;
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  const message = (error as Error)?.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message);
}

export function databaseErrorToProblem(error: unknown): Problem | undefined {
  if (isConnectionError(error)) return new Problem('database.unavailable', 'The database cannot be reached. Try again shortly.');
  const e = error as DatabaseErrorLike;
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  const constraint = e.constraint ?? '';
  switch (e.code) {
    case '23505':
      if (constraint === 'ledger_transactions_reverses_id_key') return new Problem('funding.already-reversed');
      if (constraint === 'ledger_transactions_claim_id_key' || constraint === 'reimbursement_claims_paid_transaction_id_key')
        return new Problem('funding.claim-paid');
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
      if (e.hint === 'funding.insufficient-funds') return new Problem('funding.insufficient-funds', insufficientDetail(e.detail));
      if (e.hint === 'funding.ledger-immutable') return new Problem('funding.ledger-immutable');
      return undefined;
    default:
      return undefined;
  }
}
