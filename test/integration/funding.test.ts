/**
 * The funding capability through HTTP: pledges split into gated tranches, the ledger's
 * rules (balanced, never overdrawn, never changed, reversed once), idempotent money
 * writes, exchange rates, visibility and the figures.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_RETENTION_DAYS, pruneIdempotencyKeys } from '../../src/server/http/idempotency.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let donorOfficer: TestUser; // records instruments and pledges for the donor
let finance: TestUser; // force headquarters finance officer: posts money
let partner: TestUser; // an implementing partner that reports its spending
let otherDonor: TestUser; // another donor's officer
let political: TestUser;
let donorOrgId: string;
let partnerOrgId: string;
let lineId: string;

beforeAll(async () => {
  t = await startTestApp();
  donorOrgId = (await t.organisation('donor')).id;
  partnerOrgId = (await t.organisation('humanitarian')).id;
  donorOfficer = await t.user(['donor_officer'], donorOrgId);
  finance = await t.user(['finance_officer'], (await t.organisation('force_headquarters')).id);
  partner = await t.user(['humanitarian'], partnerOrgId);
  otherDonor = await t.user(['donor_officer'], (await t.organisation('donor')).id);
  political = await t.user(['political_officer'], (await t.organisation('authority')).id);
  lineId = (await budgetLine('aid_operations', '1000000.00')).id;
});
afterAll(() => t?.close());

async function ok(response: { status: number; body: any }, status = 201) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

async function budgetLine(category: string, amountUsd: string) {
  return ok(
    await donorOfficer.client.post('/api/funding/budget-lines', {
      code: t
        .unique('BL')
        .replace(/[^A-Za-z0-9-]/g, '')
        .slice(0, 30),
      nameEn: 'Aid operations',
      nameAr: 'العمليات الإنسانية',
      category,
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      amountUsd,
    }),
  );
}

async function instrument(classification = 'mission', who = donorOfficer) {
  return ok(
    await who.client.post('/api/funding/instruments', {
      donorOrgId: who === otherDonor ? otherDonor.organisationId : donorOrgId,
      name: t.unique('Instrument'),
      kind: 'trust_fund',
      restrictions: ['requires human-rights vetting of recipient units'],
      classification,
    }),
  );
}

const receipt = (instrumentId: string, amount: string, extra: Record<string, unknown> = {}) =>
  finance.client.post('/api/funding/receipts', { instrumentId, amount, valueDate: '2026-02-01', ...extra });
const allocation = (instrumentId: string, amount: string, budgetLineId = lineId) =>
  finance.client.post('/api/funding/allocations', { instrumentId, amount, budgetLineId, valueDate: '2026-02-02' });
const disbursement = (instrumentId: string, amount: string, payeeOrgId = partnerOrgId) =>
  finance.client.post('/api/funding/disbursements', { instrumentId, amount, budgetLineId: lineId, payeeOrgId, valueDate: '2026-02-03' });

describe('pledges and gated tranches', () => {
  it('splits a pledge into tranches, blocks receipts on a shut gate and releases them once the condition is met', async () => {
    const conditionId = (
      await ok(
        await political.client.post('/api/conditions', {
          code: t
            .unique('c')
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, '-'),
          titleEn: 'Congress appropriates',
          titleAr: 'الكونغرس يخصص',
        }),
      )
    ).id;
    const fund = await instrument();
    const pledge = await ok(
      await donorOfficer.client.post('/api/funding/pledges', {
        instrumentId: fund.id,
        title: 'Stabilization pledge',
        amount: '1000.00',
        currency: 'USD',
        pledgedOn: '2026-01-15',
        tranches: [{ amount: '400.00' }, { amount: '600.00', gate: conditionId }],
      }),
    );
    expect(pledge.tranches.map((tr: any) => [tr.seq, tr.amountUsd, tr.state])).toEqual([
      [1, '400.00', 'open'],
      [2, '600.00', 'blocked'],
    ]);
    expect(pledge.tranches[1].waitsOn.map((c: any) => c.id)).toEqual([conditionId]);

    const blocked = await receipt(fund.id, '600.00', { trancheId: pledge.tranches[1].id });
    expect(blocked.status).toBe(409);
    expect(blocked.body.code).toBe('funding.tranche-blocked');
    expect(blocked.body.detail).toContain('Congress appropriates');

    // The blocked tranche counts in the long pole.
    const analysis = (await political.client.get('/api/conditions/analysis')).body;
    expect(analysis.conditions.find((c: any) => c.id === conditionId).heldBack.money_usd).toBe('600.00');

    await ok(
      await political.client.post(`/api/conditions/${conditionId}/evidence`, {
        datedOn: '2026-02-01',
        status: 'met',
        source: 'Public law',
      }),
    );
    const released = await ok(await donorOfficer.client.get(`/api/funding/tranches/${pledge.tranches[1].id}`), 200);
    expect(released.state).toBe('open');
    await ok(await receipt(fund.id, '600.00', { trancheId: pledge.tranches[1].id }));
    const after = await ok(await donorOfficer.client.get(`/api/funding/pledges/${pledge.id}`), 200);
    expect(after.tranches[1].state).toBe('received');
    expect(after.receivedUsd).toBe('600.00');

    const over = await receipt(fund.id, '0.01', { trancheId: pledge.tranches[1].id });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('funding.insufficient-funds');
  });

  it('refuses tranches that do not add up to the pledge, and fractions of a minor unit', async () => {
    const fund = await instrument();
    const body = { instrumentId: fund.id, title: 'P', amount: '100', currency: 'USD', pledgedOn: '2026-01-15' };
    const wrong = await donorOfficer.client.post('/api/funding/pledges', { ...body, tranches: [{ amount: '60' }, { amount: '30' }] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ pointer: '/tranches', detail: expect.stringContaining('90') });
    const yen = await donorOfficer.client.post('/api/funding/pledges', { ...body, currency: 'JPY', amount: '100.5' });
    expect(yen.status).toBe(400);
    expect(yen.body.errors[0].pointer).toBe('/amount');
  });
});

describe('the ledger', () => {
  it('moves money from receipt to spending, each step balanced, and never beyond what is there', async () => {
    const fund = await instrument();
    const received = await ok(await receipt(fund.id, '500.00'));
    expect(received.entries.map((e: any) => [e.account, e.amountUsd])).toEqual([
      ['fund', '500.00'],
      ['donor', '-500.00'],
    ]);

    const tooMuch = await allocation(fund.id, '500.01');
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ code: 'funding.insufficient-funds', detail: expect.stringContaining('not yet allocated') });

    await ok(await allocation(fund.id, '300.00'));
    expect((await disbursement(fund.id, '300.01')).body.code).toBe('funding.insufficient-funds');
    await ok(await disbursement(fund.id, '200.00'));

    const spend = (amount: string, who = partner) =>
      who.client.post('/api/funding/expenditures', {
        instrumentId: fund.id,
        amount,
        budgetLineId: lineId,
        payeeOrgId: partnerOrgId,
        valueDate: '2026-03-01',
      });
    expect((await spend('200.01')).body.code).toBe('funding.insufficient-funds');
    await ok(await spend('150.00'));
    // Another organisation cannot report the partner's spending.
    expect((await spend('1.00', await t.user(['humanitarian'], (await t.organisation('humanitarian')).id))).status).toBe(403);

    const listed = await ok(await finance.client.get(`/api/funding/transactions?instrumentId=${fund.id}`), 200);
    expect(listed.total).toBe(4);
    for (const tx of listed.items) {
      const cents = tx.entries.reduce((sum: bigint, e: any) => sum + BigInt(e.amountUsd.replace('.', '')), 0n);
      expect(cents).toBe(0n);
    }
  });

  it('corrects by reversal, once, and refuses a reversal that would overdraw', async () => {
    const fund = await instrument();
    const first = await ok(await receipt(fund.id, '100.00'));
    await ok(await allocation(fund.id, '80.00'));
    // Reversing the receipt would take back money already allocated.
    const blocked = await finance.client.post(`/api/funding/transactions/${first.id}/reversal`, { reason: 'Wrong donor' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.code).toBe('funding.insufficient-funds');

    const second = await ok(await receipt(fund.id, '40.00'));
    const reversal = await ok(
      await finance.client.post(`/api/funding/transactions/${second.id}/reversal`, { reason: 'Posted twice', valueDate: '2026-02-10' }),
    );
    expect(reversal).toMatchObject({ kind: 'reversal', reversesId: second.id, amountUsd: '40.00' });
    const again = await finance.client.post(`/api/funding/transactions/${second.id}/reversal`, { reason: 'Again' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('funding.already-reversed');
    expect((await finance.client.get(`/api/funding/transactions/${second.id}`)).body.reversedById).toBe(reversal.id);
  });

  it('never changes a posted transaction, even straight in the database', async () => {
    const fund = await instrument();
    const posted = await ok(await receipt(fund.id, '10.00'));
    await expect(t.db.query(`update ledger_transactions set amount_usd = 1 where id = '${posted.id}'`)).rejects.toThrow(/never changed/);
    await expect(t.db.query(`delete from ledger_entries where transaction_id = '${posted.id}'`)).rejects.toThrow(/never changed/);
  });

  it('refuses an unbalanced transaction at commit, even straight in the database', async () => {
    const fund = await instrument();
    const posted = await ok(await receipt(fund.id, '10.00'));
    const account = (
      await t.db.query<{ account_id: string }>(`select account_id from ledger_entries where transaction_id = '${posted.id}' limit 1`)
    ).rows[0];
    await expect(
      t.db.transaction(async (tx) => {
        const id = (
          await tx.query<{
            id: string;
          }>(`insert into ledger_transactions (kind, instrument_id, value_date, currency, amount, usd_per_unit, amount_usd, posted_by)
            values ('receipt', '${fund.id}', '2026-01-01', 'USD', 5, 1, 5, 'test') returning id`)
        ).rows[0].id;
        await tx.query(
          `insert into ledger_entries (transaction_id, account_id, amount, amount_usd) values ('${id}', '${account.account_id}', 5, 5)`,
        );
      }),
    ).rejects.toThrow(/not balanced/);
  });

  it('converts other currencies at the latest rate on or before the value date, exactly', async () => {
    const fund = await instrument();
    const missing = await receipt(fund.id, '1000.00', { currency: 'EUR', valueDate: '2020-01-01' });
    expect(missing.status).toBe(409);
    expect(missing.body.code).toBe('funding.exchange-rate-missing');
    await ok(
      await donorOfficer.client.post('/api/funding/rates', { currency: 'EUR', rateDate: '2025-12-31', usdPerUnit: '1.1', source: 'test' }),
    );
    await ok(
      await donorOfficer.client.post('/api/funding/rates', {
        currency: 'EUR',
        rateDate: '2026-02-15',
        usdPerUnit: '1.333333',
        source: 'test',
      }),
    );
    const early = await ok(await receipt(fund.id, '1000.00', { currency: 'EUR', valueDate: '2026-02-01' }));
    expect(early).toMatchObject({ currency: 'EUR', amountUsd: '1100.00' });
    const late = await ok(await receipt(fund.id, '0.10', { currency: 'EUR', valueDate: '2026-03-01' }));
    expect(late.amountUsd).toBe('0.13');
  });
});

describe('idempotency keys', () => {
  it('posts once for any number of retries with the same key, and refuses the key for another request', async () => {
    const fund = await instrument();
    const key = randomUUID();
    const body = { instrumentId: fund.id, amount: '25.00', valueDate: '2026-02-01' };
    const first = await finance.client.post('/api/funding/receipts', body, { 'idempotency-key': key });
    const retry = await finance.client.post('/api/funding/receipts', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect((await finance.client.get(`/api/funding/transactions?instrumentId=${fund.id}`)).body.total).toBe(1);

    const changed = await finance.client.post('/api/funding/receipts', { ...body, amount: '26.00' }, { 'idempotency-key': key });
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('request.idempotency-key-reused');

    const none = await finance.client.request('POST', '/api/funding/receipts', body);
    expect(none.status).toBe(400);
    expect(none.body.code).toBe('request.idempotency-key-missing');
    expect((await finance.client.get(`/api/funding/transactions?instrumentId=${fund.id}`)).body.total).toBe(1);
  });

  it('forgets keys after their retention period, and only those', async () => {
    const fund = await instrument();
    const oldKey = randomUUID();
    const recentKey = randomUUID();
    const body = { instrumentId: fund.id, amount: '1.00', valueDate: '2026-02-01' };
    await ok(await finance.client.post('/api/funding/receipts', body, { 'idempotency-key': oldKey }));
    await ok(await finance.client.post('/api/funding/receipts', body, { 'idempotency-key': recentKey }));
    await t.db.query(`update idempotency_keys set created_at = now() - make_interval(days => $1) where key = $2`, [
      IDEMPOTENCY_RETENTION_DAYS + 1,
      oldKey,
    ]);
    expect(await pruneIdempotencyKeys(t.db)).toBeGreaterThanOrEqual(1);
    const left = await t.db.query<{ key: string }>(`select key from idempotency_keys where key = any($1::text[])`, [[oldKey, recentKey]]);
    expect(left.rows.map((r) => r.key)).toEqual([recentKey]);
  });

  it('lets a request that failed be retried with its key', async () => {
    const fund = await instrument();
    const key = randomUUID();
    const body = { instrumentId: fund.id, amount: '5.00', budgetLineId: lineId, valueDate: '2026-02-02' };
    expect((await finance.client.post('/api/funding/allocations', body, { 'idempotency-key': key })).status).toBe(409);
    await ok(await receipt(fund.id, '5.00'));
    expect((await finance.client.post('/api/funding/allocations', body, { 'idempotency-key': key })).status).toBe(201);
  });
});

describe('visibility and figures', () => {
  it("keeps a restricted instrument's money out of other organisations' figures and off the public page", async () => {
    const secret = await instrument('restricted', otherDonor);
    const open = await instrument('public');
    await ok(await receipt(secret.id, '7000.00'));
    await ok(await receipt(open.id, '300.00'));
    await ok(await allocation(open.id, '200.00'));

    const donorView = await ok(await donorOfficer.client.get('/api/funding/overview'), 200);
    expect(donorView.donors.some((d: any) => d.donorOrgId === otherDonor.organisationId)).toBe(false);
    const ownerView = await ok(await otherDonor.client.get('/api/funding/overview'), 200);
    expect(ownerView.donors.find((d: any) => d.donorOrgId === otherDonor.organisationId).received).toBe('7000.00');
    expect((await donorOfficer.client.get(`/api/funding/instruments/${secret.id}`)).status).toBe(404);

    const anonymous = new (finance.client.constructor as any)(t.app);
    const publicView = await ok(await anonymous.get('/api/public/funding'), 200);
    expect(publicView.flows).toBeUndefined();
    expect(publicView.totals.received).toBe('300.00');
    expect(publicView.totals.allocated).toBe('200.00');
    expect((await anonymous.get('/api/funding/overview')).status).toBe(401);
  });

  it('shows pledges beside funding without counting them, and the gap, burn and runway', async () => {
    const org = await t.organisation('donor');
    const officer = await t.user(['donor_officer'], org.id);
    const fund = await ok(
      await officer.client.post('/api/funding/instruments', {
        donorOrgId: org.id,
        name: 'Fund',
        kind: 'grant',
        classification: 'restricted',
      }),
    );
    const viewer = finance; // force headquarters sees restricted records
    await ok(
      await officer.client.post('/api/funding/pledges', {
        instrumentId: fund.id,
        title: 'P',
        amount: '900.00',
        currency: 'USD',
        pledgedOn: '2026-01-10',
      }),
    );
    await ok(await receipt(fund.id, '600.00', { valueDate: '2026-01-20' }));
    await ok(await allocation(fund.id, '600.00'));
    for (const month of ['2026-02', '2026-03', '2026-04'])
      await ok(
        await finance.client.post('/api/funding/disbursements', {
          instrumentId: fund.id,
          amount: '100.00',
          budgetLineId: lineId,
          payeeOrgId: partnerOrgId,
          valueDate: `${month}-15`,
        }),
      );
    const view = await ok(await viewer.client.get('/api/funding/overview?from=2026-01-01&to=2026-04-30'), 200);
    const row = view.donors.find((d: any) => d.donorOrgId === org.id);
    expect(row).toMatchObject({ pledged: '900.00', received: '600.00', allocated: '600.00', disbursed: '300.00' });
    const fundFlows = view.flows.filter((f: any) => f.instrumentId === fund.id && f.kind === 'disbursement');
    expect(fundFlows).toEqual([expect.objectContaining({ payeeOrgId: partnerOrgId, amountUsd: '300.00' })]);
    expect(view.months.at(-1).month).toBe('2026-04-01');
  });
});
