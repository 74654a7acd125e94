/**
 * The normalizing half of the IATI reader: what the SAX handlers collected for one activity
 * becomes an IatiActivity, or skips with reasons (a transaction, a budget, or the whole
 * activity), checked against the codelists, ISO 4217 and exact decimal and date formats.
 */
import type { IatiActivity, IatiBudget, IatiNarrative, IatiOrgRef, IatiParticipatingOrg, IatiTransaction } from './iati-model.ts';
import { isTransactionType } from './iati-model.ts';
import { canonicalDecimal, isCurrencyCode } from './money.ts';

export const SUPPORTED_VERSIONS = ['2.01', '2.02', '2.03'] as const;

export type IatiSkipCode =
  | 'activity.no-identifier'
  | 'activity.duplicate'
  | 'activity.unsupported-version'
  | 'transaction.bad-type'
  | 'transaction.bad-date'
  | 'transaction.bad-value'
  | 'transaction.bad-currency'
  | 'transaction.duplicate-ref'
  | 'budget.bad-period'
  | 'budget.bad-value'
  | 'budget.bad-currency';

export interface IatiSkip {
  level: 'activity' | 'transaction' | 'budget';
  code: IatiSkipCode;
  reason: string;
  line: number;
  /** The activity's identifier, when it has one. */
  identifier: string | null;
  /** For a transaction: its ref and its position in the activity. */
  ref: string | null;
  index: number | null;
  /** For a skipped activity: how many transactions it held (none of them imported). */
  transactions: number;
}

export type IatiItem = { kind: 'activity'; activity: IatiActivity } | { kind: 'skip'; skip: IatiSkip };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2}|T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD` from an xsd:date (a time zone or time after it is dropped), or null. */
export function isoDate(text: string | undefined): string | null {
  if (!text) return null;
  const match = ISO_DATE.exec(text.length === 10 ? text : text.trim());
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && !leap ? 28 : DAYS[month - 1])) return null;
  return text.length === 10 ? text : `${match[1]}-${match[2]}-${match[3]}`;
}

export interface OrgBuilder {
  ref: string | null;
  type: string | null;
  role: string | null;
  names: IatiNarrative[];
}

export interface TxBuilder {
  ref: string | null;
  index: number;
  line: number;
  typeCode: string | null;
  date: string | undefined;
  value: string | null;
  currency: string | undefined;
  valueDate: string | undefined;
  provider: OrgBuilder | null;
  receiver: OrgBuilder | null;
  descriptions: IatiNarrative[];
}

export interface BudgetBuilder {
  line: number;
  type: string | null;
  status: string | null;
  periodStart: string | undefined;
  periodEnd: string | undefined;
  value: string | null;
  currency: string | undefined;
  valueDate: string | undefined;
}

export interface ActivityBuilder {
  line: number;
  lang: string | null;
  identifier: string | null;
  defaultCurrency: string | null;
  humanitarian: boolean | null;
  reportingOrg: OrgBuilder | null;
  participatingOrgs: OrgBuilder[];
  titles: IatiNarrative[];
  descriptions: IatiNarrative[];
  activityStatus: string | null;
  activityDates: { type: string; date: string }[];
  budgets: BudgetBuilder[];
  transactions: TxBuilder[];
}

/** The narrative in `lang` (or without a language), else the first one. */
export function pick(narratives: IatiNarrative[], lang: string | null): string | null {
  if (narratives.length === 0) return null;
  const wanted = lang ?? 'en';
  return (narratives.find((n) => (n.lang ?? wanted) === wanted) ?? narratives[0]).text;
}

function orgRef(org: OrgBuilder | null, lang: string | null): IatiOrgRef | null {
  if (!org) return null;
  return { ref: org.ref, name: pick(org.names, lang), type: org.type };
}

export function finishActivity(
  act: ActivityBuilder,
  version: string | null,
  supported: boolean,
  seen: Map<string, number>,
  out: IatiItem[],
) {
  const identifier = act.identifier;
  const skipActivity = (code: IatiSkipCode, reason: string) =>
    out.push({
      kind: 'skip',
      skip: { level: 'activity', code, reason, line: act.line, identifier, ref: null, index: null, transactions: act.transactions.length },
    });
  if (!supported) {
    skipActivity(
      'activity.unsupported-version',
      version
        ? `the file's IATI version ${version} is not one of ${SUPPORTED_VERSIONS.join(', ')}`
        : 'the file does not say its IATI version',
    );
    return;
  }
  if (identifier === null) {
    skipActivity('activity.no-identifier', 'the activity has no iati-identifier');
    return;
  }
  const earlier = seen.get(identifier);
  if (earlier !== undefined) {
    skipActivity('activity.duplicate', `the identifier ${identifier} was already used by the activity at line ${earlier}`);
    return;
  }
  seen.set(identifier, act.line);

  const lang = act.lang;
  const transactions: IatiTransaction[] = [];
  const refs = new Set<string>();
  for (const tx of act.transactions) {
    const skip = (code: IatiSkipCode, reason: string) =>
      out.push({
        kind: 'skip',
        skip: { level: 'transaction', code, reason, line: tx.line, identifier, ref: tx.ref, index: tx.index, transactions: 0 },
      });
    const value = tx.value === null ? null : canonicalDecimal(tx.value);
    const date = isoDate(tx.date);
    const currency = tx.currency?.trim() || act.defaultCurrency;
    if (tx.typeCode === null || !isTransactionType(tx.typeCode)) {
      skip(
        'transaction.bad-type',
        tx.typeCode === null ? 'no transaction-type' : `transaction-type code "${tx.typeCode}" is not a TransactionType code (1 to 13)`,
      );
    } else if (date === null) {
      skip('transaction.bad-date', tx.date === undefined ? 'no transaction-date/@iso-date' : `transaction-date "${tx.date}" is not a date`);
    } else if (value === null) {
      skip('transaction.bad-value', tx.value === null ? 'no value' : `value "${tx.value.trim()}" is not a decimal number`);
    } else if (!currency) {
      skip('transaction.bad-currency', 'no value/@currency and no default-currency on the activity');
    } else if (!isCurrencyCode(currency)) {
      skip('transaction.bad-currency', `currency "${currency}" is not an ISO 4217 code`);
    } else if (tx.ref !== null && refs.has(tx.ref)) {
      skip('transaction.duplicate-ref', `a transaction with ref ${tx.ref} came earlier in this activity`);
    } else {
      if (tx.ref !== null) refs.add(tx.ref);
      transactions.push({
        ref: tx.ref,
        typeCode: tx.typeCode,
        date,
        value,
        currency,
        valueDate: isoDate(tx.valueDate),
        provider: orgRef(tx.provider, lang),
        receiver: orgRef(tx.receiver, lang),
        description: pick(tx.descriptions, lang),
        descriptions: tx.descriptions,
        index: tx.index,
      });
    }
  }

  const budgets: IatiBudget[] = [];
  for (const b of act.budgets) {
    const skip = (code: IatiSkipCode, reason: string) =>
      out.push({
        kind: 'skip',
        skip: { level: 'budget', code, reason, line: b.line, identifier, ref: null, index: null, transactions: 0 },
      });
    const periodStart = isoDate(b.periodStart);
    const periodEnd = isoDate(b.periodEnd);
    const value = b.value === null ? null : canonicalDecimal(b.value);
    const currency = b.currency?.trim() || act.defaultCurrency;
    if (periodStart === null || periodEnd === null) skip('budget.bad-period', 'the budget has no valid period-start and period-end');
    else if (value === null) skip('budget.bad-value', b.value === null ? 'no value' : `value "${b.value.trim()}" is not a decimal number`);
    else if (!currency || !isCurrencyCode(currency)) skip('budget.bad-currency', `no ISO 4217 currency (${currency ?? 'none given'})`);
    else budgets.push({ type: b.type, status: b.status, periodStart, periodEnd, value, currency, valueDate: isoDate(b.valueDate) });
  }

  const reporting = act.reportingOrg;
  out.push({
    kind: 'activity',
    activity: {
      identifier,
      version: version!,
      lang,
      title: pick(act.titles, lang),
      titles: act.titles,
      description: pick(act.descriptions, lang),
      descriptions: act.descriptions,
      reportingOrg: orgRef(reporting, lang) ?? { ref: null, name: null, type: null },
      participatingOrgs: act.participatingOrgs.map((o): IatiParticipatingOrg => ({ ...orgRef(o, lang)!, role: o.role })),
      activityStatus: act.activityStatus,
      activityDates: act.activityDates,
      defaultCurrency: act.defaultCurrency,
      humanitarian: act.humanitarian,
      budgets,
      transactions,
      line: act.line,
    },
  });
}

/** What a read came to: counts, and the skips grouped by reason code. */
export interface IatiReadSummary {
  activities: number;
  transactions: number;
  budgets: number;
  skipped: { activities: number; transactions: number; budgets: number };
  skipsByCode: Partial<Record<IatiSkipCode, number>>;
}

export function emptySummary(): IatiReadSummary {
  return { activities: 0, transactions: 0, budgets: 0, skipped: { activities: 0, transactions: 0, budgets: 0 }, skipsByCode: {} };
}

/** Adds one item to a summary (kept separate from reading so a caller can also act on each item). */
export function tally(summary: IatiReadSummary, item: IatiItem): IatiReadSummary {
  if (item.kind === 'activity') {
    summary.activities++;
    summary.transactions += item.activity.transactions.length;
    summary.budgets += item.activity.budgets.length;
  } else {
    const level = item.skip.level;
    summary.skipped[level === 'activity' ? 'activities' : level === 'transaction' ? 'transactions' : 'budgets']++;
    summary.skipsByCode[item.skip.code] = (summary.skipsByCode[item.skip.code] ?? 0) + 1;
  }
  return summary;
}
