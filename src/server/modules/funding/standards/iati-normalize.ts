/**
 * The normalizing half of the IATI reader: what the SAX handlers collected for one activity
 * becomes an IatiActivity, or an invalid activity with every problem found (line, element,
 * rule), checked against the rules of the standard that its XML schema cannot express or
 * that this import needs: the TransactionType and Currency codelists, one value per
 * transaction, real calendar dates, a provider or receiver organisation that names someone
 * (the IATI Standard ruleset: a @ref or a narrative), unique activity identifiers, and
 * amounts that can be kept exactly.
 *
 * An activity is the unit: one problem anywhere in it makes the whole activity invalid, so
 * an import never keeps half of what a publisher reported for one activity.
 */

import { canonicalDecimal, isCurrencyCode } from '../../../../shared/money.ts';
import type { IatiActivity, IatiBudget, IatiNarrative, IatiOrgRef, IatiParticipatingOrg, IatiTransaction } from './iati-model.ts';
import { isTransactionType } from './iati-model.ts';

export const SUPPORTED_VERSIONS = ['2.01', '2.02', '2.03'] as const;

/** The most digits an amount may have before and after the decimal point to be kept exactly. */
export const AMOUNT_DIGITS = { whole: 30, fraction: 20 } as const;

/** The rules an activity can break; `schema` is the official XML schema (see iati-schema.ts). */
export type IatiRule =
  | 'schema'
  | 'identifier.missing'
  | 'identifier.repeated'
  | 'transaction.type-code'
  | 'transaction.date'
  | 'transaction.value'
  | 'transaction.one-value'
  | 'transaction.currency'
  | 'transaction.organisation'
  | 'budget.period'
  | 'budget.value'
  | 'budget.currency';

export interface IatiProblem {
  line: number;
  /** The element (or element/@attribute) at fault. */
  element: string;
  rule: IatiRule;
  detail: string;
}

export interface IatiInvalid {
  line: number;
  /** The activity's identifier, when it has one. */
  identifier: string | null;
  /** How many transactions it held (none of them imported). */
  transactions: number;
  problems: IatiProblem[];
}

/** The raw text of an activity as it stands in the file, for validation against the schema. */
export interface IatiSource {
  /** The file's root start tag (namespace declarations and all), on one line. */
  rootTag: string;
  /** The activity's text from `<iati-activity` to `</iati-activity>`, as UTF-8 bytes. */
  bytes: Uint8Array;
  /** The line where the activity's start tag begins. */
  line: number;
}

export type IatiItem =
  | { kind: 'activity'; activity: IatiActivity; source?: IatiSource }
  | { kind: 'invalid'; invalid: IatiInvalid; source?: IatiSource };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2}|T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD` from an xsd:date (a time zone or time after it is dropped), or null when it is not a real date. */
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

/** Why an exact decimal cannot be kept as it is, or null when it can. */
export function amountProblem(canonical: string): string | null {
  const [whole, fraction = ''] = canonical.replace(/^-/, '').split('.');
  if (whole.length > AMOUNT_DIGITS.whole)
    return `has ${whole.length} digits before the decimal point (at most ${AMOUNT_DIGITS.whole} are kept)`;
  if (fraction.length > AMOUNT_DIGITS.fraction)
    return `has ${fraction.length} decimals (at most ${AMOUNT_DIGITS.fraction} are kept, and none is rounded away)`;
  return null;
}

export interface OrgBuilder {
  element: string;
  line: number;
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
  /** How many value elements the transaction has (the standard allows one). */
  values: number;
  valueLine: number;
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

/** Checks one transaction; returns it normalized, with its problems added to `problems`. */
function transaction(tx: TxBuilder, act: ActivityBuilder, problems: IatiProblem[]): IatiTransaction | null {
  const before = problems.length;
  const problem = (element: string, rule: IatiRule, detail: string, line = tx.line) => problems.push({ line, element, rule, detail });
  if (tx.typeCode === null) problem('transaction-type', 'transaction.type-code', 'the transaction has no transaction-type');
  else if (!isTransactionType(tx.typeCode))
    problem('transaction-type', 'transaction.type-code', `transaction-type code "${tx.typeCode}" is not a TransactionType code (1 to 13)`);
  const date = isoDate(tx.date);
  if (date === null)
    problem(
      'transaction-date',
      'transaction.date',
      tx.date === undefined ? 'the transaction has no transaction-date/@iso-date' : `transaction-date "${tx.date}" is not a real date`,
    );
  if (tx.valueDate !== undefined && isoDate(tx.valueDate) === null)
    problem('value/@value-date', 'transaction.date', `value-date "${tx.valueDate}" is not a real date`, tx.valueLine);
  if (tx.values > 1) problem('value', 'transaction.one-value', `the transaction has ${tx.values} value elements; the standard allows one`);
  const value = tx.value === null ? null : canonicalDecimal(tx.value);
  if (tx.value === null) problem('value', 'transaction.value', 'the transaction has no value');
  else if (value === null) problem('value', 'transaction.value', `value "${tx.value.trim()}" is not a decimal number`, tx.valueLine);
  else {
    const digits = amountProblem(value);
    if (digits) problem('value', 'transaction.value', `value ${value} ${digits}`, tx.valueLine);
  }
  const currency = tx.currency?.trim() || act.defaultCurrency;
  if (!currency) problem('value/@currency', 'transaction.currency', 'the value has no currency and the activity has no default-currency');
  else if (!isCurrencyCode(currency)) problem('value/@currency', 'transaction.currency', `currency "${currency}" is not an ISO 4217 code`);
  for (const org of [tx.provider, tx.receiver])
    if (org && !org.ref && org.names.length === 0)
      problem(
        org.element,
        'transaction.organisation',
        `the ${org.element} names no organisation (it needs a @ref or a narrative)`,
        org.line,
      );
  if (problems.length > before) return null;
  return {
    ref: tx.ref,
    typeCode: tx.typeCode as IatiTransaction['typeCode'],
    date: date!,
    value: value!,
    currency: currency!,
    valueDate: isoDate(tx.valueDate),
    provider: orgRef(tx.provider, act.lang),
    receiver: orgRef(tx.receiver, act.lang),
    description: pick(tx.descriptions, act.lang),
    descriptions: tx.descriptions,
    index: tx.index,
    line: tx.line,
  };
}

function budget(b: BudgetBuilder, act: ActivityBuilder, problems: IatiProblem[]): IatiBudget | null {
  const before = problems.length;
  const periodStart = isoDate(b.periodStart);
  const periodEnd = isoDate(b.periodEnd);
  const value = b.value === null ? null : canonicalDecimal(b.value);
  const currency = b.currency?.trim() || act.defaultCurrency;
  const problem = (element: string, rule: IatiRule, detail: string) => problems.push({ line: b.line, element, rule, detail });
  if (periodStart === null || periodEnd === null)
    problem('budget', 'budget.period', 'the budget has no real period-start and period-end dates');
  else if (periodEnd < periodStart)
    problem('budget/period-end', 'budget.period', `the budget ends (${periodEnd}) before it starts (${periodStart})`);
  if (value === null)
    problem(
      'budget/value',
      'budget.value',
      b.value === null ? 'the budget has no value' : `value "${b.value.trim()}" is not a decimal number`,
    );
  else {
    const digits = amountProblem(value);
    if (digits) problem('budget/value', 'budget.value', `value ${value} ${digits}`);
  }
  if (!currency || !isCurrencyCode(currency))
    problem('budget/value/@currency', 'budget.currency', `no ISO 4217 currency (${currency ?? 'none given'})`);
  if (problems.length > before) return null;
  return {
    type: b.type,
    status: b.status,
    periodStart: periodStart!,
    periodEnd: periodEnd!,
    value: value!,
    currency: currency!,
    valueDate: isoDate(b.valueDate),
  };
}

/** The activity as an IatiActivity, or as an invalid activity listing every problem found. */
export function finishActivity(act: ActivityBuilder, version: string, seen: Map<string, number>): IatiItem {
  const problems: IatiProblem[] = [];
  const identifier = act.identifier;
  if (identifier === null)
    problems.push({
      line: act.line,
      element: 'iati-identifier',
      rule: 'identifier.missing',
      detail: 'the activity has no iati-identifier',
    });
  else {
    const earlier = seen.get(identifier);
    if (earlier !== undefined)
      problems.push({
        line: act.line,
        element: 'iati-identifier',
        rule: 'identifier.repeated',
        detail: `the identifier ${identifier} was already used by the activity at line ${earlier}`,
      });
    else seen.set(identifier, act.line);
  }
  const transactions = act.transactions.map((tx) => transaction(tx, act, problems));
  const budgets = act.budgets.map((b) => budget(b, act, problems));
  if (problems.length > 0)
    return { kind: 'invalid', invalid: { line: act.line, identifier, transactions: act.transactions.length, problems } };

  const lang = act.lang;
  return {
    kind: 'activity',
    activity: {
      identifier: identifier!,
      version,
      lang,
      title: pick(act.titles, lang),
      titles: act.titles,
      description: pick(act.descriptions, lang),
      descriptions: act.descriptions,
      reportingOrg: orgRef(act.reportingOrg, lang) ?? { ref: null, name: null, type: null },
      participatingOrgs: act.participatingOrgs.map((o): IatiParticipatingOrg => ({ ...orgRef(o, lang)!, role: o.role })),
      activityStatus: act.activityStatus,
      activityDates: act.activityDates,
      defaultCurrency: act.defaultCurrency,
      humanitarian: act.humanitarian,
      budgets: budgets as IatiBudget[],
      transactions: transactions as IatiTransaction[],
      line: act.line,
    },
  };
}

/** What a read came to: counts of valid and invalid activities, and the problems by rule. */
export interface IatiReadSummary {
  activities: number;
  transactions: number;
  budgets: number;
  invalid: { activities: number; transactions: number };
  problemsByRule: Partial<Record<IatiRule, number>>;
}

export function emptySummary(): IatiReadSummary {
  return { activities: 0, transactions: 0, budgets: 0, invalid: { activities: 0, transactions: 0 }, problemsByRule: {} };
}

/** Adds one item to a summary (kept separate from reading so a caller can also act on each item). */
export function tally(summary: IatiReadSummary, item: IatiItem): IatiReadSummary {
  if (item.kind === 'activity') {
    summary.activities++;
    summary.transactions += item.activity.transactions.length;
    summary.budgets += item.activity.budgets.length;
  } else {
    summary.invalid.activities++;
    summary.invalid.transactions += item.invalid.transactions;
    for (const p of item.invalid.problems) summary.problemsByRule[p.rule] = (summary.problemsByRule[p.rule] ?? 0) + 1;
  }
  return summary;
}
