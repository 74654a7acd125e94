/**
 * HXL-tagged exports (Humanitarian Exchange Language, hxlstandard.org): a header row, then a
 * row of HXL hashtags with attributes, then the data. CSV goes through `csv-stringify` and
 * XLSX through the streaming workbook writer of `exceljs`; both take rows one at a time from
 * any iterable or async iterable, so an export of any size streams.
 *
 * Money stays exact: in CSV an amount is written as its decimal string; in XLSX it becomes a
 * number cell only when the number prints back as exactly the same decimal (otherwise a text
 * cell), so a spreadsheet can sum it without a cent being changed.
 *
 * Spreadsheet formula injection (OWASP "CSV injection"): a CSV text cell that begins with
 * `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading `'`, which
 * spreadsheets take as "this is text" and do not run. An amount column is exempt when the cell
 * is a plain decimal number (`-125.5`): a spreadsheet reads it as a number, which cannot run
 * anything, and a negative amount (a reversal) stays a number people can sum. In XLSX every
 * text is a string cell, which a spreadsheet never runs, so text is written as it is.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { canonicalDecimal } from '../../../../shared/money.ts';
import type { FtsFlow } from './fts-read.ts';

export type HxlValue = string | number | null;

export interface HxlColumn<Row> {
  header: string;
  /** An HXL hashtag with its attributes, e.g. `#org+funder+name`. */
  tag: string;
  value: (row: Row) => HxlValue;
  /** The value is an exact decimal amount. */
  amount?: boolean;
}

// A hashtag and attributes: letters, digits and underscores, starting with a letter.
const HASHTAG = /^#[a-z][a-z0-9_]*(?:\s*\+[a-z][a-z0-9_]*)*$/;

/** Whether the text is an HXL hashtag with optional attributes (`#org+funder+name`). */
export function isHxlHashtag(text: string): boolean {
  return HASHTAG.test(text);
}

export class HxlError extends Error {
  override name = 'HxlError';
}

function checkColumns(columns: HxlColumn<never>[]) {
  if (columns.length === 0) throw new HxlError('An HXL export needs at least one column');
  for (const c of columns)
    if (!isHxlHashtag(c.tag)) throw new HxlError(`"${c.tag}" is not an HXL hashtag with attributes (like #org+funder+name)`);
}

async function* records<Row>(
  rows: Iterable<Row> | AsyncIterable<Row>,
  columns: HxlColumn<Row>[],
  cell: (c: HxlColumn<Row>, v: HxlValue) => unknown,
) {
  yield columns.map((c) => c.header);
  yield columns.map((c) => c.tag);
  for await (const row of rows) yield columns.map((c) => cell(c, c.value(row)));
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A CSV cell that no spreadsheet will run as a formula (see the header). */
export function csvCell(value: HxlValue, amount = false): string | number {
  if (value === null) return '';
  if (typeof value === 'number') return value;
  if (amount && PLAIN_DECIMAL.test(value)) return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The HXL CSV as a readable stream of text. */
export function hxlCsv<Row>(rows: Iterable<Row> | AsyncIterable<Row>, columns: HxlColumn<Row>[]): Readable {
  checkColumns(columns);
  const stringifier = stringify({ record_delimiter: '\r\n' });
  pipeline(Readable.from(records(rows, columns, (c, v) => csvCell(v, c.amount))), stringifier).catch((error) => stringifier.destroy(error));
  return stringifier;
}

export async function writeHxlCsv<Row>(
  rows: Iterable<Row> | AsyncIterable<Row>,
  columns: HxlColumn<Row>[],
  destination: Writable,
): Promise<void> {
  await pipeline(hxlCsv(rows, columns), destination);
}

/** A number when the decimal prints back exactly, else the decimal text. */
function amountCell(value: HxlValue): string | number | null {
  if (value === null || typeof value === 'number') return value;
  const canonical = canonicalDecimal(value);
  if (canonical === null) return value;
  const number = Number(canonical);
  return String(number) === canonical ? number : canonical;
}

export interface HxlXlsxOptions {
  sheetName?: string;
  /** Lay the sheet out right to left (for an Arabic export). */
  rightToLeft?: boolean;
}

/** The same rows as an XLSX workbook (one sheet, header and hashtag rows frozen at the top). */
export async function writeHxlXlsx<Row>(
  rows: Iterable<Row> | AsyncIterable<Row>,
  columns: HxlColumn<Row>[],
  destination: Writable,
  options: HxlXlsxOptions = {},
): Promise<void> {
  checkColumns(columns);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: destination, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(options.sheetName ?? 'Data', {
    views: [{ state: 'frozen', ySplit: 2, rightToLeft: options.rightToLeft ?? false }],
  });
  sheet.columns = columns.map((c) => ({ key: c.tag, width: Math.min(48, Math.max(12, c.header.length + 2)) }));
  let n = 0;
  for await (const values of records(rows, columns, (c, v) => (c.amount ? amountCell(v) : v))) {
    const row = sheet.addRow(values);
    if (n++ < 2) row.font = { bold: true };
    row.commit();
  }
  sheet.commit();
  await workbook.commit();
}

/** A funding flow as a row of the mission's HXL funding export. */
export interface FundingHxlRow {
  reference: string;
  date: string | null;
  /** pledge, commitment or paid (FTS terms), or the ledger's own status words. */
  status: string;
  donor: string | null;
  donorCode: string | null;
  recipient: string | null;
  recipientCode: string | null;
  sector: string | null;
  amountUsd: string | null;
  amount: string | null;
  currency: string | null;
  description: string | null;
  /** For a reversal: the reference of the entry it reverses. */
  reverses: string | null;
}

/**
 * The funding export's columns. Hashtags follow the HXL dictionary: #org with +funder for the
 * donor and +impl for the organisation receiving and implementing, +name and +code;
 * #sector+cluster; #value+funding with +usd for the US dollar amount (as OCHA's FTS exports on
 * HDX do); #currency for the original currency; #status, #date, #description, #meta+id, and
 * #meta+reverses+id on a reversal: the #meta+id of the entry it reverses.
 */
export const FUNDING_HXL_COLUMNS: HxlColumn<FundingHxlRow>[] = [
  { header: 'Reference', tag: '#meta+id', value: (r) => r.reference },
  { header: 'Date', tag: '#date', value: (r) => r.date },
  { header: 'Status', tag: '#status', value: (r) => r.status },
  { header: 'Donor', tag: '#org+funder+name', value: (r) => r.donor },
  { header: 'Donor code', tag: '#org+funder+code', value: (r) => r.donorCode },
  { header: 'Recipient', tag: '#org+impl+name', value: (r) => r.recipient },
  { header: 'Recipient code', tag: '#org+impl+code', value: (r) => r.recipientCode },
  { header: 'Sector', tag: '#sector+cluster+name', value: (r) => r.sector },
  { header: 'Amount (USD)', tag: '#value+funding+usd', value: (r) => r.amountUsd, amount: true },
  { header: 'Original amount', tag: '#value+funding+original', value: (r) => r.amount, amount: true },
  { header: 'Original currency', tag: '#currency', value: (r) => r.currency },
  { header: 'Description', tag: '#description', value: (r) => r.description },
  { header: 'Reverses', tag: '#meta+reverses+id', value: (r) => r.reverses },
];

export function ftsFlowToHxlRow(flow: FtsFlow): FundingHxlRow {
  return {
    reference: `FTS-${flow.id}`,
    date: flow.date,
    status: flow.status,
    donor: flow.donor?.name ?? null,
    donorCode: flow.donor?.id ?? null,
    recipient: flow.recipient?.name ?? null,
    recipientCode: flow.recipient?.id ?? null,
    sector: flow.destination.globalClusters.map((c) => c.name).join('; ') || null,
    amountUsd: flow.amountUsd,
    amount: flow.originalAmount,
    currency: flow.originalCurrency,
    description: flow.description,
    reverses: null,
  };
}
