import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { type IatiActivity, transactionKeys } from './iati-model.ts';
import { emptySummary, IatiFormatError, type IatiItem, readIati, tally } from './iati-read.ts';
import { writeIati } from './iati-write.ts';
import { missionActivity, SHARED_DIR, SHARED_PRESENT, SHARED_SKIP } from './test-fixtures.ts';

const SAMPLES = join(SHARED_DIR, 'samples/iati');
const SCHEMAS = join(SHARED_DIR, 'standards/iati-2.03');

async function readAll(source: AsyncIterable<string | Uint8Array> | string): Promise<IatiItem[]> {
  const items: IatiItem[] = [];
  const input = typeof source === 'string' ? Readable.from([Buffer.from(source)]) : source;
  for await (const item of readIati(input)) items.push(item);
  return items;
}
const activitiesOf = (items: IatiItem[]) => items.flatMap((i) => (i.kind === 'activity' ? [i.activity] : []));
const skipsOf = (items: IatiItem[]) => items.flatMap((i) => (i.kind === 'skip' ? [i.skip] : []));

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

/** Exact decimal sum, written out here so that it shares nothing with the code under test. */
function addDecimal(a: string, b: string): string {
  const scale = 6;
  const units = (s: string) => {
    const negative = s.trim().startsWith('-');
    const [whole, fraction = ''] = s.trim().replace(/^[+-]/, '').split('.');
    const n = BigInt((whole || '0') + fraction.padEnd(scale, '0'));
    return negative ? -n : n;
  };
  const total = units(a) + units(b);
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
  return negative ? `-${text}` : text;
}

/** Counts and totals per transaction type and currency, from a DOM parse of the raw file. */
function expectedFromDom(xml: string) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const activities = Array.from(doc.getElementsByTagName('iati-activity'));
  const byType: Record<string, number> = {};
  const totals: Record<string, string> = {};
  for (const activity of activities) {
    const fallback = activity.getAttribute('default-currency');
    for (const tx of Array.from(activity.getElementsByTagName('transaction')) as Element[]) {
      const type = tx.getElementsByTagName('transaction-type')[0].getAttribute('code')!;
      const value = tx.getElementsByTagName('value')[0];
      const currency = value.getAttribute('currency') || fallback!;
      byType[type] = (byType[type] ?? 0) + 1;
      const key = `${type} ${currency}`;
      totals[key] = addDecimal(totals[key] ?? '0', value.textContent!);
    }
  }
  return { activities: activities.length, byType, totals };
}

function observed(activities: IatiActivity[]) {
  const byType: Record<string, number> = {};
  const totals: Record<string, string> = {};
  for (const a of activities) {
    for (const t of a.transactions) {
      byType[t.typeCode] = (byType[t.typeCode] ?? 0) + 1;
      const key = `${t.typeCode} ${t.currency}`;
      totals[key] = addDecimal(totals[key] ?? '0', t.value);
    }
  }
  return { activities: activities.length, byType, totals };
}

async function validate(xml: string) {
  const read = (name: string) => readFileSync(join(SCHEMAS, name), 'utf8');
  return validateXML({
    xml: [{ fileName: 'export.xml', contents: xml }],
    schema: [{ fileName: 'iati-activities-schema.xsd', contents: read('iati-activities-schema.xsd') }],
    preload: [
      { fileName: 'iati-common.xsd', contents: read('iati-common.xsd') },
      { fileName: 'xml.xsd', contents: read('xml.xsd') },
    ],
  });
}

describe.skipIf(!SHARED_PRESENT)(`IATI samples in ../shared (${SHARED_PRESENT ? 'present' : SHARED_SKIP})`, () => {
  it.each(['dfid-haiti-v2.01.xml', 'activity-standard-example-annotated.xml'])(
    '%s imports every activity and transaction, with counts and totals equal to a DOM parse of the file',
    async (file) => {
      const xml = readFileSync(join(SAMPLES, file), 'utf8');
      const expected = expectedFromDom(xml);
      const items = await readAll(createReadStream(join(SAMPLES, file), { highWaterMark: 4096 }));
      expect(skipsOf(items)).toEqual([]);
      expect(observed(activitiesOf(items))).toEqual(expected);
      expect(expected.activities).toBeGreaterThan(0);
    },
  );

  it('reads the DFID 2.01 file in tiny chunks exactly as in one piece, with its details', async () => {
    const bytes = readFileSync(join(SAMPLES, 'dfid-haiti-v2.01.xml'));
    const whole = activitiesOf(await readAll(Readable.from([bytes])));
    // 7-byte chunks split tags, entities and multi-byte characters (’ and £ are in the file).
    const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    expect(activitiesOf(await readAll(Readable.from(pieces)))).toEqual(whole);
    const relief = whole.find((a) => a.identifier === 'GB-1-110948-107')!;
    expect(relief.version).toBe('2.01');
    expect(relief.title).toBe('Haiti Debt Relief');
    expect(relief.reportingOrg).toEqual({ ref: 'GB-GOV-1', name: 'Department for International Development', type: '10' });
    expect(relief.transactions[1]).toMatchObject({
      typeCode: '4',
      date: '2011-01-28',
      value: '1706130',
      currency: 'GBP',
      receiver: { ref: '41108', name: 'IFAD (USD)', type: null },
    });
    // The commitment has no value/@currency: the activity's default-currency applies.
    expect(relief.transactions[0]).toMatchObject({ typeCode: '2', currency: 'GBP', value: '6000000' });
    expect(relief.budgets.map((b) => b.value)).toEqual(['6000000', '-4293870', '4293870']);
    expect(whole.some((a) => a.transactions.some((t) => t.description === 'Technical & Advisory services'))).toBe(true);
  });

  it('the annotated 2.03 example: narratives per language, transaction ref, provider and receiver', async () => {
    const [activity] = activitiesOf(await readAll(Readable.from([readFileSync(join(SAMPLES, 'activity-standard-example-annotated.xml'))])));
    expect(activity).toMatchObject({ identifier: 'AA-AAA-123456789-ABC123', version: '2.03', humanitarian: true, defaultCurrency: 'USD' });
    expect(activity.titles.map((t) => t.lang)).toEqual([null, 'fr', 'es']);
    expect(activity.transactions).toEqual([
      expect.objectContaining({
        ref: '1234',
        typeCode: '1',
        value: '1000',
        currency: 'EUR',
        provider: { ref: 'BB-BBB-123456789', name: 'Agency B', type: '10' },
        receiver: { ref: 'AA-AAA-123456789', name: 'Agency A', type: '23' },
      }),
    ]);
    expect(activity.budgets).toEqual([
      {
        type: '1',
        status: '1',
        periodStart: '2014-01-01',
        periodEnd: '2014-12-31',
        value: '3000',
        currency: 'EUR',
        valueDate: '2014-01-01',
      },
    ]);
  });

  it('refuses the 1.x worked example with a clear error', async () => {
    const bytes = readFileSync(join(SAMPLES, 'worked-example.xml'));
    await expect(readAll(Readable.from([bytes]))).rejects.toThrow(/IATI 1\.x files are not supported/);
  });

  it('the export of realistic mission funding validates against the official IATI 2.03 schema', async () => {
    const xml = await collect(writeIati(Array.from({ length: 25 }, (_, i) => missionActivity(i))));
    const result = await validate(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    for (const code of ['1', '2', '3', '4', '11', '12', '13']) expect(xml).toContain(`<transaction-type code="${code}"/>`);
    expect(xml).toContain('<narrative xml:lang="ar">');
  });

  it('the validator does reject an export that breaks the schema', async () => {
    const xml = await collect(writeIati([missionActivity(1)]));
    const broken = xml.replace('<activity-status code="2"/>', '');
    expect((await validate(broken)).valid).toBe(false);
  });
});

describe('IATI write and read', () => {
  it('round trip: what is written reads back as the same activities', async () => {
    const activities = Array.from({ length: 40 }, (_, i) => missionActivity(i));
    const xml = await collect(writeIati(activities, { generatedAt: new Date('2026-01-01T00:00:00Z') }));
    const back = activitiesOf(await readAll(xml));
    expect(back.map(({ line, ...a }) => a)).toEqual(activities.map(({ line, ...a }) => a));
    expect(back.every((a) => a.line > 0)).toBe(true);
  });

  it('escapes markup in text and refuses characters XML cannot carry', async () => {
    const a = missionActivity(3);
    a.title = 'Pipes <&> "quotes" ]]>\n  second line';
    a.titles = [{ lang: null, text: a.title }];
    const xml = await collect(writeIati([a]));
    expect(activitiesOf(await readAll(xml))[0].title).toBe('Pipes <&> "quotes" ]]>\n  second line');
    const bad = missionActivity(4);
    bad.titles = [{ lang: null, text: 'bell \u0007' }];
    await expect(collect(writeIati([bad]))).rejects.toThrow(
      `Cannot write IATI activity ${bad.identifier}: its text holds the character U+0007`,
    );
  });

  it('says which activity lacks what the schema requires', async () => {
    const a = missionActivity(5);
    a.activityDates = [];
    await expect(collect(writeIati([a]))).rejects.toThrow(`Cannot write IATI activity ${a.identifier}: it has no activity date`);
    const b = missionActivity(6);
    b.transactions[0].value = '12,5';
    await expect(collect(writeIati([b]))).rejects.toThrow(/value "12,5" is not a decimal number/);
  });
});

const file = (activities: string, version = '2.03') => `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="${version}" xmlns:x="http://example.org/x">
${activities}
</iati-activities>`;

const activity = (id: string | null, transactions: string, extra = '') => `<iati-activity default-currency="USD">
  ${id === null ? '' : `<iati-identifier>${id}</iati-identifier>`}
  <reporting-org ref="XM-1" type="40"><narrative>Mission</narrative></reporting-org>
  <x:unknown><narrative>not a title</narrative></x:unknown>
  ${extra}
  ${transactions}
</iati-activity>`;

const transaction = (ref: string | null, type: string, date: string, value: string, currency = '') =>
  `<transaction${ref ? ` ref="${ref}"` : ''}><transaction-type code="${type}"/><transaction-date iso-date="${date}"/><value${currency ? ` currency="${currency}"` : ''} value-date="${date}">${value}</value></transaction>`;

describe('IATI reader: problems are skips with reasons, and the file goes on', () => {
  it('skips bad transactions and activities with line numbers, keeping the rest', async () => {
    const xml = file(
      [
        activity(
          'A-1',
          [
            transaction('t1', '1', '2025-01-02', '100.50'),
            transaction('t2', '99', '2025-01-02', '1'),
            transaction('t3', '3', '2025-02-30', '1'),
            transaction('t4', '3', '2025-02-03', '1e5'),
            transaction('t5', '3', '2025-02-03', '5', 'XYZ'),
            transaction('t1', '3', '2025-02-03', '5'),
            transaction(null, '4', '2025-03-01', ' 0012.50 ', 'JOD'),
          ].join('\n'),
        ),
        activity(null, transaction('u1', '1', '2025-01-02', '7')),
        activity('A-1', transaction('v1', '1', '2025-01-02', '8')),
        activity('A-2', transaction('w1', '13', '2025-06-30', '-3')),
      ].join('\n'),
    );
    const items = await readAll(xml);
    const activities = activitiesOf(items);
    expect(activities.map((a) => a.identifier)).toEqual(['A-1', 'A-2']);
    expect(activities[0].transactions.map((t) => [t.ref, t.typeCode, t.value, t.currency, t.index])).toEqual([
      ['t1', '1', '100.5', 'USD', 0],
      [null, '4', '12.5', 'JOD', 6],
    ]);
    expect(activities[0].title).toBeNull();
    expect(activities[1].transactions[0]).toMatchObject({ typeCode: '13', value: '-3' });
    const skips = skipsOf(items);
    expect(skips.map((s) => [s.level, s.code, s.identifier, s.ref])).toEqual([
      ['transaction', 'transaction.bad-type', 'A-1', 't2'],
      ['transaction', 'transaction.bad-date', 'A-1', 't3'],
      ['transaction', 'transaction.bad-value', 'A-1', 't4'],
      ['transaction', 'transaction.bad-currency', 'A-1', 't5'],
      ['transaction', 'transaction.duplicate-ref', 'A-1', 't1'],
      ['activity', 'activity.no-identifier', null, null],
      ['activity', 'activity.duplicate', 'A-1', null],
    ]);
    const lines = xml.split('\n');
    for (const s of skips.filter((s) => s.level === 'transaction')) expect(lines[s.line - 1]).toContain(`ref="${s.ref}"`);
    expect(skips[2].reason).toBe('value "1e5" is not a decimal number');
    expect(skips[6].reason).toMatch(/already used by the activity at line 3$/);
    const summary = items.reduce(tally, emptySummary());
    expect(summary).toMatchObject({ activities: 2, transactions: 3, skipped: { activities: 2, transactions: 5, budgets: 0 } });
  });

  it('an unknown 2.x version skips every activity, saying why', async () => {
    const items = await readAll(file(activity('A-1', transaction('t1', '1', '2025-01-02', '1')), '2.99'));
    expect(activitiesOf(items)).toEqual([]);
    expect(skipsOf(items)).toMatchObject([
      { code: 'activity.unsupported-version', reason: expect.stringContaining('2.99'), transactions: 1 },
    ]);
  });

  it('a transaction without currency, where the activity has no default, is skipped', async () => {
    const xml = file(activity('A-1', transaction('t1', '1', '2025-01-02', '1')).replace(' default-currency="USD"', ''));
    expect(skipsOf(await readAll(xml))).toMatchObject([
      { code: 'transaction.bad-currency', reason: expect.stringContaining('no default-currency') },
    ]);
  });

  it('whole-file problems are errors: 1.x, organisation files, other XML, broken XML, empty input', async () => {
    await expect(readAll(file('', '1.05'))).rejects.toThrow(/IATI 1\.x files are not supported \(version 1\.05\)/);
    await expect(readAll('<iati-organisations version="2.03"/>')).rejects.toThrow(/organisation file/);
    await expect(readAll('<html/>')).rejects.toThrow(/root element is <html>/);
    const broken = file(activity('A-1', transaction('t1', '1', '2025-01-02', '1'))).replace('</reporting-org>', '');
    const error = await readAll(broken).catch((e) => e);
    expect(error).toBeInstanceOf(IatiFormatError);
    expect(error.message).toMatch(/not well-formed XML.*line \d+/);
    await expect(readAll(Readable.from([]))).rejects.toThrow('The file is empty');
  });

  it('reads an ISO-8859-1 file by its declaration, and rejects bytes that are not valid UTF-8', async () => {
    const latin = file(activity('A-1', transaction('t1', '1', '2025-01-02', '1'), '<title><narrative>Café</narrative></title>')).replace(
      'encoding="UTF-8"',
      'encoding="ISO-8859-1"',
    );
    const [a] = activitiesOf(await readAll(Readable.from([Buffer.from(latin, 'latin1')])));
    expect(a.title).toBe('Café');
    const utf8 = Buffer.from(latin.replace('ISO-8859-1', 'UTF-8'), 'latin1');
    await expect(readAll(Readable.from([utf8]))).rejects.toThrow(`The file is not valid UTF-8 text near byte ${utf8.indexOf(0xe9)}`);
  });
});

describe('IATI reader: text', () => {
  it('reads character references, entities and Arabic text split at any byte, as a DOM parser does', async () => {
    const title = '<title><narrative>Caf&#233; &#x627;&#x644;&#1605; &amp; &lt;co&gt; “quoted” مياه 😀</narrative></title>';
    const xml = file(activity('A-&#233;', transaction('t-&#x1F600;', '1', '2025-01-02', '1'), title));
    const expected = new DOMParser().parseFromString(xml, 'text/xml').getElementsByTagName('narrative')[2].textContent;
    expect(expected).toBe('Café الم & <co> “quoted” مياه 😀');
    const bytes = Buffer.from(xml);
    for (const size of [1, 2, 3, 5, 64, bytes.length]) {
      const pieces = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
      const [a] = activitiesOf(await readAll(Readable.from(pieces)));
      expect([a.title, a.identifier, a.transactions[0].ref]).toEqual([expected, 'A-é', 't-😀']);
    }
    // The same document given as text rather than bytes.
    const [fromText] = activitiesOf(await readAll(Readable.from([xml], { objectMode: true })));
    expect(fromText.title).toBe(expected);
  });
});

describe('transaction keys for idempotent import', () => {
  it('use the ref when there is one and a content digest with a repeat count otherwise', () => {
    const a = missionActivity(7);
    a.transactions = a.transactions.slice(0, 3).map((t, i) => ({ ...t, ref: i === 0 ? 'R-1' : null }));
    a.transactions[2] = { ...a.transactions[1], index: 2 };
    const keys = transactionKeys(a);
    expect(keys[0]).toBe('ref:R-1');
    expect(keys[1]).toMatch(/^sum:[\w-]{22}:0$/);
    expect(keys[2]).toBe(keys[1].replace(/:0$/, ':1'));
    // Reordering or inserting other transactions leaves the keys of the rest unchanged.
    const reordered = { transactions: [a.transactions[1], missionActivity(8).transactions[4], a.transactions[0]] };
    const again = transactionKeys(reordered);
    expect(again[0]).toBe(keys[1]);
    expect(again[2]).toBe('ref:R-1');
  });
});
