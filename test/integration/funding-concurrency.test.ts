/**
 * Money rules under concurrency: fifty disbursements at once against a line that holds
 * enough for ten, and fifty retries of one idempotent receipt at once, on separate
 * connections at the same time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let finance: TestUser;
let instrumentId: string;
let lineId: string;
let payeeOrgId: string;

beforeAll(async () => {
  t = await startTestApp();
  const donorOrgId = (await t.organisation('donor')).id;
  payeeOrgId = (await t.organisation('contributing_country')).id;
  finance = await t.user(['finance_officer', 'donor_officer'], (await t.organisation('force_headquarters')).id);
  instrumentId = (await finance.client.post('/api/funding/instruments', { donorOrgId, name: 'Concurrency fund', kind: 'grant' })).body.id;
  lineId = (
    await finance.client.post('/api/funding/budget-lines', {
      code: 'CONC-1',
      nameEn: 'Personnel',
      nameAr: 'الأفراد',
      category: 'personnel_reimbursement',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      amountUsd: '1000.00',
    })
  ).body.id;
});
afterAll(() => t?.close());

const money = (extra: Record<string, unknown>) => ({ instrumentId, valueDate: '2026-03-01', ...extra });

describe('concurrent money writes', () => {
  it('lets exactly ten of fifty simultaneous disbursements through when the line holds enough for ten', async () => {
    expect((await finance.client.post('/api/funding/receipts', money({ amount: '1000.00' }))).status).toBe(201);
    expect((await finance.client.post('/api/funding/allocations', money({ amount: '1000.00', budgetLineId: lineId }))).status).toBe(201);

    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        finance.client.post('/api/funding/disbursements', money({ amount: '100.00', budgetLineId: lineId, payeeOrgId })),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.body.code)).toEqual(Array(40).fill('funding.insufficient-funds'));

    const line = await t.db.query<{ balance: string }>(
      `select balance_usd::text as balance from ledger_accounts where kind = 'line' and budget_line_id = $1`,
      [lineId],
    );
    expect(line.rows[0].balance).toBe('0.00');
    const payee = await t.db.query<{ balance: string; entries: string }>(
      `select a.balance_usd::text as balance, (select sum(e.amount_usd) from ledger_entries e where e.account_id = a.id)::text as entries
       from ledger_accounts a where a.kind = 'payee' and a.payee_org_id = $1`,
      [payeeOrgId],
    );
    expect(payee.rows[0]).toEqual({ balance: '1000.00', entries: '1000.00' });
  });

  it('posts once when fifty retries of one receipt arrive together', async () => {
    const key = randomUUID();
    const body = money({ amount: '7.00', reference: 'retry storm' });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => finance.client.post('/api/funding/receipts', body, { 'idempotency-key': key })),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    const posted = await t.db.query<{ n: number }>(`select count(*)::int as n from ledger_transactions where reference = 'retry storm'`);
    expect(posted.rows[0].n).toBe(1);
  });
});
