/**
 * Funding through the public standards, over HTTP: the IATI samples and the FTS sample
 * import as reported flows with the counts and totals of the files (computed here straight
 * from the files), a second import adds nothing, and the scenario's funding exports as IATI
 * 2.03 that the official schema accepts, and as HXL CSV and XLSX.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { buildApp, type ConcordApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { DEMO_PASSWORD } from '../../src/server/scenario/gaza.ts';
import { prepareDatabase } from '../../src/server/server.ts';
import { Client } from '../support/test-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const SHARED = join(import.meta.dirname, '../../../shared');
const HAS_SHARED = existsSync(SHARED);
const SKIP = 'skipped: ../shared not found';

let testDb: TestDb;
let app: ConcordApp;
let donor: Client;

beforeAll(async () => {
  testDb = await createTestDb();
  await prepareDatabase(testDb.db, 'gaza');
  app = await buildApp({ db: testDb.db, config: { ...loadConfig({}), seed: 'gaza' } });
  donor = new Client(app);
  const signedIn = await donor.signIn('donor@concord.example', DEMO_PASSWORD);
  expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
}, 180_000);
afterAll(async () => {
  await app?.close();
  await testDb?.drop();
});

const importFile = (format: 'iati' | 'fts', body: string) =>
  donor.request('POST', `/api/funding/imports/${format}`, body, {
    'content-type': format === 'iati' ? 'application/xml' : 'application/json',
  });

/** Exact sum of decimal strings as a string with two decimals. */
function sum(values: string[]): string {
  const cents = values.reduce((total, v) => {
    const negative = v.trim().startsWith('-');
    const [whole, fraction = ''] = v.trim().replace(/^[-+]/, '').split('.');
    const c = BigInt(whole || '0') * 100n + BigInt(`${fraction}00`.slice(0, 2));
    return total + (negative ? -c : c);
  }, 0n);
  const abs = cents < 0n ? -cents : cents;
  return `${cents < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

describe.skipIf(!HAS_SHARED)(`the IATI samples (${HAS_SHARED ? 'from ../shared' : SKIP})`, () => {
  it('imports the DFID Haiti file (IATI 2.01) with one reported flow per transaction, and nothing more the second time', async () => {
    const xml = readFileSync(join(SHARED, 'samples/iati/dfid-haiti-v2.01.xml'), 'utf8');
    // Each <transaction> element, and its type code, counted straight from the text.
    const types = [...xml.matchAll(/<transaction\b[\s\S]*?<transaction-type[^>]*code="(\d+)"/g)].map((m) => m[1]);
    const first = await importFile('iati', xml);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.transactions).toBe(types.length);
    expect(first.body.imported + first.body.skipped).toBeGreaterThanOrEqual(types.length);
    expect(first.body.imported).toBe(types.length);
    const counted = (codes: string[]) => types.filter((t) => codes.includes(t)).length;
    const figure = (status: string, direction: string) =>
      first.body.figures.find((f: { status: string; direction: string }) => f.status === status && f.direction === direction)?.count ?? 0;
    // DFID reports its own commitments, disbursements and spending: all outgoing.
    expect(figure('commitment', 'outgoing')).toBe(counted(['2']));
    expect(figure('paid', 'outgoing')).toBe(counted(['3']));
    expect(figure('paid', 'incoming')).toBe(counted(['1']));
    expect(figure('expenditure', 'outgoing')).toBe(counted(['4']));

    const again = await importFile('iati', xml);
    expect(again.body).toMatchObject({ imported: 0, alreadyImported: types.length });
    const listed = await donor.get('/api/funding/reported-flows?source=iati&pageSize=100');
    expect(listed.body.total).toBe(types.length);
  });

  it('refuses a file that is not IATI with a clear problem and imports nothing', async () => {
    const response = await importFile('iati', '<html><body>not IATI</body></html>');
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('funding.import-refused');
    expect(response.body.detail).toBe('Not an IATI activity file: the root element is <html>, not <iati-activities> (line 1)');
  });
});

describe.skipIf(!HAS_SHARED)(`the OCHA FTS sample (${HAS_SHARED ? 'from ../shared' : SKIP})`, () => {
  it('imports every flow, with totals per status equal to the sums in the file', async () => {
    const text = readFileSync(join(SHARED, 'samples/fts/flows-opt-2020-page-3.json'), 'utf8');
    const flows: { status: string; amountUSD: number | string; boundary: string }[] = JSON.parse(text).data.flows;
    const response = await importFile('fts', text);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.imported).toBe(flows.length);
    for (const status of ['pledge', 'commitment', 'paid'])
      for (const boundary of ['incoming', 'outgoing', 'internal']) {
        const ofStatus = flows.filter((f) => f.status === status && f.boundary === boundary).map((f) => String(f.amountUSD));
        if (!ofStatus.length) continue;
        const figure = response.body.figures.find(
          (f: { status: string; direction: string }) => f.status === status && f.direction === boundary,
        );
        expect(figure, `${status} ${boundary}`).toEqual({
          status,
          direction: boundary,
          count: ofStatus.length,
          usd: sum(ofStatus),
          unconverted: { count: 0, amounts: [] },
        });
      }
    expect((await importFile('fts', text)).body).toMatchObject({ imported: 0, alreadyImported: flows.length });
  });
});

describe('exports of the scenario', () => {
  it.skipIf(!HAS_SHARED)(`IATI 2.03 that the official schema accepts${HAS_SHARED ? '' : ` (${SKIP})`}`, async () => {
    const response = await donor.get('/api/funding/exports/iati');
    expect(response.status).toBe(200);
    const xml = response.body as string;
    expect(xml).toContain('<iati-activities version="2.03"');
    expect(xml).toMatch(/<transaction-type code="13"/); // the pledges
    expect(xml).toMatch(/<transaction-type code="1"/); // receipts
    expect(xml).toMatch(/<transaction-type code="3"/); // disbursements
    const schemas = join(SHARED, 'standards/iati-2.03');
    const read = (name: string) => readFileSync(join(schemas, name), 'utf8');
    const result = await validateXML({
      xml: [{ fileName: 'export.xml', contents: xml }],
      schema: [{ fileName: 'iati-activities-schema.xsd', contents: read('iati-activities-schema.xsd') }],
      preload: [
        { fileName: 'iati-common.xsd', contents: read('iati-common.xsd') },
        { fileName: 'xml.xsd', contents: read('xml.xsd') },
      ],
    });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('HXL CSV with the hashtag row and one row per movement, pledge and agreement', async () => {
    const response = await donor.get('/api/funding/exports/hxl');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/csv/);
    const rows: string[][] = parse(response.body as string);
    expect(rows[1]).toContain('#value+funding+usd');
    const counts = await testDb.db.query<{ n: number }>(
      'select (select count(*) from ledger_transactions) + (select count(*) from pledges) + (select count(*) from funding_agreements) as n',
    );
    expect(rows.length - 2).toBe(Number(counts.rows[0].n));
  });

  it('XLSX with the same rows', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/funding/exports/xlsx', headers: { cookie: donor.cookie! } });
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(2).values).toContain('#org+funder+name');
    const hxl = await donor.get('/api/funding/exports/hxl');
    expect(sheet.rowCount).toBe(parse(hxl.body as string).length);
  });
});
