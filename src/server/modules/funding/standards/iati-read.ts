/**
 * Streaming IATI activity reader (versions 2.01 to 2.03). It parses with `saxes` chunk by
 * chunk and yields one activity at a time, so memory stays at one chunk plus one activity
 * (and the identifiers seen, to catch repeats) however large the file.
 *
 * Problems in one activity, budget or transaction are yielded as skips with a reason and a
 * line number and the reading goes on; only what makes the whole file unreadable (not XML,
 * not an IATI activity file, IATI 1.x) throws an IatiFormatError. Elements this reader does
 * not use, and elements or attributes of other namespaces, are passed over.
 *
 * Between 2.01 and 2.03 nothing the reader uses changed shape: budget/@status and
 * transaction/@humanitarian came in 2.02 (null when absent), and the TransactionType codes
 * 10 to 13 (credit guarantee, incoming commitment, outgoing and incoming pledge) were added
 * to the codelist after 2.01; they are accepted in any 2.0x file.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import {
  type IatiActivity,
  type IatiBudget,
  type IatiNarrative,
  type IatiOrgRef,
  type IatiParticipatingOrg,
  type IatiTransaction,
  isTransactionType,
} from './iati-model.ts';
import { canonicalDecimal, isCurrencyCode } from './money.ts';
import { XmlTextError, xmlText } from './xml-text.ts';

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

/** The whole file cannot be read: not well-formed XML, not an IATI activity file, or IATI 1.x. */
export class IatiFormatError extends Error {
  override name = 'IatiFormatError';
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(line === null ? message : `${message} (line ${line})`);
  }
}

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

interface OrgBuilder {
  ref: string | null;
  type: string | null;
  role: string | null;
  names: IatiNarrative[];
}

interface TxBuilder {
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

interface BudgetBuilder {
  line: number;
  type: string | null;
  status: string | null;
  periodStart: string | undefined;
  periodEnd: string | undefined;
  value: string | null;
  currency: string | undefined;
  valueDate: string | undefined;
}

interface ActivityBuilder {
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

const opt = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);
const bool = (value: string | undefined): boolean | null =>
  value === '1' || value === 'true' ? true : value === '0' || value === 'false' ? false : null;

/** The narrative in `lang` (or without a language), else the first one. */
function pick(narratives: IatiNarrative[], lang: string | null): string | null {
  if (narratives.length === 0) return null;
  const wanted = lang ?? 'en';
  return (narratives.find((n) => (n.lang ?? wanted) === wanted) ?? narratives[0]).text;
}

function orgRef(org: OrgBuilder | null, lang: string | null): IatiOrgRef | null {
  if (!org) return null;
  return { ref: org.ref, name: pick(org.names, lang), type: org.type };
}

/**
 * Read an IATI activity file (a Node Readable, or any async iterable of Buffers or strings)
 * and yield its activities and skips in file order. A skipped transaction or budget is
 * yielded just before the activity it belongs to (which is yielded without it).
 */
export async function* readIati(source: AsyncIterable<string | Uint8Array>): AsyncGenerator<IatiItem> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const input = xmlText(source);
  const restore = input.restore;
  const attr = (tag: SaxesTagPlain, name: string): string | undefined => {
    const value = tag.attributes[name];
    return value === undefined ? value : restore(value);
  };
  const out: IatiItem[] = [];
  const seen = new Map<string, number>();
  let version: string | null = null;
  let versionSupported = false;
  let rootLang: string | null = null;
  let depth = 0;

  let act: ActivityBuilder | null = null;
  let tx: TxBuilder | null = null;
  let budget: BudgetBuilder | null = null;
  let txCount = 0;
  // The org element being read and the depth of its element.
  let org: OrgBuilder | null = null;
  // Where the narratives of the element at narrativeDepth go.
  let narratives: IatiNarrative[] | null = null;
  let narrativeDepth = 0;
  // Text being collected for the element at captureDepth.
  let text: string | null = null;
  let captureDepth = 0;
  let captureLang: string | null = null;
  let capture: 'identifier' | 'narrative' | 'tx-value' | 'budget-value' | null = null;

  const startCapture = (kind: typeof capture, lang: string | null = null) => {
    capture = kind;
    captureDepth = depth;
    captureLang = lang;
    text = '';
  };

  parser.on('opentag', (tag) => {
    depth++;
    const name = tag.name;
    if (depth === 1) {
      version = checkRoot(tag, parser.line, attr);
      versionSupported = (SUPPORTED_VERSIONS as readonly string[]).includes(version ?? '');
      rootLang = opt(attr(tag, 'xml:lang'));
      return;
    }
    if (depth === 2) {
      if (name === 'iati-activity') {
        act = {
          line: parser.line,
          lang: opt(attr(tag, 'xml:lang')) ?? rootLang,
          identifier: null,
          defaultCurrency: opt(attr(tag, 'default-currency')?.trim()),
          humanitarian: bool(attr(tag, 'humanitarian')),
          reportingOrg: null,
          participatingOrgs: [],
          titles: [],
          descriptions: [],
          activityStatus: null,
          activityDates: [],
          budgets: [],
          transactions: [],
        };
        txCount = 0;
      }
      return;
    }
    if (!act) return;
    if (name === 'narrative') {
      if (narratives && depth === narrativeDepth + 1) startCapture('narrative', opt(attr(tag, 'xml:lang')));
      return;
    }
    if (depth === 3) {
      switch (name) {
        case 'iati-identifier':
          startCapture('identifier');
          break;
        case 'reporting-org':
        case 'participating-org':
          org = { ref: opt(attr(tag, 'ref')?.trim()), type: opt(attr(tag, 'type')), role: opt(attr(tag, 'role')), names: [] };
          if (name === 'reporting-org') act.reportingOrg = org;
          else act.participatingOrgs.push(org);
          narratives = org.names;
          narrativeDepth = depth;
          break;
        case 'title':
          narratives = act.titles;
          narrativeDepth = depth;
          break;
        case 'description': {
          const type = attr(tag, 'type');
          if ((type === undefined || type === '1') && act.descriptions.length === 0) {
            narratives = act.descriptions;
            narrativeDepth = depth;
          }
          break;
        }
        case 'activity-status':
          act.activityStatus = opt(attr(tag, 'code'));
          break;
        case 'activity-date': {
          const type = attr(tag, 'type');
          const date = isoDate(attr(tag, 'iso-date'));
          if (type && date) act.activityDates.push({ type, date });
          break;
        }
        case 'budget':
          budget = {
            line: parser.line,
            type: opt(attr(tag, 'type')),
            status: opt(attr(tag, 'status')),
            periodStart: undefined,
            periodEnd: undefined,
            value: null,
            currency: undefined,
            valueDate: undefined,
          };
          break;
        case 'transaction':
          tx = {
            ref: opt(attr(tag, 'ref')?.trim()),
            index: txCount++,
            line: parser.line,
            typeCode: null,
            date: undefined,
            value: null,
            currency: undefined,
            valueDate: undefined,
            provider: null,
            receiver: null,
            descriptions: [],
          };
          break;
      }
      return;
    }
    if (depth === 4 && tx) {
      switch (name) {
        case 'transaction-type':
          tx.typeCode = attr(tag, 'code')?.trim() ?? null;
          break;
        case 'transaction-date':
          tx.date = attr(tag, 'iso-date');
          break;
        case 'value':
          tx.currency = attr(tag, 'currency');
          tx.valueDate = attr(tag, 'value-date');
          startCapture('tx-value');
          break;
        case 'description':
          narratives = tx.descriptions;
          narrativeDepth = depth;
          break;
        case 'provider-org':
        case 'receiver-org':
          org = { ref: opt(attr(tag, 'ref')?.trim()), type: opt(attr(tag, 'type')), role: null, names: [] };
          if (name === 'provider-org') tx.provider = org;
          else tx.receiver = org;
          narratives = org.names;
          narrativeDepth = depth;
          break;
      }
      return;
    }
    if (depth === 4 && budget) {
      switch (name) {
        case 'period-start':
          budget.periodStart = attr(tag, 'iso-date');
          break;
        case 'period-end':
          budget.periodEnd = attr(tag, 'iso-date');
          break;
        case 'value':
          budget.currency = attr(tag, 'currency');
          budget.valueDate = attr(tag, 'value-date');
          startCapture('budget-value');
          break;
      }
    }
  });

  parser.on('text', (chunk) => {
    if (text !== null) text += chunk;
  });
  parser.on('cdata', (chunk) => {
    if (text !== null) text += chunk;
  });

  parser.on('closetag', () => {
    if (text !== null && depth === captureDepth) {
      const value = restore(text);
      text = null;
      switch (capture) {
        case 'identifier':
          act!.identifier = value.trim() || null;
          break;
        case 'narrative': {
          const trimmed = value.trim();
          if (trimmed && narratives) narratives.push({ lang: captureLang, text: trimmed });
          break;
        }
        case 'tx-value':
          tx!.value = value;
          break;
        case 'budget-value':
          budget!.value = value;
          break;
      }
      capture = null;
    }
    if (narratives && depth === narrativeDepth) {
      narratives = null;
      org = null;
    }
    if (depth === 3 && act) {
      if (tx) {
        act.transactions.push(tx);
        tx = null;
      } else if (budget) {
        act.budgets.push(budget);
        budget = null;
      }
    } else if (depth === 2 && act) {
      finishActivity(act, version, versionSupported, seen, out);
      act = null;
    }
    depth--;
  });

  parser.on('error', (error) => {
    throw new IatiFormatError(`The file is not well-formed XML: ${error.message.replace(/^\d+:\d+: /, '')}`, parser.line);
  });

  let started = false;
  try {
    for await (const chunk of input.chunks) {
      if (chunk.length === 0) continue;
      started = true;
      parser.write(chunk);
      if (out.length) yield* out.splice(0, out.length);
    }
  } catch (error) {
    if (error instanceof XmlTextError) throw new IatiFormatError(error.message, null);
    throw error;
  }
  if (!started) throw new IatiFormatError('The file is empty', null);
  parser.close();
  if (out.length) yield* out.splice(0, out.length);
}

/** Checks the root element and returns the file's version; throws for what cannot be read at all. */
function checkRoot(tag: SaxesTagPlain, line: number, attr: (tag: SaxesTagPlain, name: string) => string | undefined): string | null {
  const local = tag.name.includes(':') ? tag.name.slice(tag.name.indexOf(':') + 1) : tag.name;
  const version = opt(attr(tag, 'version')?.trim());
  if (local === 'iati-organisations') {
    throw new IatiFormatError('This is an IATI organisation file; only activity files (<iati-activities>) can be imported', line);
  }
  if (local === 'iati-activity' || (local === 'iati-activities' && version?.startsWith('1.'))) {
    throw new IatiFormatError(
      `IATI 1.x files are not supported (${version ? `version ${version}` : 'a bare <iati-activity> root'}); only versions ${SUPPORTED_VERSIONS.join(', ')} can be imported. Convert the file to 2.0x first.`,
      line,
    );
  }
  if (tag.name !== 'iati-activities') {
    throw new IatiFormatError(`Not an IATI activity file: the root element is <${tag.name}>, not <iati-activities>`, line);
  }
  return version;
}

function finishActivity(act: ActivityBuilder, version: string | null, supported: boolean, seen: Map<string, number>, out: IatiItem[]) {
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
