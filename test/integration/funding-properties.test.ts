/**
 * Properties of the ledger under any sequence of money operations through the API:
 * receipts, allocations, disbursements, reported spending and reversals on a few
 * instruments, lines and payees, some retried with the key they were first sent with.
 * After every sequence:
 *  - every transaction is balanced, in USD and in its own currency;
 *  - every account's balance equals the sum of its entries;
 *  - no fund, line or payee balance is below zero;
 *  - the balances are what a simple model of the accepted operations says, and an
 *    operation is refused exactly when the model says it would overdraw;
 *  - a retry with the same key posts nothing and answers what the first answered.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let finance: TestUser;
let instruments: string[];
let lines: string[];
let payees: string[];

beforeAll(async () => {
  t = await startTestApp();
  // Finance posts the money; reporting a partner's spending on its behalf needs funding.report too.
  finance = await t.user(['finance_officer', 'donor_officer', 'humanitarian'], (await t.organisation('force_headquarters')).id);
  payees = [(await t.organisation('contributing_country')).id, (await t.organisation('humanitarian')).id];
});
afterAll(() => t?.close());

type Op =
  | { kind: 'receipt'; i: number; cents: number }
  | { kind: 'allocation'; i: number; l: number; cents: number }
  | { kind: 'disbursement' | 'expenditure'; i: number; l: number; p: number; cents: number }
  | { kind: 'reversal'; of: number }
  | { kind: 'retry'; of: number };

const cents = fc.integer({ min: 1, max: 50_000 });
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('receipt' as const), i: fc.nat(1), cents }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('allocation' as const), i: fc.nat(1), l: fc.nat(1), cents }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('disbursement' as const, 'expenditure' as const),
      i: fc.nat(1),
      l: fc.nat(1),
      p: fc.nat(1),
      cents,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reversal' as const), of: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry' as const), of: fc.nat(30) }) },
);

const usd = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const LEGS = {
  receipt: ['fund', 'donor'],
  allocation: ['line', 'fund'],
  disbursement: ['payee', 'line'],
  expenditure: ['spent', 'payee'],
} as const;

interface Sent {
  url: string;
  body: Record<string, unknown>;
  key: string;
  status: number;
  id?: string;
  legs?: { account: string; cents: number }[];
}

async function freshSetup(run: number) {
  const donorOrgId = (await t.organisation('donor')).id;
  instruments = [];
  for (const n of [1, 2])
    instruments.push(
      (await finance.client.post('/api/funding/instruments', { donorOrgId, name: `Property fund ${run}.${n}`, kind: 'grant' })).body.id,
    );
  lines = [];
  for (const n of [1, 2])
    lines.push(
      (
        await finance.client.post('/api/funding/budget-lines', {
          code: `PROP-${run}-${n}`,
          nameEn: 'Line',
          nameAr: 'بند',
          category: 'logistics',
          periodStart: '2026-01-01',
          periodEnd: '2026-12-31',
          amountUsd: '1000.00',
        })
      ).body.id,
    );
}

let runs = 0;

describe('the ledger under any sequence of operations', () => {
  it('stays balanced, never overdrawn, equal to a model of what was accepted, and posts a retried request once', {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 18 }), async (ops) => {
        runs++;
        await freshSetup(runs);
        const model = new Map<string, number>(); // account key -> cents
        const key = (account: string, op: { i: number; l?: number; p?: number }) => {
          const parts = [account, instruments[op.i]];
          if (account === 'line' || account === 'payee' || account === 'spent') parts.push(lines[op.l!]);
          if (account === 'payee' || account === 'spent') parts.push(payees[op.p!]);
          return parts.join(':');
        };
        const sent: Sent[] = [];
        const apply = (legs: { account: string; cents: number }[]) => {
          const after = new Map(model);
          for (const leg of legs) after.set(leg.account, (after.get(leg.account) ?? 0) + leg.cents);
          const overdrawn = [...after].some(([k, v]) => v < 0 && !k.startsWith('donor') && !k.startsWith('spent'));
          return overdrawn ? null : after;
        };

        for (const op of ops) {
          if (op.kind === 'retry') {
            const first = sent.filter((s) => s.status === 201)[op.of % Math.max(1, sent.length)];
            if (!first) continue;
            const again = await finance.client.post(first.url, first.body, { 'idempotency-key': first.key });
            expect(again.status).toBe(201);
            expect(again.body.id).toBe(first.id);
            expect(again.headers['idempotent-replayed']).toBe('true');
            continue;
          }
          if (op.kind === 'reversal') {
            const target = sent.filter((s) => s.status === 201 && s.legs)[op.of % Math.max(1, sent.length)];
            if (!target) continue;
            const legs = target.legs!.map((l) => ({ account: l.account, cents: -l.cents }));
            const expected = apply(legs);
            const k = randomUUID();
            const response = await finance.client.post(
              `/api/funding/transactions/${target.id}/reversal`,
              { reason: 'property' },
              { 'idempotency-key': k },
            );
            if (response.status === 201) {
              expect(expected, 'a reversal the model says would overdraw was accepted').not.toBeNull();
              for (const [a, v] of expected!) model.set(a, v);
              target.legs = undefined; // reversed once only
            } else {
              expect(['funding.insufficient-funds', 'funding.already-reversed']).toContain(response.body.code);
              if (response.body.code === 'funding.insufficient-funds') expect(expected).toBeNull();
            }
            continue;
          }
          const [debit, credit] = LEGS[op.kind];
          const legs = [
            { account: key(debit, op), cents: op.cents },
            { account: key(credit, op), cents: -op.cents },
          ];
          const body: Record<string, unknown> = { instrumentId: instruments[op.i], amount: usd(op.cents), valueDate: '2026-03-01' };
          if ('l' in op) body.budgetLineId = lines[op.l];
          if ('p' in op) body.payeeOrgId = payees[op.p];
          const url = `/api/funding/${op.kind === 'receipt' ? 'receipts' : `${op.kind}s`}`;
          const k = randomUUID();
          const response = await finance.client.post(url, body, { 'idempotency-key': k });
          const expected = apply(legs);
          if (expected) {
            expect(response.status, JSON.stringify(response.body)).toBe(201);
            for (const [a, v] of expected) model.set(a, v);
          } else {
            expect(response.status, JSON.stringify(response.body)).toBe(409);
            expect(response.body.code).toBe('funding.insufficient-funds');
          }
          sent.push({ url, body, key: k, status: response.status, id: response.body.id, legs: response.status === 201 ? legs : undefined });
        }

        // The database agrees with itself and with the model.
        const ids = instruments;
        const unbalanced = await t.db.query<{ n: number }>(
          `select count(*)::int as n from (select e.transaction_id from ledger_entries e join ledger_transactions x on x.id = e.transaction_id
             where x.instrument_id = any($1::uuid[]) group by 1 having sum(e.amount_usd) <> 0 or sum(e.amount) <> 0 or count(*) < 2) u`,
          [ids],
        );
        expect(unbalanced.rows[0].n).toBe(0);
        const accounts = await t.db.query<{
          kind: string;
          instrument: string;
          line: string | null;
          payee: string | null;
          balance: string;
          entries: string | null;
        }>(
          `select a.kind, a.instrument_id as instrument, a.budget_line_id as line, a.payee_org_id as payee, a.balance_usd::text as balance,
                  (select sum(e.amount_usd) from ledger_entries e where e.account_id = a.account_id)::numeric(20,2)::text as entries
           from ledger_account_balances a where a.instrument_id = any($1::uuid[])`,
          [ids],
        );
        for (const a of accounts.rows) {
          expect(a.balance, `${a.kind} balance equals its entries`).toBe(a.entries ?? '0.00');
          if (!['donor', 'spent'].includes(a.kind)) expect(Number(a.balance)).toBeGreaterThanOrEqual(0);
          const modelKey = [a.kind, a.instrument, ...(a.line ? [a.line] : []), ...(a.payee ? [a.payee] : [])].join(':');
          expect(a.balance, `${a.kind} matches the model`).toBe(usdSigned(model.get(modelKey) ?? 0));
        }
        const posted = await t.db.query<{ n: number }>(
          `select count(*)::int as n from ledger_transactions where instrument_id = any($1::uuid[])`,
          [ids],
        );
        const accepted = sent.filter((s) => s.status === 201).length + ops.filter((o) => o.kind === 'reversal').length;
        expect(posted.rows[0].n).toBeLessThanOrEqual(accepted);
        expect(posted.rows[0].n).toBe(await countAccepted(ids));
      }),
      { numRuns: 15 },
    );
  });
});

function usdSigned(c: number): string {
  return c < 0 ? `-${usd(-c)}` : usd(c);
}

/** Transactions the audit trail says were posted on these instruments: one per accepted request, retries excluded. */
async function countAccepted(ids: string[]): Promise<number> {
  const rows = await t.db.query<{ n: number }>(
    `select count(*)::int as n from audit_log where action like 'funding.%.post' and (after->>'instrumentId') = any($1::text[])`,
    [ids],
  );
  return rows.rows[0].n;
}
