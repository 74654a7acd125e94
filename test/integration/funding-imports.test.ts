/**
 * Funding imports over HTTP with generated files, one per defect they once had: a refused
 * import keeps nothing and is audited; strict and lenient modes; a file without a version;
 * repeated transaction refs; amounts with many digits; money received and money passed on
 * kept apart; FTS flows whose original amount is 0; flows without an exchange rate named in
 * every total; the server answering while a hostile file is refused; and export, import,
 * same figures for any ledger of receipts and reversals (fast-check).
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let donor: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  donor = await t.user(['donor_officer', 'finance_officer'], (await t.organisation('donor')).id);
});
afterAll(() => t?.close());

const importFile = (format: 'iati' | 'fts', body: string, mode?: 'strict' | 'lenient') =>
  donor.client.request('POST', `/api/funding/imports/${format}${mode ? `?mode=${mode}` : ''}`, body, {
    'content-type': format === 'iati' ? 'application/xml' : 'application/json',
  });

const iatiFile = (activities: string[], version: string | null = '2.03') => `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities${version ? ` version="${version}"` : ''}>
${activities.join('\n')}
</iati-activities>`;

/** A schema-valid activity with the given transactions. */
const activity = (id: string, transactions: string[]) => `<iati-activity default-currency="USD">
  <iati-identifier>${id}</iati-identifier>
  <reporting-org ref="XM-REP" type="40"><narrative>Reporting office</narrative></reporting-org>
  <title><narrative>Activity ${id}</narrative></title>
  <description><narrative>Generated for a test</narrative></description>
  <participating-org ref="XM-REP" role="1"/>
  <activity-status code="2"/>
  <activity-date type="2" iso-date="2025-01-01"/>
${transactions.join('\n')}
</iati-activity>`;

const tx = (o: { ref?: string; type?: string; date?: string; value?: string; currency?: string; extra?: string }) =>
  `  <transaction${o.ref ? ` ref="${o.ref}"` : ''}><transaction-type code="${o.type ?? '3'}"/><transaction-date iso-date="${o.date ?? '2025-03-01'}"/><value${o.currency ? ` currency="${o.currency}"` : ''} value-date="${o.date ?? '2025-03-01'}">${o.value ?? '100'}</value>${o.extra ?? ''}</transaction>`;

let unique = 0;
const id = (prefix: string) => `XM-T${++unique}-${prefix}-${Date.now().toString(36)}`;

async function flowsOf(activityId: string) {
  const rows = await t.db.query<{ amount: string; external_ref: string; direction: string; status: string }>(
    'select amount::text, external_ref, direction, status from reported_flows where activity_identifier = $1 order by external_ref',
    [activityId],
  );
  return rows.rows;
}

describe('an import is all or nothing, and a refused one is recorded and audited', () => {
  it('strict: a bad activity after more than a batch of good ones refuses the file; nothing stays, the refusal is audited', async () => {
    const good = Array.from({ length: 120 }, () =>
      activity(
        id('good'),
        Array.from({ length: 5 }, (_, k) => tx({ ref: `r${k}` })),
      ),
    );
    const badId = id('bad');
    const bad = activity(badId, [tx({ ref: 'x', date: '2025-02-30' })]);
    const xml = iatiFile([...good, bad]);
    const before = await t.db.query<{ n: number }>('select count(*)::int as n from reported_flows');
    const response = await importFile('iati', xml);
    expect(response.status, JSON.stringify(response.body)).toBe(422);
    expect(response.body).toMatchObject({ code: 'funding.import-refused', skipped: 1 });
    expect(response.body.detail).toBe(
      '1 of the activities in the file is not valid, so nothing was imported. Correct them, or import with the lenient mode to keep the valid ones.',
    );
    const line = xml.split('\n').findIndex((l) => l.includes('2025-02-30')) + 1;
    expect(response.body.skips).toEqual([
      {
        line: xml.split('\n').findIndex((l) => l.includes(badId)) - 0,
        reference: badId,
        transactions: 1,
        problems: [
          { line, element: 'transaction-date', rule: 'transaction.date', detail: 'transaction-date "2025-02-30" is not a real date' },
          { line, element: 'value/@value-date', rule: 'transaction.date', detail: 'value-date "2025-02-30" is not a real date' },
        ],
      },
    ]);
    const after = await t.db.query<{ n: number }>('select count(*)::int as n from reported_flows');
    expect(after.rows[0].n).toBe(before.rows[0].n);
    const staged = await t.db.query<{ n: number }>('select count(*)::int as n from funding_import_rows');
    expect(staged.rows[0].n).toBe(0);
    const record = await t.db.query<{ status: string; problem: string }>('select status, problem from funding_imports where id = $1', [
      response.body.importId,
    ]);
    expect(record.rows[0]).toEqual({ status: 'refused', problem: response.body.detail });
    const audit = await t.db.query<{ action: string; after: { problem: string; skipped: number } }>(
      "select action, after from audit_log where entity_type = 'funding_imports' and entity_id = $1",
      [response.body.importId],
    );
    expect(audit.rows).toMatchObject([{ action: 'funding.import.refused', after: { problem: response.body.detail, skipped: 1 } }]);
    const listed = await donor.client.get('/api/funding/imports?pageSize=5');
    expect(listed.body.items[0]).toMatchObject({ id: response.body.importId, status: 'refused', problem: response.body.detail });
  });

  it('lenient: the valid activities are imported, each one left out is listed with its line and reason', async () => {
    const okId = id('ok');
    const badId = id('bad');
    const xml = iatiFile([
      activity(okId, [tx({ ref: 'a' })]),
      activity(badId, [tx({ ref: 'b', value: '5', extra: '<provider-org></provider-org>' })]),
    ]);
    const response = await importFile('iati', xml, 'lenient');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ mode: 'lenient', records: 2, transactions: 1, imported: 1, skipped: 1, skippedTransactions: 1 });
    expect(response.body.skips[0]).toMatchObject({
      reference: badId,
      problems: [{ element: 'provider-org', rule: 'transaction.organisation' }],
    });
    expect(await flowsOf(okId)).toHaveLength(1);
    expect(await flowsOf(badId)).toHaveLength(0);
    const audit = await t.db.query<{ action: string }>(
      "select action from audit_log where entity_type = 'funding_imports' and entity_id = $1",
      [response.body.id],
    );
    expect(audit.rows).toEqual([{ action: 'funding.import.iati' }]);
  });

  it('a file the schema refuses, and a file without a version, are refused in one sentence', async () => {
    const noStatus = activity(id('s'), [tx({})]).replace('<activity-status code="2"/>', '');
    const refused = await importFile('iati', iatiFile([noStatus]));
    expect(refused.status).toBe(422);
    expect(refused.body.skips[0].problems[0]).toMatchObject({ element: 'activity-date', rule: 'schema' });
    const unversioned = await importFile('iati', iatiFile([activity(id('v'), [tx({})])], null));
    expect(unversioned.status).toBe(422);
    expect(unversioned.body.detail).toBe(
      'The file does not say which IATI version it follows (<iati-activities> has no version attribute); only versions 2.01, 2.02, 2.03 can be imported (line 2)',
    );
    const future = await importFile('iati', iatiFile([activity(id('v'), [tx({})])], '2.04'));
    expect(future.body.detail).toBe('IATI version 2.04 cannot be imported; only versions 2.01, 2.02, 2.03 can (line 2)');
  });
});

describe('what the file states is what is kept', () => {
  it('transactions that repeat a ref are all kept; exact repeats are reported; a second import adds nothing', async () => {
    const a = id('refs');
    const xml = iatiFile([
      activity(a, [tx({ ref: 'INV-1', value: '10' }), tx({ ref: 'INV-1', value: '20' }), tx({ ref: 'INV-1', value: '10' })]),
    ]);
    const first = await importFile('iati', xml);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ imported: 3, duplicates: 1 });
    const tens = xml.split('\n').flatMap((l, i) => (l.includes('>10<') ? [i + 1] : []));
    expect(first.body.duplicateList).toEqual([{ line: tens[1], firstLine: tens[0], reference: `${a}|INV-1` }]);
    expect((await flowsOf(a)).map((f) => f.amount).sort()).toEqual(['10', '10', '20']);
    const again = await importFile('iati', xml);
    expect(again.body).toMatchObject({ imported: 0, alreadyImported: 3 });
  });

  it('amounts keep every digit the file gives, and one past the limit is refused naming its line', async () => {
    const a = id('digits');
    const values = ['1234567890123456789012345.5', '0.12345678', '-3.00001'];
    const response = await importFile(
      'iati',
      iatiFile([
        activity(
          a,
          values.map((value, k) => tx({ ref: `d${k}`, value })),
        ),
      ]),
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect((await flowsOf(a)).map((f) => f.amount).sort()).toEqual([...values].sort());
    const tooLong = iatiFile([activity(id('long'), [tx({ value: '9'.repeat(31) })])]);
    const refused = await importFile('iati', tooLong);
    expect(refused.status).toBe(422);
    expect(refused.body.skips[0].problems[0]).toMatchObject({
      line: tooLong.split('\n').findIndex((l) => l.includes('9'.repeat(31))) + 1,
      rule: 'transaction.value',
      detail: `value ${'9'.repeat(31)} has 31 digits before the decimal point (at most 30 are kept)`,
    });
  });

  it('incoming funds and disbursements are shown apart, never summed as one "paid"', async () => {
    const a = id('through');
    const response = await importFile(
      'iati',
      iatiFile([activity(a, [tx({ type: '1', value: '1000' }), tx({ type: '3', value: '1000' })])]),
    );
    expect(response.body.figures).toEqual([
      { status: 'paid', direction: 'incoming', count: 1, usd: '1000.00', unconverted: { count: 0, amounts: [] } },
      { status: 'paid', direction: 'outgoing', count: 1, usd: '1000.00', unconverted: { count: 0, amounts: [] } },
    ]);
    const listed = await donor.client.get('/api/funding/reported-flows?direction=incoming&status=paid&pageSize=100');
    expect(listed.body.items.some((f: { activityIdentifier: string }) => f.activityIdentifier === a)).toBe(true);
    expect(listed.body.figures.every((f: { direction: string }) => f.direction === 'incoming')).toBe(true);
  });

  it('an FTS flow with originalAmount 0 keeps the US dollar amount it states', async () => {
    const flow = (n: string, extra: Record<string, unknown>) => ({
      id: n,
      status: 'paid',
      amountUSD: 250000,
      date: '2024-05-01T00:00:00Z',
      boundary: 'incoming',
      sourceObjects: [{ type: 'Organization', id: '1', name: 'Donor' }],
      destinationObjects: [{ type: 'Organization', id: '2', name: 'Agency' }],
      ...extra,
    });
    const n = `${Date.now()}`;
    const body = JSON.stringify({
      status: 'ok',
      data: {
        flows: [
          flow(`${n}1`, { originalAmount: 0, originalCurrency: 'EUR' }),
          flow(`${n}2`, { originalAmount: 230000, originalCurrency: 'EUR' }),
        ],
      },
    });
    const response = await importFile('fts', body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const rows = await t.db.query<{ external_ref: string; amount: string; currency: string }>(
      'select external_ref, amount::text, currency from reported_flows where external_ref = any($1) order by external_ref',
      [[`FTS-${n}1`, `FTS-${n}2`]],
    );
    expect(rows.rows).toEqual([
      { external_ref: `FTS-${n}1`, amount: '250000', currency: 'USD' },
      { external_ref: `FTS-${n}2`, amount: '230000', currency: 'EUR' },
    ]);
  });

  it('a flow with no exchange rate for its date says so, and every total names what it leaves out', async () => {
    const a = id('rate');
    const response = await importFile(
      'iati',
      iatiFile([activity(a, [tx({ type: '4', value: '70.5', currency: 'KWD', date: '2020-06-30' }), tx({ type: '4', value: '30' })])]),
    );
    expect(response.body.figures).toEqual([
      {
        status: 'expenditure',
        direction: 'outgoing',
        count: 2,
        usd: '30.00',
        unconverted: { count: 1, amounts: [{ currency: 'KWD', amount: '70.5' }] },
      },
    ]);
    const listed = await donor.client.get('/api/funding/reported-flows?status=expenditure&pageSize=100');
    const kwd = listed.body.items.find(
      (f: { activityIdentifier: string; currency: string }) => f.activityIdentifier === a && f.currency === 'KWD',
    );
    expect(kwd).toMatchObject({ amountUsd: null, noRate: { currency: 'KWD', date: '2020-06-30' } });
    const total = listed.body.figures.find((f: { direction: string }) => f.direction === 'outgoing');
    expect(total.unconverted.amounts).toContainEqual({ currency: 'KWD', amount: expect.any(String) });
    // Once a rate for that date exists the flow converts, at the rate of its date.
    await t.db.query("insert into exchange_rates (currency, rate_date, usd_per_unit, source) values ('KWD', '2020-06-01', 3.25, 'test')");
    const after = await donor.client.get('/api/funding/reported-flows?status=expenditure&pageSize=100');
    const converted = after.body.items.find(
      (f: { activityIdentifier: string; currency: string }) => f.activityIdentifier === a && f.currency === 'KWD',
    );
    expect(converted).toMatchObject({ amountUsd: '229.13', noRate: null });
  });
});

describe('hostile files', () => {
  /** Sends `chunks` to the import over real HTTP, slowly, and asks /api/health meanwhile. */
  async function uploadWhileAskingHealth(chunks: () => Generator<string>) {
    if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as AddressInfo;
    const upload = new Promise<{ status: number; body: { code: string; detail: string } }>((resolve, reject) => {
      let answered = false;
      const req = request(
        {
          host: '127.0.0.1',
          port: address.port,
          method: 'POST',
          path: '/api/funding/imports/iati',
          headers: { 'content-type': 'application/xml', cookie: donor.client.cookie!, 'x-csrf-token': donor.client.csrf! },
        },
        (res) => {
          answered = true;
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            resolve({ status: res.statusCode!, body: JSON.parse(text) });
            // Answered: the rest of the file need not be sent.
            req.destroy();
          });
        },
      );
      // The server closes the connection once it has refused the file: writing on fails then,
      // which is expected; only a failure before any answer is an error.
      req.on('error', (error) => setTimeout(() => answered || reject(error), 2000));
      const it = chunks();
      const pump = () => {
        if (answered || req.destroyed) return;
        const next = it.next();
        if (next.done) req.end();
        else if (req.write(next.value)) setImmediate(pump);
        else req.once('drain', pump);
      };
      pump();
    });
    const health: number[] = [];
    let finished = false;
    const answered = upload.finally(() => (finished = true));
    while (!finished) {
      const res = await fetch(`http://127.0.0.1:${address.port}/api/health`);
      health.push(res.status);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { response: await answered, health };
  }

  it('one endless text node and deep nesting are refused with a clear problem while the server keeps answering', async () => {
    const text = await uploadWhileAskingHealth(function* () {
      yield '<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity><iati-identifier>';
      for (let i = 0; i < 600; i++) yield 'x'.repeat(64 * 1024);
      yield '</iati-identifier></iati-activity></iati-activities>';
    });
    expect(text.response.status).toBe(422);
    expect(text.response.body.detail).toMatch(/^The file has a run of more than 2 MB of text without markup \(from line 2\)/);
    expect(text.health.length).toBeGreaterThan(0);
    expect(text.health.every((s) => s === 200)).toBe(true);

    const deep = await uploadWhileAskingHealth(function* () {
      yield '<?xml version="1.0"?>\n<iati-activities version="2.03">';
      for (let i = 0; i < 2000; i++) yield '<x:a xmlns:x="http://e.org/">'.repeat(100);
    });
    expect(deep.response.status).toBe(422);
    expect(deep.response.body.detail).toMatch(/^The file nests elements more than 64 deep/);
    expect(deep.health.every((s) => s === 200)).toBe(true);
  });
});

describe('export, import, the same figures', () => {
  it('for any ledger of receipts and reversals with odd amounts, the IATI export imports back to the same totals', {
    timeout: 300_000,
  }, async () => {
    // Money is recorded in an organisation's name by that organisation (or the mission's finance staff).
    const donorOrgId = donor.organisationId;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('receipt' as const), cents: fc.integer({ min: 1, max: 99_999_999 }), odd: fc.boolean() }),
            fc.record({ kind: fc.constant('reversal' as const), of: fc.nat(20) }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        async (ops) => {
          run++;
          const instrument = (
            await donor.client.post('/api/funding/instruments', { donorOrgId, name: `Round trip ${run} ${Date.now()}`, kind: 'grant' })
          ).body.id as string;
          // The model: receipts minus reversals, in USD cents, per receipt kept.
          const receipts: { id: string; cents: number; reversed: boolean }[] = [];
          for (const op of ops) {
            if (op.kind === 'receipt') {
              // Odd amounts: a single cent, or amounts that end in 0.01 or 0.99.
              const cents = op.odd ? [1, 99, 101, 1_000_001][op.cents % 4] : op.cents;
              const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
              const posted = await donor.client.post('/api/funding/receipts', {
                instrumentId: instrument,
                amount,
                valueDate: '2026-03-01',
              });
              expect(posted.status, JSON.stringify(posted.body)).toBe(201);
              receipts.push({ id: posted.body.id, cents, reversed: false });
            } else {
              const target = receipts.filter((r) => !r.reversed)[op.of % Math.max(1, receipts.length)];
              if (!target) continue;
              const reversed = await donor.client.post(`/api/funding/transactions/${target.id}/reversal`, { reason: 'round trip' });
              expect(reversed.status, JSON.stringify(reversed.body)).toBe(201);
              target.reversed = true;
            }
          }
          const exported = await donor.client.get('/api/funding/exports/iati');
          expect(exported.status).toBe(200);
          const imported = await importFile('iati', exported.body as string);
          expect(imported.status, JSON.stringify(imported.body).slice(0, 2000)).toBe(200);
          const flows = await t.db.query<{ amount: string; direction: string; status: string }>(
            "select amount::text, direction, status from reported_flows where activity_identifier like '%' || $1",
            [instrument],
          );
          const cents = (text: string) => {
            const negative = text.startsWith('-');
            const [whole, fraction = ''] = text.replace('-', '').split('.');
            const value = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
            return negative ? -value : value;
          };
          const net = flows.rows.filter((f) => f.status === 'paid' && f.direction === 'incoming').reduce((n, f) => n + cents(f.amount), 0);
          expect(net).toBe(receipts.reduce((n, r) => n + (r.reversed ? 0 : r.cents), 0));
          // One flow per receipt and one per reversal: nothing merged, nothing dropped.
          expect(flows.rows.filter((f) => f.status === 'paid')).toHaveLength(receipts.length + receipts.filter((r) => r.reversed).length);
        },
      ),
      { numRuns: 8 },
    );
  });
});
