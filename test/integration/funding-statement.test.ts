/**
 * The donor statement as a PDF: what a donor officer downloads lists the donor's pledges
 * (not counted as funding), receipts and where the money went, with the totals, for the
 * period asked; it follows the same visibility as the overview.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

// The metrics of the standard fonts the statement uses, from the reader's own package.
const standardFontDataUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

let t: TestApp;
let donorOfficer: TestUser;
let finance: TestUser;
let donor: { id: string; name: string };
let payee: { id: string; name: string };

beforeAll(async () => {
  t = await startTestApp();
  donor = await t.organisation('donor');
  payee = await t.organisation('humanitarian');
  donorOfficer = await t.user(['donor_officer'], donor.id);
  finance = await t.user(['finance_officer'], (await t.organisation('force_headquarters')).id);
});
afterAll(() => t?.close());

async function ok(response: { status: number; body: any }, status = 201) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

/** The statement's bytes and status, fetched as the given client. */
async function statement(client: Client, query: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/funding/statements?${query}`,
    headers: client.cookie ? { cookie: client.cookie } : {},
  });
  return { status: response.statusCode, type: response.headers['content-type'], bytes: response.rawPayload, body: response.body };
}

/** The text of every page, one string, as a PDF reader extracts it. */
async function pdfText(bytes: Buffer): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, standardFontDataUrl }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n += 1) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await pdf.destroy();
  return pages.join('\n').replace(/\s+/g, ' ');
}

describe('donor statement', () => {
  it("lists the donor's pledges, receipts and where the money went, with totals, as a PDF", async () => {
    const fund = await ok(
      await donorOfficer.client.post('/api/funding/instruments', {
        donorOrgId: donor.id,
        name: 'Stabilization Trust Fund',
        kind: 'trust_fund',
      }),
    );
    const line = await ok(
      await donorOfficer.client.post('/api/funding/budget-lines', {
        code: t.unique('ST').replace(/[^A-Za-z0-9-]/g, ''),
        nameEn: 'Field hospitals',
        nameAr: 'المستشفيات الميدانية',
        category: 'aid_operations',
        periodStart: '2026-01-01',
        periodEnd: '2026-12-31',
        amountUsd: '5000000.00',
      }),
    );
    await ok(
      await donorOfficer.client.post('/api/funding/pledges', {
        instrumentId: fund.id,
        title: 'Spring pledge',
        amount: '2000000.00',
        currency: 'USD',
        pledgedOn: '2026-03-01',
      }),
    );
    const posting = { instrumentId: fund.id, valueDate: '2026-03-10' };
    await ok(await finance.client.post('/api/funding/receipts', { ...posting, amount: '1500000.00', reference: 'WIRE-0042' }));
    await ok(await finance.client.post('/api/funding/allocations', { ...posting, amount: '1200000.00', budgetLineId: line.id }));
    await ok(
      await finance.client.post('/api/funding/disbursements', {
        ...posting,
        amount: '700000.00',
        budgetLineId: line.id,
        payeeOrgId: payee.id,
      }),
    );
    // A receipt posted in error and reversed counts for nothing.
    const mistake = await ok(
      await finance.client.post('/api/funding/receipts', { ...posting, amount: '10000.00', reference: 'DUPLICATE' }),
    );
    await ok(
      await finance.client.post(`/api/funding/transactions/${mistake.id}/reversal`, { reason: 'Posted twice', valueDate: '2026-03-11' }),
    );
    // Outside the period asked for: left out of the statement.
    await ok(await finance.client.post('/api/funding/receipts', { ...posting, valueDate: '2026-07-01', amount: '999.00' }));

    const pdf = await statement(donorOfficer.client, `donorOrgId=${donor.id}&from=2026-01-01&to=2026-06-30`);
    expect(pdf.status, pdf.body.slice(0, 200)).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await pdfText(pdf.bytes);
    expect(text).toContain(donor.name);
    expect(text).toContain('2026-01-01 to 2026-06-30');
    expect(text).toMatch(/Pledged \(not counted as funding\) \$2,000,000\.00/);
    expect(text).toMatch(/Received \$1,500,000\.00/);
    expect(text).toMatch(/Allocated to budget lines \$1,200,000\.00/);
    expect(text).toMatch(/Disbursed to payees \$700,000\.00/);
    expect(text).toContain('WIRE-0042');
    expect(text).toContain('Reversal: Posted twice');
    expect(text).toContain('Field hospitals');
    expect(text).toContain(payee.name);
    expect(text).toContain('Spring pledge');
    expect(text).toContain('2,000,000.00 USD');
    expect(text).not.toContain('$999.00');
  });

  it('answers 404 for an organisation that does not exist, and 400 without a donor', async () => {
    expect((await statement(finance.client, 'donorOrgId=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await statement(donorOfficer.client, '')).status).toBe(400);
  });

  it("is for its donor and the mission's finance staff only: another donor, an outsider and the security log see the refusal", async () => {
    const restricted = await ok(
      await donorOfficer.client.post('/api/funding/instruments', {
        donorOrgId: donor.id,
        name: 'Restricted channel',
        kind: 'grant',
        classification: 'restricted',
      }),
    );
    await ok(
      await donorOfficer.client.post('/api/funding/pledges', {
        instrumentId: restricted.id,
        title: 'Confidential pledge',
        amount: '10.00',
        currency: 'USD',
        pledgedOn: '2026-03-02',
        classification: 'restricted',
      }),
    );
    expect(await pdfText((await statement(donorOfficer.client, `donorOrgId=${donor.id}`)).bytes)).toContain('Confidential pledge');
    expect(await pdfText((await statement(finance.client, `donorOrgId=${donor.id}`)).bytes)).toContain('Confidential pledge');

    const otherDonor = await t.user(['donor_officer'], (await t.organisation('donor')).id);
    const outsider = await t.user(['political_officer'], (await t.organisation('authority')).id);
    // An auditor reads the ledger's history, not a donor's statement; a finance officer elsewhere than headquarters is no mission staff.
    const auditor = await t.user(['auditor'], (await t.organisation('observer')).id);
    const financeAtDonor = await t.user(['finance_officer'], (await t.organisation('donor')).id);
    for (const who of [otherDonor, outsider, auditor, financeAtDonor]) {
      const refused = await statement(who.client, `donorOrgId=${donor.id}`);
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).code).toBe('auth.forbidden');
      expect(refused.bytes.toString('latin1')).not.toContain('%PDF');
    }
    const log = await t.admin.client.get(`/api/security/events?actor=${encodeURIComponent(outsider.email)}`);
    expect(log.body.items[0]).toMatchObject({ status: 403, route: '/api/funding/statements' });
  });
});
