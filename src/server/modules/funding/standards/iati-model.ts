/**
 * The normalized IATI activity that the reader yields and the writer takes: only what the
 * funding ledger needs (identity, organisations, budgets, transactions), with money as exact
 * decimal strings. Codes are IATI codelist codes as strings.
 */
import { createHash } from 'node:crypto';

/** One `<narrative>`: its text and its `xml:lang` as written (null when it has none). */
export interface IatiNarrative {
  lang: string | null;
  text: string;
}

export interface IatiOrgRef {
  ref: string | null;
  /** The first narrative in the activity's language (or the first of all). */
  name: string | null;
  /** OrganisationType code. */
  type: string | null;
}

export interface IatiParticipatingOrg extends IatiOrgRef {
  /** OrganisationRole code: 1 funding, 2 accountable, 3 extending, 4 implementing. */
  role: string | null;
}

/** TransactionType codes of IATI 2.03 and what each means. */
export const TRANSACTION_TYPES = {
  '1': 'Incoming Funds',
  '2': 'Outgoing Commitment',
  '3': 'Disbursement',
  '4': 'Expenditure',
  '5': 'Interest Payment',
  '6': 'Loan Repayment',
  '7': 'Reimbursement',
  '8': 'Purchase of Equity',
  '9': 'Sale of Equity',
  '10': 'Credit Guarantee',
  '11': 'Incoming Commitment',
  '12': 'Outgoing Pledge',
  '13': 'Incoming Pledge',
} as const;

export type TransactionTypeCode = keyof typeof TRANSACTION_TYPES;

export function isTransactionType(code: string): code is TransactionTypeCode {
  return Object.hasOwn(TRANSACTION_TYPES, code);
}

export interface IatiTransaction {
  /** transaction/@ref: the publisher's own reference, when it gives one. */
  ref: string | null;
  typeCode: TransactionTypeCode;
  /** transaction-date/@iso-date, YYYY-MM-DD. */
  date: string;
  /** Canonical exact decimal string (see canonicalDecimal). */
  value: string;
  /** value/@currency, else the activity's default-currency. */
  currency: string;
  valueDate: string | null;
  provider: IatiOrgRef | null;
  receiver: IatiOrgRef | null;
  /** The description's narrative in the activity's language (or the first). */
  description: string | null;
  descriptions: IatiNarrative[];
  /** Position among the activity's transactions (0-based, counting skipped ones too). */
  index: number;
}

export interface IatiBudget {
  /** BudgetType: 1 original, 2 revised. */
  type: string | null;
  /** BudgetStatus: 1 indicative, 2 committed (IATI 2.02 and later). */
  status: string | null;
  periodStart: string;
  periodEnd: string;
  value: string;
  currency: string;
  valueDate: string | null;
}

export interface IatiActivity {
  identifier: string;
  /** The file's iati-activities/@version ("2.01", "2.02" or "2.03"). */
  version: string;
  /** The activity's xml:lang (the language of narratives without their own). */
  lang: string | null;
  title: string | null;
  titles: IatiNarrative[];
  /** The general description (type 1, or without a type). */
  description: string | null;
  descriptions: IatiNarrative[];
  reportingOrg: IatiOrgRef;
  participatingOrgs: IatiParticipatingOrg[];
  /** ActivityStatus code (1 pipeline … 6 suspended). */
  activityStatus: string | null;
  /** activity-date elements: ActivityDateType code (1 planned start … 4 actual end) and date. */
  activityDates: { type: string; date: string }[];
  defaultCurrency: string | null;
  humanitarian: boolean | null;
  budgets: IatiBudget[];
  transactions: IatiTransaction[];
  /** Line where the activity starts in its file, for messages. */
  line: number;
}

/**
 * Stable keys for an activity's transactions, for idempotent import: together with the
 * activity identifier, a key names one transaction across re-imports of the same file or of
 * a later version of it.
 *
 * - A transaction with a ref: `ref:<ref>` (refs are unique within an activity; the reader
 *   skips repeats).
 * - Without a ref: `sum:<hash of type, date, value, currency, provider and receiver>:<n>`,
 *   where n counts identical earlier transactions in the same activity. Unlike the position,
 *   this survives a publisher adding or reordering transactions; a changed amount or date
 *   makes a new transaction, which is what such a change means without a ref.
 */
export function transactionKeys(activity: Pick<IatiActivity, 'transactions'>): string[] {
  const seen = new Map<string, number>();
  return activity.transactions.map((tx) => {
    if (tx.ref !== null) return `ref:${tx.ref}`;
    const digest = createHash('sha256')
      .update(
        JSON.stringify([
          tx.typeCode,
          tx.date,
          tx.value,
          tx.currency,
          tx.provider?.ref ?? null,
          tx.provider?.name ?? null,
          tx.receiver?.ref ?? null,
          tx.receiver?.name ?? null,
        ]),
      )
      .digest('base64url')
      .slice(0, 22);
    const n = seen.get(digest) ?? 0;
    seen.set(digest, n + 1);
    return `sum:${digest}:${n}`;
  });
}
