/**
 * Streaming IATI 2.03 activity writer. Activities go in one at a time (from any iterable or
 * async iterable, e.g. a database cursor) and XML text comes out one activity at a time,
 * each built by `fast-xml-parser`'s XMLBuilder, which escapes every text and attribute
 * value (characters XML cannot carry at all are refused). Elements are written in the order
 * the 2.03 schema's sequences require; what the schema requires and an activity lacks is an IatiWriteError
 * naming the activity, before any of that activity is written.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { XMLBuilder } from 'fast-xml-parser';
import { canonicalDecimal, isCurrencyCode } from '../../../../shared/money.ts';
import type { IatiActivity, IatiBudget, IatiNarrative, IatiOrgRef, IatiTransaction } from './iati-model.ts';
import { isTransactionType } from './iati-model.ts';
import { isoDate } from './iati-normalize.ts';

export const WRITTEN_VERSION = '2.03';

export class IatiWriteError extends Error {
  override name = 'IatiWriteError';
  constructor(
    readonly identifier: string | null,
    readonly problem: string,
  ) {
    super(`Cannot write IATI activity ${identifier ?? '(no identifier)'}: ${problem}`);
  }
}

export interface IatiWriteOptions {
  /** iati-activities/@generated-datetime; now when not given. */
  generatedAt?: Date;
  /** Indented output (default true); false writes each activity on one line. */
  prettyPrint?: boolean;
}

/** Checks what the 2.03 schema requires of an activity, so a bad one fails before it is written. */
function check(a: IatiActivity): void {
  const fail = (problem: string): never => {
    throw new IatiWriteError(a.identifier || null, problem);
  };
  if (!a.identifier?.trim()) fail('it has no identifier');
  if (!a.reportingOrg.ref || !a.reportingOrg.type || !a.reportingOrg.name)
    fail('the reporting organisation needs a ref, a type and a name');
  if (!a.title && a.titles.length === 0) fail('it has no title');
  if (!a.description && a.descriptions.length === 0) fail('it has no description');
  if (a.participatingOrgs.length === 0) fail('it has no participating organisation');
  if (a.participatingOrgs.some((o) => !o.role)) fail('every participating organisation needs a role');
  if (!a.activityStatus) fail('it has no activity status');
  if (a.activityDates.length === 0) fail('it has no activity date');
  for (const d of a.activityDates) if (isoDate(d.date) !== d.date) fail(`activity date "${d.date}" is not YYYY-MM-DD`);
  if (a.defaultCurrency !== null && !isCurrencyCode(a.defaultCurrency)) fail(`default currency ${a.defaultCurrency} is not ISO 4217`);
  const money = (what: string, value: string, currency: string, ...dates: (string | null)[]) => {
    if (canonicalDecimal(value) === null) fail(`${what} value "${value}" is not a decimal number`);
    if (!isCurrencyCode(currency)) fail(`${what} currency ${currency} is not ISO 4217`);
    for (const date of dates) if (date !== null && isoDate(date) !== date) fail(`${what} date "${date}" is not YYYY-MM-DD`);
  };
  for (const b of a.budgets) money('a budget', b.value, b.currency, b.periodStart, b.periodEnd, b.valueDate);
  for (const t of a.transactions) {
    if (!isTransactionType(t.typeCode)) fail(`transaction type ${t.typeCode} is not a TransactionType code`);
    money(`transaction ${t.ref ?? `#${t.index + 1}`}`, t.value, t.currency, t.date, t.valueDate);
  }
}

type Node = Record<string, unknown>;

const narratives = (list: IatiNarrative[], fallback: string | null): Node[] =>
  (list.length > 0 ? list : fallback ? [{ lang: null, text: fallback }] : []).map((n) =>
    n.lang ? { '@_xml:lang': n.lang, '#text': n.text } : { '#text': n.text },
  );

function org(o: IatiOrgRef, extra: Node = {}): Node {
  const node: Node = { ...extra };
  if (o.ref) node['@_ref'] = o.ref;
  if (o.type) node['@_type'] = o.type;
  if (o.name) node.narrative = [{ '#text': o.name }];
  return node;
}

const budget = (b: IatiBudget): Node => ({
  ...(b.type ? { '@_type': b.type } : {}),
  ...(b.status ? { '@_status': b.status } : {}),
  'period-start': { '@_iso-date': b.periodStart },
  'period-end': { '@_iso-date': b.periodEnd },
  value: { '@_currency': b.currency, '@_value-date': b.valueDate ?? b.periodStart, '#text': canonicalDecimal(b.value)! },
});

function transaction(t: IatiTransaction): Node {
  const node: Node = {
    ...(t.ref ? { '@_ref': t.ref } : {}),
    'transaction-type': { '@_code': t.typeCode },
    'transaction-date': { '@_iso-date': t.date },
    value: { '@_currency': t.currency, '@_value-date': t.valueDate ?? t.date, '#text': canonicalDecimal(t.value)! },
  };
  if (t.descriptions.length > 0 || t.description) node.description = { narrative: narratives(t.descriptions, t.description) };
  if (t.provider) node['provider-org'] = org(t.provider);
  if (t.receiver) node['receiver-org'] = org(t.receiver);
  return node;
}

/** The activity as the builder's object; key order is element order, as the schema's sequence requires. */
function activity(a: IatiActivity): Node {
  return {
    ...(a.defaultCurrency ? { '@_default-currency': a.defaultCurrency } : {}),
    ...(a.humanitarian !== null ? { '@_humanitarian': a.humanitarian ? '1' : '0' } : {}),
    '@_xml:lang': a.lang ?? 'en',
    'iati-identifier': a.identifier,
    'reporting-org': org(a.reportingOrg),
    title: { narrative: narratives(a.titles, a.title) },
    description: { '@_type': '1', narrative: narratives(a.descriptions, a.description) },
    'participating-org': a.participatingOrgs.map((p) => org(p, { '@_role': p.role })),
    'activity-status': { '@_code': a.activityStatus },
    'activity-date': a.activityDates.map((d) => ({ '@_type': d.type, '@_iso-date': d.date })),
    budget: a.budgets.map(budget),
    transaction: a.transactions.map(transaction),
  };
}

// Characters XML 1.0 cannot carry, escaped or not: C0 controls other than tab, line feed and
// carriage return, U+FFFE and U+FFFF, and halves of surrogate pairs on their own.
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is its purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * IATI 2.03 XML for the activities, as text chunks (the declaration and root first, then one
 * chunk per activity, then the closing tag). Nothing is held beyond the current activity.
 */
export async function* writeIati(
  activities: Iterable<IatiActivity> | AsyncIterable<IatiActivity>,
  options: IatiWriteOptions = {},
): AsyncGenerator<string> {
  const pretty = options.prettyPrint ?? true;
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: pretty,
    indentBy: '  ',
    suppressEmptyNode: true,
    processEntities: true,
  });
  const generated = (options.generatedAt ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="${WRITTEN_VERSION}" generated-datetime="${generated}">\n`;
  for await (const a of activities) {
    check(a);
    const xml: string = builder.build({ 'iati-activity': activity(a) });
    const bad = NOT_XML.exec(xml);
    if (bad) {
      const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      throw new IatiWriteError(a.identifier, `its text holds the character U+${code}, which XML cannot carry`);
    }
    yield pretty ? xml : `${xml}\n`;
  }
  yield '</iati-activities>\n';
}

/** writeIati into a Writable (a file, an HTTP response), respecting its back-pressure. */
export async function writeIatiTo(
  activities: Iterable<IatiActivity> | AsyncIterable<IatiActivity>,
  destination: Writable,
  options: IatiWriteOptions = {},
): Promise<void> {
  await pipeline(Readable.from(writeIati(activities, options)), destination);
}
