/**
 * The ledger's balances and monthly figures hold (security review item 21): the
 * application's connection cannot write them except by posting (guards on both), and the
 * ledger check recomputes them from the entries and names every difference, through the API
 * and the CLI's report. The differences are made behind the guards, with triggers switched
 * off (session_replication_role = replica), as only a superuser could.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerCheckReport } from '../../src/cli/ledger-check.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let finance: TestUser;
let instrumentId: string;
let lineId: string;

beforeAll(async () => {
  t = await startTestApp();
  finance = await t.user(['finance_officer', 'donor_officer'], (await t.organisation('force_headquarters')).id);
  const donor = (await t.organisation('donor')).id;
  instrumentId = (await finance.client.post('/api/funding/instruments', { donorOrgId: donor, name: 'Checked', kind: 'grant' })).body.id;
  lineId = (
    await finance.client.post('/api/funding/budget-lines', {
      code: t.unique('CHK').replace(/[^A-Za-z0-9]/g, ''),
      nameEn: 'Line',
      nameAr: 'بند',
      category: 'logistics',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      amountUsd: '100000.00',
    })
  ).body.id;
});
afterAll(() => t?.close());

const check = async (who: TestUser = finance) => {
  const response = await who.client.get('/api/funding/ledger/check');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

/** Runs SQL with the triggers off, as a superuser can: the guards do not fire. */
async function behindTheGuards(statement: string, params: unknown[] = []) {
  await t.db.transaction(async (tx) => {
    await tx.query('set local session_replication_role = replica');
    await tx.query(statement, params);
  });
}

describe('the ledger check', () => {
  it('finds every balance and monthly figure as its entries make it, for any postings and reversals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ cents: fc.integer({ min: 1, max: 5_000_000 }), month: fc.integer({ min: 1, max: 11 }), reverse: fc.boolean() }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        async (postings) => {
          for (const p of postings) {
            const valueDate = `2026-${String(p.month).padStart(2, '0')}-10`;
            const amount = `${Math.floor(p.cents / 100)}.${String(p.cents % 100).padStart(2, '0')}`;
            const receipt = await finance.client.post('/api/funding/receipts', { instrumentId, amount, valueDate });
            expect(receipt.status).toBe(201);
            if (p.reverse)
              expect((await finance.client.post(`/api/funding/transactions/${receipt.body.id}/reversal`, { reason: 'x' })).status).toBe(
                201,
              );
          }
          const result = await check();
          expect(result).toMatchObject({ status: 'consistent', balances: [], monthly: [] });
          expect(result.accounts).toBeGreaterThan(0);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('names the account whose balance was changed behind the guards, with both figures', async () => {
    await finance.client.post('/api/funding/receipts', { instrumentId, amount: '500.00', valueDate: '2026-03-01' });
    await finance.client.post('/api/funding/allocations', {
      instrumentId,
      amount: '200.00',
      valueDate: '2026-03-02',
      budgetLineId: lineId,
    });
    const line = await t.db.query<{ id: string; usd: string }>(
      `select account_id as id, balance_usd::text as usd from ledger_account_balances where kind = 'line' and budget_line_id = $1`,
      [lineId],
    );
    const { id, usd } = line.rows[0];
    await expect(
      t.db.query('update ledger_balance_parts set balance_usd = balance_usd + 1000000 where account_id = $1', [id]),
    ).rejects.toThrow(/ledger balances change only by posting entries/);
    await behindTheGuards(
      'update ledger_balance_parts set balance_usd = balance_usd + 1000000 where account_id = $1 and part = (select min(part) from ledger_balance_parts where account_id = $1)',
      [id],
    );

    const result = await check();
    expect(result.status).toBe('different');
    expect(result.balances).toEqual([
      {
        accountId: id,
        kind: 'line',
        instrumentId,
        budgetLineId: lineId,
        payeeOrgId: null,
        keptUsd: (Number(usd) + 1_000_000).toFixed(2),
        fromEntriesUsd: usd,
      },
    ]);
    expect(ledgerCheckReport(result)).toContain(
      `line account ${id} (instrument ${instrumentId}): the ledger keeps USD ${(Number(usd) + 1_000_000).toFixed(2)}, its entries add up to USD ${usd}`,
    );

    await behindTheGuards(
      'update ledger_balance_parts set balance_usd = balance_usd - 1000000 where account_id = $1 and part = (select min(part) from ledger_balance_parts where account_id = $1)',
      [id],
    );
    expect((await check()).status).toBe('consistent');
  });

  it('guards the monthly roll-up too, and names a month changed behind the guard', async () => {
    await expect(t.db.query('update ledger_monthly set amount_usd = amount_usd + 1')).rejects.toThrow(
      /change only by posting transactions/,
    );
    await expect(t.db.query('delete from ledger_monthly')).rejects.toThrow(/change only by posting transactions/);
    await behindTheGuards(
      `insert into ledger_monthly (month, kind, instrument_id, amount_usd, transactions, part) values ('2025-12-01', 'receipt', $1, 42.00, 1, 15)`,
      [instrumentId],
    );
    const result = await check();
    expect(result.monthly).toEqual([
      expect.objectContaining({
        month: '2025-12',
        kind: 'receipt',
        instrumentId,
        keptUsd: '42.00',
        fromTransactionsUsd: '0.00',
        keptTransactions: 1,
        fromTransactions: 0,
      }),
    ]);
    await behindTheGuards(`delete from ledger_monthly where month = '2025-12-01' and instrument_id = $1 and part = 15`, [instrumentId]);
    expect((await check()).status).toBe('consistent');
  });

  it("is for the mission's finance staff and auditors", async () => {
    const auditor = await t.user(['auditor'], (await t.organisation('observer')).id);
    expect((await check(auditor)).status).toBe('consistent');
    const donor = await t.user(['donor_officer'], (await t.organisation('donor')).id);
    const refused = await donor.client.get('/api/funding/ledger/check');
    expect(refused.status).toBe(403);
  });
});
