/**
 * Money rules under concurrency: fifty disbursements at once against a line that holds
 * enough for ten, and fifty retries of one idempotent receipt at once, on separate
 * connections at the same time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../../src/server/modules/funding/ledger.repo.ts';
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
      `select balance_usd::text as balance from ledger_account_balances where kind = 'line' and budget_line_id = $1`,
      [lineId],
    );
    expect(line.rows[0].balance).toBe('0.00');
    const payee = await t.db.query<{ balance: string; entries: string }>(
      `select a.balance_usd::text as balance, (select sum(e.amount_usd) from ledger_entries e where e.account_id = a.account_id)::text as entries
       from ledger_account_balances a where a.kind = 'payee' and a.payee_org_id = $1`,
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

  it('takes money in while money going out of the same fund is being checked, without waiting for it', async () => {
    expect((await finance.client.post('/api/funding/receipts', money({ amount: '50.00' }))).status).toBe(201);
    let release!: () => void;
    let checked!: () => void;
    const outgoingChecked = new Promise<void>((resolve) => {
      checked = resolve;
    });
    // An allocation out of the fund, held open after its overdraft check took the fund's lock.
    const outgoing = t.db.transaction(async (tx) => {
      await post(tx, {
        kind: 'allocation',
        instrumentId,
        budgetLineId: lineId,
        valueDate: '2026-03-02',
        currency: 'USD',
        amount: '50.00',
        usdPerUnit: '1',
        amountUsd: '50.00',
        postedBy: 'test',
      });
      checked();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await outgoingChecked;
    const incoming = finance.client.post('/api/funding/receipts', money({ amount: '25.00' }));
    const first = await Promise.race([incoming.then((r) => r.status), new Promise((resolve) => setTimeout(resolve, 10_000, 'waiting'))]);
    release();
    await outgoing;
    expect(first).toBe(201);
  });

  it('lets no one change a balance except by posting entries', async () => {
    await expect(t.db.query('update ledger_balance_parts set balance_usd = balance_usd + 1000000')).rejects.toThrow(
      /ledger balances change only by posting entries/,
    );
    const account = (await t.db.query<{ id: string }>('select account_id as id from ledger_account_balances limit 1')).rows[0].id;
    await expect(
      t.db.query(`insert into ledger_balance_parts (account_id, part, balance_usd) values ($1, 63, 1000000)`, [account]),
    ).rejects.toThrow(/ledger balances change only by posting entries/);
    await expect(t.db.query('delete from ledger_balance_parts')).rejects.toThrow(/ledger balances change only by posting entries/);
  });
});
