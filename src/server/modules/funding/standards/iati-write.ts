/**
 * Streaming IATI 2.03 activity writer. Activities go in one at a time (from any iterable or
 * async iterable, e.g. a database cursor) and XML text comes out one activity at a time,
 * built by `xmlbuilder2`'s callback builder, which escapes every text and attribute and
 * refuses characters XML cannot carry. Elements are written in the order the 2.03 schema's
 * sequences require; what the schema requires and an activity lacks is an IatiWriteError
 * naming the activity, before any of that activity is written.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createCB } from 'xmlbuilder2';
import type { IatiActivity, IatiBudget, IatiNarrative, IatiOrgRef, IatiTransaction } from './iati-model.ts';
import { isTransactionType } from './iati-model.ts';
import { isoDate } from './iati-read.ts';
import { canonicalDecimal, isCurrencyCode } from './money.ts';

export const WRITTEN_VERSION = '2.03';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
type XMLBuilderCB = ReturnType<typeof createCB>;

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

function narratives(x: XMLBuilderCB, list: IatiNarrative[], fallback: string | null) {
  const items = list.length > 0 ? list : fallback ? [{ lang: null, text: fallback }] : [];
  for (const n of items) {
    x.ele('narrative');
    if (n.lang) x.att(XML_NS, 'xml:lang', n.lang);
    x.txt(n.text).up();
  }
}

function org(x: XMLBuilderCB, name: string, o: IatiOrgRef, extra: Record<string, string> = {}) {
  const attributes: Record<string, string> = { ...extra };
  if (o.ref) attributes.ref = o.ref;
  if (o.type) attributes.type = o.type;
  x.ele(name, attributes);
  if (o.name) x.ele('narrative').txt(o.name).up();
  x.up();
}

function budget(x: XMLBuilderCB, b: IatiBudget) {
  const attributes: Record<string, string> = {};
  if (b.type) attributes.type = b.type;
  if (b.status) attributes.status = b.status;
  x.ele('budget', attributes);
  x.ele('period-start', { 'iso-date': b.periodStart }).up();
  x.ele('period-end', { 'iso-date': b.periodEnd }).up();
  x.ele('value', { currency: b.currency, 'value-date': b.valueDate ?? b.periodStart })
    .txt(canonicalDecimal(b.value)!)
    .up();
  x.up();
}

function transaction(x: XMLBuilderCB, t: IatiTransaction) {
  x.ele('transaction', t.ref ? { ref: t.ref } : {});
  x.ele('transaction-type', { code: t.typeCode }).up();
  x.ele('transaction-date', { 'iso-date': t.date }).up();
  x.ele('value', { currency: t.currency, 'value-date': t.valueDate ?? t.date })
    .txt(canonicalDecimal(t.value)!)
    .up();
  if (t.descriptions.length > 0 || t.description) {
    x.ele('description');
    narratives(x, t.descriptions, t.description);
    x.up();
  }
  if (t.provider) org(x, 'provider-org', t.provider);
  if (t.receiver) org(x, 'receiver-org', t.receiver);
  x.up();
}

function activity(x: XMLBuilderCB, a: IatiActivity) {
  const attributes: Record<string, string> = {};
  if (a.defaultCurrency) attributes['default-currency'] = a.defaultCurrency;
  if (a.humanitarian !== null) attributes.humanitarian = a.humanitarian ? '1' : '0';
  x.ele('iati-activity', attributes).att(XML_NS, 'xml:lang', a.lang ?? 'en');
  x.ele('iati-identifier').txt(a.identifier).up();
  org(x, 'reporting-org', a.reportingOrg);
  x.ele('title');
  narratives(x, a.titles, a.title);
  x.up();
  x.ele('description', { type: '1' });
  narratives(x, a.descriptions, a.description);
  x.up();
  for (const p of a.participatingOrgs) org(x, 'participating-org', p, { role: p.role! });
  x.ele('activity-status', { code: a.activityStatus! }).up();
  for (const d of a.activityDates) x.ele('activity-date', { type: d.type, 'iso-date': d.date }).up();
  for (const b of a.budgets) budget(x, b);
  for (const t of a.transactions) transaction(x, t);
  x.up();
}

/**
 * IATI 2.03 XML for the activities, as text chunks (the declaration and root first, then one
 * chunk per activity, then the closing tag). Nothing is held beyond the current activity.
 */
export async function* writeIati(
  activities: Iterable<IatiActivity> | AsyncIterable<IatiActivity>,
  options: IatiWriteOptions = {},
): AsyncGenerator<string> {
  const chunks: string[] = [];
  const flush = () => chunks.splice(0, chunks.length).join('');
  const x = createCB({ data: (chunk: string) => chunks.push(chunk), prettyPrint: options.prettyPrint ?? true, wellFormed: true });
  const generated = (options.generatedAt ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  x.dec({ version: '1.0', encoding: 'UTF-8' }).ele('iati-activities', { version: WRITTEN_VERSION, 'generated-datetime': generated });
  yield flush();
  for await (const a of activities) {
    check(a);
    try {
      activity(x, a);
    } catch (error) {
      throw new IatiWriteError(a.identifier, error instanceof Error ? error.message : String(error));
    }
    yield flush();
  }
  x.up().end();
  yield flush();
}

/** writeIati into a Writable (a file, an HTTP response), respecting its back-pressure. */
export async function writeIatiTo(
  activities: Iterable<IatiActivity> | AsyncIterable<IatiActivity>,
  destination: Writable,
  options: IatiWriteOptions = {},
): Promise<void> {
  await pipeline(Readable.from(writeIati(activities, options)), destination);
}
