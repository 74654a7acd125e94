import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DOMParser, type Element } from '@xmldom/xmldom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { duplicateTransactions, type IatiActivity, transactionKeys } from './iati-model.ts';
import { emptySummary, IatiFormatError, type IatiItem, type IatiReadOptions, readIati, tally } from './iati-read.ts';
import { withSchemaCheck } from './iati-schema.ts';
import { writeIati } from './iati-write.ts';
import { missionActivity, SHARED_DIR, SHARED_PRESENT, SHARED_SKIP } from './test-fixtures.ts';

const SAMPLES = join(SHARED_DIR, 'samples/iati');
const SCHEMAS = join(SHARED_DIR, 'standards/iati-2.03');

async function readAll(source: AsyncIterable<string | Uint8Array> | string, options?: IatiReadOptions): Promise<IatiItem[]> {
  const items: IatiItem[] = [];
  const input = typeof source === 'string' ? Readable.from([Buffer.from(source)]) : source;
  for await (const item of readIati(input, options)) items.push(item);
  return items;
}
/** Read and checked against the official schema, as an import does. */
async function checkAll(source: string | Buffer, chunk = 1 << 16, batchBytes?: number): Promise<IatiItem[]> {
  const bytes = Buffer.from(source);
  const pieces = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) => bytes.subarray(i * chunk, (i + 1) * chunk));
  const items: IatiItem[] = [];
  for await (const item of withSchemaCheck(readIati(Readable.from(pieces), { withSource: true }), batchBytes)) items.push(item);
  return items;
}
const activitiesOf = (items: IatiItem[]) => items.flatMap((i) => (i.kind === 'activity' ? [i.activity] : []));
const invalidOf = (items: IatiItem[]) => items.flatMap((i) => (i.kind === 'invalid' ? [i.invalid] : []));
/** Transactions without the line they were read at, to compare with ones built in memory. */
const withoutLines = (a: IatiActivity) => ({ ...a, line: 0, transactions: a.transactions.map(({ line, ...t }) => t) });

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
      expect(invalidOf(items)).toEqual([]);
      // The official schema accepts every activity too (the 2.01 file with the 2.03 schema).
      expect(invalidOf(await checkAll(readFileSync(join(SAMPLES, file)), 4096, 20_000))).toEqual([]);
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
    expect(back.map(withoutLines)).toEqual(activities.map(withoutLines));
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

describe('IATI reader: an activity with any problem is invalid, with every problem listed', () => {
  it('finds two values, an impossible date, an empty provider, a bad code, currency or decimal, naming each line', async () => {
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
            transaction('t6', '3', '2025-02-03', '5').replace('</value>', '</value><value>7</value>'),
            transaction('t7', '3', '2025-02-03', '5').replace(
              '</transaction>',
              '<provider-org><narrative> </narrative></provider-org></transaction>',
            ),
            transaction('t8', '3', '2025-02-03', '1'.repeat(31)),
          ].join('\n'),
        ),
        activity(null, transaction('u1', '1', '2025-01-02', '7')),
        activity('A-2', [transaction('w1', '13', '2025-06-30', '-3'), transaction('w1', '3', '2025-07-01', '3')].join('\n')),
        activity('A-2', transaction('v1', '1', '2025-01-02', '8')),
      ].join('\n'),
    );
    const items = await readAll(xml);
    // A repeated ref is not a problem: A-2 keeps both of its w1 transactions.
    expect(activitiesOf(items).map((a) => [a.identifier, a.transactions.map((t) => [t.ref, t.typeCode, t.value])])).toEqual([
      [
        'A-2',
        [
          ['w1', '13', '-3'],
          ['w1', '3', '3'],
        ],
      ],
    ]);
    const invalid = invalidOf(items);
    expect(invalid.map((i) => [i.identifier, i.transactions])).toEqual([
      ['A-1', 8],
      [null, 1],
      ['A-2', 1],
    ]);
    const lines = xml.split('\n');
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    expect(invalid[0].problems.map((p) => [p.line, p.element, p.rule])).toEqual([
      [lineOf('ref="t2"'), 'transaction-type', 'transaction.type-code'],
      [lineOf('ref="t3"'), 'transaction-date', 'transaction.date'],
      [lineOf('ref="t3"'), 'value/@value-date', 'transaction.date'],
      [lineOf('ref="t4"'), 'value', 'transaction.value'],
      [lineOf('ref="t5"'), 'value/@currency', 'transaction.currency'],
      [lineOf('ref="t6"'), 'value', 'transaction.one-value'],
      [lineOf('ref="t7"'), 'provider-org', 'transaction.organisation'],
      [lineOf('ref="t8"'), 'value', 'transaction.value'],
    ]);
    expect(invalid[0].problems.map((p) => p.detail)).toEqual([
      'transaction-type code "99" is not a TransactionType code (1 to 13)',
      'transaction-date "2025-02-30" is not a real date',
      'value-date "2025-02-30" is not a real date',
      'value "1e5" is not a decimal number',
      'currency "XYZ" is not an ISO 4217 code',
      'the transaction has 2 value elements; the standard allows one',
      'the provider-org names no organisation (it needs a @ref or a narrative)',
      `value ${'1'.repeat(31)} has 31 digits before the decimal point (at most 30 are kept)`,
    ]);
    expect(invalid[1].problems).toMatchObject([{ rule: 'identifier.missing' }]);
    expect(invalid[2].problems[0].detail).toMatch(/^the identifier A-2 was already used by the activity at line \d+$/);
    const summary = items.reduce(tally, emptySummary());
    expect(summary).toMatchObject({ activities: 1, transactions: 2, invalid: { activities: 3, transactions: 10 } });
  });

  it('keeps every digit and decimal a value states, within 30 digits before the point and 20 after', async () => {
    const values = ['123456789012345678901234567890.12345678901234567890', '0.00001', '-7.000100'];
    const xml = file(activity('A-1', values.map((v, i) => transaction(`t${i}`, '3', '2025-01-02', v)).join('\n')));
    const [a] = activitiesOf(await readAll(xml));
    expect(a.transactions.map((t) => t.value)).toEqual(['123456789012345678901234567890.1234567890123456789', '0.00001', '-7.0001']);
    const tooFine = file(activity('A-1', transaction('t1', '3', '2025-01-02', `0.${'1'.repeat(21)}`)));
    expect(invalidOf(await readAll(tooFine))[0].problems[0].detail).toBe(
      `value 0.${'1'.repeat(21)} has 21 decimals (at most 20 are kept, and none is rounded away)`,
    );
  });

  it('a transaction without currency, where the activity has no default, makes the activity invalid', async () => {
    const xml = file(activity('A-1', transaction('t1', '1', '2025-01-02', '1')).replace(' default-currency="USD"', ''));
    expect(invalidOf(await readAll(xml))[0].problems).toMatchObject([
      { rule: 'transaction.currency', detail: 'the value has no currency and the activity has no default-currency' },
    ]);
  });
});

describe('IATI reader: what cannot be imported at all is refused in one sentence', () => {
  it('a file without a version, or with a version other than 2.01 to 2.03', async () => {
    const body = activity('A-1', transaction('t1', '1', '2025-01-02', '1'));
    await expect(readAll(file(body).replace(' version="2.03"', ''))).rejects.toThrow(
      'The file does not say which IATI version it follows (<iati-activities> has no version attribute); only versions 2.01, 2.02, 2.03 can be imported (line 2)',
    );
    await expect(readAll(file(body, '2.99'))).rejects.toThrow(
      'IATI version 2.99 cannot be imported; only versions 2.01, 2.02, 2.03 can (line 2)',
    );
    for (const version of ['2.01', '2.02']) expect(activitiesOf(await readAll(file(body, version)))).toHaveLength(1);
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

  it('hostile files: a huge text node, deep nesting or a huge activity are refused early', async () => {
    const limits = { maxTextBytes: 10_000, maxDepth: 20, maxActivityBytes: 50_000 };
    const text = file(
      activity('A-1', transaction('t1', '1', '2025-01-02', '1'), `<title><narrative>${'x'.repeat(20_000)}</narrative></title>`),
    );
    await expect(readAll(text, limits)).rejects.toThrow(/run of more than 0\.01 MB of text without markup \(from line 7\)/);
    const deep = file(activity('A-1', `<x:a>${'<x:a>'.repeat(30)}${'</x:a>'.repeat(30)}</x:a>`));
    await expect(readAll(deep, limits)).rejects.toThrow('The file nests elements more than 20 deep; an IATI file needs far fewer (line 8)');
    const big = file(activity('A-1', Array.from({ length: 400 }, (_, i) => transaction(`t${i}`, '1', '2025-01-02', '1')).join('\n')));
    await expect(readAll(big, limits)).rejects.toThrow(/The activity that starts at line 3 is larger than 0\.05 MB/);
    // Each limit holds however the file is cut into chunks.
    const pieces = Array.from({ length: 2000 }, () => Buffer.from('x'.repeat(10)));
    const chunked = Readable.from([Buffer.from('<iati-activities version="2.03"><iati-activity><title><narrative>'), ...pieces]);
    await expect(readAll(chunked, limits)).rejects.toThrow(/without markup/);
    // Many small activities are not one large one, whether or not the source is kept.
    const many = file(Array.from({ length: 300 }, (_, i) => activity(`A-${i}`, transaction('t1', '1', '2025-01-02', '1'))).join('\n'));
    expect(many.length).toBeGreaterThan(limits.maxActivityBytes * 2);
    for (const withSource of [false, true]) {
      const items = await readAll(many, { ...limits, withSource });
      expect(items.filter((item) => item.kind === 'activity')).toHaveLength(300);
    }
  });
});

describe('IATI schema validation', () => {
  it('makes an activity the official schema refuses invalid, at the line of the file, and keeps the rest', async () => {
    const good = await collect(writeIati([missionActivity(1), missionActivity(2), missionActivity(3)]));
    // The second activity loses its required activity-status; the third gets an element out of order.
    const second = missionActivity(2).identifier;
    const third = missionActivity(3).identifier;
    const start = (text: string, id: string) => text.indexOf(`<iati-identifier>${id}`);
    let xml = good.slice(0, start(good, second)) + good.slice(start(good, second)).replace(/\s*<activity-status code="2"\/>/, '');
    xml =
      xml.slice(0, start(xml, third)) +
      xml.slice(start(xml, third)).replace('<iati-identifier>', '<x:y xmlns:x="http://e.org/x"/><iati-identifier>');
    for (const batch of [1, 1_000_000]) {
      const items = await checkAll(xml, 100, batch);
      expect(activitiesOf(items).map((a) => a.identifier)).toEqual([missionActivity(1).identifier]);
      const invalid = invalidOf(items);
      expect(invalid.map((i) => i.identifier)).toEqual([second, third]);
      const lines = xml.split('\n');
      expect(invalid[0].problems).toEqual([
        {
          line: lines.findIndex((l, i) => l.includes('<activity-date') && i > lines.findIndex((m) => m.includes(second))) + 1,
          element: 'activity-date',
          rule: 'schema',
          detail: 'This element is not expected. Expected is one of ( participating-org, other-identifier, activity-status ).',
        },
      ]);
      expect(invalid[1].problems[0]).toMatchObject({ line: lines.findIndex((l) => l.includes('<x:y')) + 1, element: 'y', rule: 'schema' });
    }
  });

  it('the reader and the schema both refuse an impossible date; the reader says it once', async () => {
    const xml = (await collect(writeIati([missionActivity(1)]))).replace(/iso-date="(\d{4})-\d\d-\d\d"/, 'iso-date="$1-02-30"');
    const [invalid] = invalidOf(await checkAll(xml));
    expect(invalid.problems.map((p) => p.rule)).toEqual(['schema']);
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
  it('are position and content: a repeated ref with other content is another transaction, a true duplicate is reported', () => {
    const a = missionActivity(7);
    const [first, second] = a.transactions;
    a.transactions = [
      { ...first, ref: 'R-1' },
      { ...second, ref: 'R-1', index: 1 },
      { ...first, ref: 'R-1', index: 2 },
    ];
    const keys = transactionKeys(a);
    expect(new Set(keys).size).toBe(3);
    expect(keys.map((k) => k.split(':')[0])).toEqual(['0', '1', '2']);
    // Same content at another position: the same digest, another key, and reported as a duplicate.
    expect(keys[2].split(':')[1]).toBe(keys[0].split(':')[1]);
    expect(duplicateTransactions(a)).toEqual([{ index: 2, first: 0 }]);
    // The same activity read again gives the same keys; a changed amount gives a new key at that position.
    expect(transactionKeys(structuredClone(a))).toEqual(keys);
    a.transactions[1] = { ...a.transactions[1], value: '1.5' };
    const changed = transactionKeys(a);
    expect([changed[0] === keys[0], changed[1] === keys[1], changed[2] === keys[2]]).toEqual([true, false, true]);
  });
});

describe('export, import, the same figures (any amounts, reversals included)', () => {
  /** A decimal within the import's limits: up to 30 digits before the point and 20 after, any sign. */
  const decimal = fc
    .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9]\d{0,29})$/), fc.oneof(fc.constant(''), fc.stringMatching(/^\d{0,19}[1-9]$/)))
    .map(([negative, whole, fraction]) => {
      const text = fraction ? `${whole}.${fraction}` : whole;
      return negative && text !== '0' ? `-${text}` : text;
    });

  it('what is written reads back, through the schema, to the same totals per type and currency, exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            type: fc.constantFrom('1', '2', '3', '4', '11', '12', '13'),
            currency: fc.constantFrom('USD', 'JOD', 'JPY', 'EUR'),
            value: decimal,
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (transactions) => {
          const a = missionActivity(1);
          a.transactions = transactions.map((t, index) => ({
            ...a.transactions[0],
            ref: `R-${index % 3}`, // refs repeat, as in real files
            typeCode: t.type as IatiActivity['transactions'][number]['typeCode'],
            currency: t.currency,
            value: t.value,
            index,
          }));
          const xml = await collect(writeIati([a]));
          const items = await checkAll(xml);
          expect(invalidOf(items)).toEqual([]);
          const [back] = activitiesOf(items);
          // The model: an exact sum per type and currency of what was written, in units of 10^-20.
          const units = (text: string) => {
            const negative = text.startsWith('-');
            const [whole, fraction = ''] = text.replace('-', '').split('.');
            const n = BigInt(whole + fraction.padEnd(20, '0'));
            return negative ? -n : n;
          };
          const sums = (list: { type: string; currency: string; value: string }[]) => {
            const totals: Record<string, bigint> = {};
            for (const t of list) totals[`${t.type} ${t.currency}`] = (totals[`${t.type} ${t.currency}`] ?? 0n) + units(t.value);
            return totals;
          };
          expect(sums(back.transactions.map((t) => ({ type: t.typeCode, currency: t.currency, value: t.value })))).toEqual(
            sums(transactions),
          );
          expect(new Set(transactionKeys(back)).size).toBe(transactions.length);
        },
      ),
      { numRuns: 40 },
    );
  });
});
