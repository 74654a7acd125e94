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
  /** Position among the activity's transactions (0-based). */
  index: number;
  /** Line of the transaction in the file it was read from (absent for transactions built in memory). */
  line?: number;
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

/** What a transaction states: everything but its position. Two transactions with the same content are true duplicates. */
export function transactionContent(tx: IatiTransaction): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        tx.ref,
        tx.typeCode,
        tx.date,
        tx.value,
        tx.currency,
        tx.valueDate,
        tx.provider?.ref ?? null,
        tx.provider?.name ?? null,
        tx.receiver?.ref ?? null,
        tx.receiver?.name ?? null,
        tx.description,
      ]),
    )
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Keys for an activity's transactions, for idempotent import: together with the activity
 * identifier, a key names one transaction across re-imports of the same file.
 *
 * A key is the transaction's position in the activity and a digest of its content
 * (`<position>:<digest>`). Publishers repeat `@ref` values in real files (a ref names a
 * payment batch, an invoice or a contract, not always one transaction), so a ref alone would
 * merge different transactions; the position tells apart two transactions that state the
 * same thing (true duplicates, which the import reports rather than drops), and the digest
 * makes a changed amount or date at the same position a new transaction.
 */
export function transactionKeys(activity: Pick<IatiActivity, 'transactions'>): string[] {
  return activity.transactions.map((tx, position) => `${position}:${transactionContent(tx)}`);
}

/** Transactions that repeat an earlier one of the same activity exactly: their positions and the first one's. */
export function duplicateTransactions(activity: Pick<IatiActivity, 'transactions'>): { index: number; first: number }[] {
  const seen = new Map<string, number>();
  const repeats: { index: number; first: number }[] = [];
  activity.transactions.forEach((tx, index) => {
    const content = transactionContent(tx);
    const first = seen.get(content);
    if (first === undefined) seen.set(content, index);
    else repeats.push({ index, first });
  });
  return repeats;
}
