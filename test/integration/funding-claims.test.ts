/**
 * Reimbursement claims through HTTP: strength figures entered and imported from CSV, the
 * amounts of a claim, its lifecycle and who may move it, visibility, payment as a
 * disbursement in the ledger, and twenty simultaneous payments of one claim (on separate
 * connections at once).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let liaison: TestUser; // contributing country A
let otherLiaison: TestUser; // contributing country B
let finance: TestUser; // force headquarters
let treasurer: TestUser; // force headquarters too: pays what `finance` approved (separation of duties)
let humanitarian: TestUser; // may report spending, but is no contributing country
let countryId: string;
let instrumentId: string;
let lineId: string;

beforeAll(async () => {
  t = await startTestApp();
  const donorOrgId = (await t.organisation('donor')).id;
  countryId = (await t.organisation('contributing_country')).id;
  liaison = await t.user(['contributor_liaison'], countryId);
  otherLiaison = await t.user(['contributor_liaison'], (await t.organisation('contributing_country')).id);
  finance = await t.user(['finance_officer', 'donor_officer'], (await t.organisation('force_headquarters')).id);
  treasurer = await t.user(['finance_officer'], finance.organisationId);
  humanitarian = await t.user(['humanitarian'], (await t.organisation('humanitarian')).id);
  instrumentId = (await ok(await finance.client.post('/api/funding/instruments', { donorOrgId, name: 'Claims fund', kind: 'trust_fund' })))
    .id;
  lineId = (
    await ok(
      await finance.client.post('/api/funding/budget-lines', {
        code: 'CLAIMS-1',
        nameEn: 'Troop reimbursement',
        nameAr: 'سداد تكاليف القوات',
        category: 'personnel_reimbursement',
        periodStart: '2026-01-01',
        periodEnd: '2026-12-31',
        amountUsd: '50000000.00',
      }),
    )
  ).id;
  // Money on the line, through the API: a receipt and its allocation.
  const money = { instrumentId, valueDate: '2026-01-05' };
  await ok(await finance.client.post('/api/funding/receipts', { ...money, amount: '20000000.00' }));
  await ok(await finance.client.post('/api/funding/allocations', { ...money, amount: '20000000.00', budgetLineId: lineId }));
});
afterAll(() => t?.close());

async function ok(response: { status: number; body: any }, status = 201) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

const draft = (who: Pick<TestUser, 'client'>, extra: Record<string, unknown>) =>
  who.client.post('/api/funding/claims', { instrumentId, budgetLineId: lineId, ...extra });

const move = (who: TestUser, id: string, to: string, note = '') =>
  who.client.post(`/api/funding/claims/${id}/transitions`, { to, note, valueDate: '2026-05-01' });

describe('amounts', () => {
  it('pays 800 people for all of a 30-day month USD 1,142,400.00 at the standard USD 1,428', async () => {
    const claim = await ok(await draft(liaison, { contingent: 'Battalion 1', month: '2026-04', personnelDays: 800 * 30 }));
    expect(claim).toMatchObject({
      status: 'drafted',
      daysInMonth: 30,
      rateUsd: '1428.00',
      personnelUsd: '1142400.00',
      equipmentUsd: '0.00',
      totalUsd: '1142400.00',
      countryOrgId: countryId,
      ownerOrgId: countryId,
    });
    expect(claim.events).toEqual([expect.objectContaining({ status: 'drafted' })]);
    expect(claim.transitions).toEqual(['submitted']);
  });

  it('divides by the days of a 31-day month and rounds half up to the cent, and adds equipment lines', async () => {
    // 1,000 person-days × 1,428 ÷ 31 = 46,064.516… → 46,064.52
    const claim = await ok(
      await draft(liaison, {
        contingent: 'Engineers',
        month: '2026-05',
        personnelDays: 1000,
        equipment: [
          { description: 'Armoured personnel carrier', lease: 'wet', quantity: 12, monthlyRateUsd: '5200.50' },
          { description: 'Water purification unit', lease: 'dry', quantity: 3, monthlyRateUsd: '875' },
        ],
      }),
    );
    expect(claim).toMatchObject({ daysInMonth: 31, personnelUsd: '46064.52', equipmentUsd: '65031.00', totalUsd: '111095.52' });
    expect(claim.equipment.map((l: any) => [l.description, l.lease, l.amountUsd])).toEqual([
      ['Armoured personnel carrier', 'wet', '62406.00'],
      ['Water purification unit', 'dry', '2625.00'],
    ]);
  });

  it("uses the instrument's own rate and February's 28 days", async () => {
    const donorOrgId = (await t.organisation('donor')).id;
    const own = await ok(
      await finance.client.post('/api/funding/instruments', {
        donorOrgId,
        name: 'Own rate',
        kind: 'grant',
        reimbursementRateUsd: '1500.00',
      }),
    );
    // 10 person-days × 1,500 ÷ 28 = 535.714… → 535.71
    const claim = await ok(await draft(liaison, { instrumentId: own.id, contingent: 'Medical', month: '2026-02', personnelDays: 10 }));
    expect(claim).toMatchObject({ rateUsd: '1500.00', daysInMonth: 28, personnelUsd: '535.71', totalUsd: '535.71' });
  });

  it('recomputes the amounts when a drafted claim changes, and refuses a claim of nothing', async () => {
    const claim = await ok(await draft(liaison, { contingent: 'Signals', month: '2026-04', personnelDays: 30 }));
    const changed = await ok(await liaison.client.patch(`/api/funding/claims/${claim.id}`, { personnelDays: 60 }), 200);
    expect(changed.totalUsd).toBe('2856.00');
    const none = await liaison.client.patch(`/api/funding/claims/${claim.id}`, { personnelDays: 0 });
    expect(none.status).toBe(400);
    expect((await liaison.client.get(`/api/funding/claims/${claim.id}`)).body.totalUsd).toBe('2856.00');
  });

  it('refuses a second claim for the same contingent and month', async () => {
    await ok(await draft(liaison, { contingent: 'Twice', month: '2026-04', personnelDays: 30 }));
    const again = await draft(liaison, { contingent: 'Twice', month: '2026-04', personnelDays: 30 });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already has a claim for this month/);
  });
});

describe('strength figures', () => {
  it('takes the personnel-days of a claim from the entered strength figure', async () => {
    const entered = await ok(
      await liaison.client.request('PUT', '/api/funding/strengths', { contingent: 'Battalion 2', month: '2026-06', personnelDays: 15000 }),
      200,
    );
    expect(entered).toMatchObject({ countryOrgId: countryId, personnelDays: 15000, source: 'entered' });
    const claim = await ok(await draft(liaison, { contingent: 'Battalion 2', month: '2026-06' }));
    expect(claim).toMatchObject({ personnelDays: 15000, personnelUsd: '714000.00' });
    const missing = await draft(liaison, { contingent: 'Battalion 2', month: '2026-07' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].detail).toMatch(/no strength figure for Battalion 2 in 2026-07/);
  });

  it('imports good rows from CSV and reports each bad row with its line number', async () => {
    const csv = [
      'contingent,month,personnel_days',
      'Battalion 3,2026-01,24800',
      'Battalion 3,2026-13,100',
      ',2026-02,100',
      'Battalion 3,2026-02,-5',
      '"Field hospital, level 2",2026-01,1860',
      'Battalion 3,2026-01,1',
    ].join('\n');
    const result = await ok(await liaison.client.post('/api/funding/strengths/import', { csv }), 200);
    expect(result.imported).toBe(2);
    expect(result.refused).toEqual([
      { line: 3, reason: expect.stringMatching(/month "2026-13"/) },
      { line: 4, reason: expect.stringMatching(/contingent is empty/) },
      { line: 5, reason: expect.stringMatching(/personnel_days "-5"/) },
      { line: 7, reason: expect.stringMatching(/same contingent and month as line 2/) },
    ]);
    const listed = await ok(await liaison.client.get(`/api/funding/strengths?month=2026-01`), 200);
    expect(listed.items.map((s: any) => [s.contingent, s.personnelDays, s.source])).toEqual([
      ['Battalion 3', 24800, 'imported'],
      ['Field hospital, level 2', 1860, 'imported'],
    ]);

    // Corrected, as text/csv from a spreadsheet (byte-order mark, CRLF, columns in another order): the row is updated.
    const again = await ok(
      await liaison.client.request(
        'POST',
        '/api/funding/strengths/import',
        '\uFEFFmonth,contingent,personnel_days\r\n2026-01,Battalion 3,24900\r\n',
        {
          'content-type': 'text/csv',
          'idempotency-key': randomUUID(),
        },
      ),
      200,
    );
    expect(again).toEqual({ imported: 0, updated: 1, unchanged: 0, refused: [] });
  });

  it('refuses a file without the named columns and writes nothing', async () => {
    const response = await liaison.client.post('/api/funding/strengths/import', { csv: 'unit,period,days\nBattalion 9,2026-01,3\n' });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].detail).toMatch(/missing: contingent, month, personnel_days/);
    expect((await liaison.client.get('/api/funding/strengths?contingent=Battalion%209')).body.total).toBe(0);
  });

  it("keeps a country's figures to that country and headquarters", async () => {
    await ok(
      await liaison.client.request('PUT', '/api/funding/strengths', { contingent: 'Private', month: '2026-03', personnelDays: 10 }),
      200,
    );
    expect((await otherLiaison.client.get('/api/funding/strengths?contingent=Private')).body.total).toBe(0);
    expect((await finance.client.get('/api/funding/strengths?contingent=Private')).body.total).toBe(1);
    const forOther = await liaison.client.request('PUT', '/api/funding/strengths', {
      countryOrgId: otherLiaison.organisationId,
      contingent: 'X',
      month: '2026-03',
      personnelDays: 10,
    });
    expect(forOther.status).toBe(403);
    const notACountry = await humanitarian.client.request('PUT', '/api/funding/strengths', {
      contingent: 'X',
      month: '2026-03',
      personnelDays: 10,
    });
    expect(notACountry.status).toBe(403);
    expect(notACountry.body.detail).toMatch(/Only a contributing country/);
  });
});

describe('lifecycle', () => {
  it('goes drafted → submitted → verified → approved → paid, each step an event, and paying posts the disbursement', async () => {
    const claim = await ok(await draft(liaison, { contingent: 'Battalion 4', month: '2026-04', personnelDays: 300 }));
    expect((await move(liaison, claim.id, 'verified')).status).toBe(403); // a country cannot verify its own claim
    const early = await move(finance, claim.id, 'verified');
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'funding.claim-transition' });
    expect(early.body.detail).toMatch(/drafted; it can move to submitted, not to verified/);

    const submitted = await ok(await move(liaison, claim.id, 'submitted'), 200);
    expect(submitted.transitions).toEqual([]); // the country can do nothing more
    expect((await finance.client.get(`/api/funding/claims/${claim.id}`)).body.transitions).toEqual(['verified', 'rejected']);
    const patched = await liaison.client.patch(`/api/funding/claims/${claim.id}`, { personnelDays: 1 });
    expect(patched.status).toBe(409);
    await ok(await move(finance, claim.id, 'verified'), 200);
    expect((await move(finance, claim.id, 'paid')).status).toBe(409); // not approved yet
    await ok(await move(finance, claim.id, 'approved'), 200);
    expect((await finance.client.get(`/api/funding/claims/${claim.id}`)).body.transitions, 'whoever approved does not pay').toEqual([]);
    expect((await treasurer.client.get(`/api/funding/claims/${claim.id}`)).body.transitions).toEqual(['paid']);
    const paid = await ok(await move(treasurer, claim.id, 'paid', 'Paid in May'), 200);
    expect(paid.status).toBe('paid');
    expect(paid.events.map((e: any) => e.status)).toEqual(['drafted', 'submitted', 'verified', 'approved', 'paid']);
    expect(paid.events.at(-1)).toMatchObject({ note: 'Paid in May', recordedBy: treasurer.email });

    const ledger = await ok(await finance.client.get(`/api/funding/transactions?kind=disbursement&payeeOrgId=${countryId}`), 200);
    const disbursement = ledger.items.find((x: any) => x.claimId === claim.id);
    expect(disbursement).toMatchObject({
      id: paid.paidTransactionId,
      amountUsd: '14280.00',
      budgetLineId: lineId,
      payeeOrgId: countryId,
      origin: 'claim',
      valueDate: '2026-05-01',
    });
    const audit = await t.db.query<{ action: string }>(
      `select action from audit_log where entity_id = $1 and action like 'funding.claim.%' order by id`,
      [claim.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'funding.claim.create',
      'funding.claim.submitted',
      'funding.claim.verified',
      'funding.claim.approved',
      'funding.claim.paid',
    ]);
    const twice = await move(treasurer, claim.id, 'paid');
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('funding.claim-paid');
  });

  it('rejects with a note only, and the country reopens, corrects and submits again', async () => {
    const claim = await ok(await draft(liaison, { contingent: 'Battalion 5', month: '2026-04', personnelDays: 300 }));
    await ok(await move(liaison, claim.id, 'submitted'), 200);
    expect((await move(finance, claim.id, 'rejected')).status).toBe(400);
    const rejected = await ok(await move(finance, claim.id, 'rejected', 'The strength figure is not certified.'), 200);
    expect(rejected.status).toBe('rejected');
    expect((await move(finance, claim.id, 'approved')).status).toBe(409);
    await ok(await move(liaison, claim.id, 'drafted', 'Certified figure attached'), 200);
    await ok(await liaison.client.patch(`/api/funding/claims/${claim.id}`, { personnelDays: 290 }), 200);
    const again = await ok(await move(liaison, claim.id, 'submitted'), 200);
    expect(again.events.map((e: any) => e.status)).toEqual(['drafted', 'submitted', 'rejected', 'drafted', 'submitted']);
  });

  it('keeps the claim approved when the line does not hold enough to pay it', async () => {
    const emptyLine = await ok(
      await finance.client.post('/api/funding/budget-lines', {
        code: 'CLAIMS-EMPTY',
        nameEn: 'Empty',
        nameAr: 'فارغ',
        category: 'personnel_reimbursement',
        periodStart: '2026-01-01',
        periodEnd: '2026-12-31',
        amountUsd: '1.00',
      }),
    );
    const claim = await ok(
      await draft(liaison, { contingent: 'Battalion 6', month: '2026-04', personnelDays: 30, budgetLineId: emptyLine.id }),
    );
    await ok(await move(liaison, claim.id, 'submitted'), 200);
    await ok(await move(finance, claim.id, 'verified'), 200);
    await ok(await move(finance, claim.id, 'approved'), 200);
    const refused = await move(treasurer, claim.id, 'paid');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('funding.insufficient-funds');
    const after = await ok(await finance.client.get(`/api/funding/claims/${claim.id}`), 200);
    expect(after).toMatchObject({ status: 'approved', paidTransactionId: null });
    expect(after.events.map((e: any) => e.status)).toEqual(['drafted', 'submitted', 'verified', 'approved']);
  });
});

describe('visibility and permissions', () => {
  it('hides a restricted claim from another country, and shows it to headquarters', async () => {
    const claim = await ok(
      await draft(liaison, { contingent: 'Special unit', month: '2026-04', personnelDays: 30, classification: 'restricted' }),
    );
    expect((await otherLiaison.client.get(`/api/funding/claims/${claim.id}`)).status).toBe(404);
    expect((await otherLiaison.client.get('/api/funding/claims')).body.items.map((c: any) => c.id)).not.toContain(claim.id);
    expect((await move(otherLiaison, claim.id, 'submitted')).status).toBe(404);
    expect((await finance.client.get(`/api/funding/claims/${claim.id}`)).status).toBe(200);
    const mine = await ok(await liaison.client.get(`/api/funding/claims?countryOrgId=${countryId}&month=2026-04&status=drafted`), 200);
    expect(mine.items.map((c: any) => c.id)).toContain(claim.id);
  });

  it("lets no other country submit or change a country's mission claim", async () => {
    const claim = await ok(await draft(liaison, { contingent: 'Open unit', month: '2026-04', personnelDays: 30 }));
    expect((await otherLiaison.client.get(`/api/funding/claims/${claim.id}`)).status).toBe(200);
    expect((await move(otherLiaison, claim.id, 'submitted')).status).toBe(403);
    expect((await otherLiaison.client.patch(`/api/funding/claims/${claim.id}`, { personnelDays: 1 })).status).toBe(403);
  });

  it('lets a country draft claims for itself only; headquarters (with funding.post) names the country', async () => {
    const forOther = await draft(liaison, {
      countryOrgId: otherLiaison.organisationId,
      contingent: 'X',
      month: '2026-04',
      personnelDays: 30,
    });
    expect(forOther.status).toBe(403);
    expect((await draft(humanitarian, { contingent: 'X', month: '2026-04', personnelDays: 30 })).status).toBe(403);
    expect((await draft(finance, { countryOrgId: countryId, contingent: 'X', month: '2026-04', personnelDays: 30 })).status).toBe(403);
    const unnamed = await draft(t.admin, { contingent: 'X', month: '2026-04', personnelDays: 30 });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.errors[0].detail).toMatch(/name the country/);
    const named = await ok(await draft(t.admin, { countryOrgId: countryId, contingent: 'By HQ', month: '2026-04', personnelDays: 30 }));
    expect(named.ownerOrgId).toBe(countryId);
  });
});

describe('paying under concurrency', () => {
  it('pays one approved claim once when twenty payments arrive together', async () => {
    const claim = await ok(await draft(liaison, { contingent: 'Battalion 7', month: '2026-04', personnelDays: 24000 }));
    await ok(await move(liaison, claim.id, 'submitted'), 200);
    await ok(await move(finance, claim.id, 'verified'), 200);
    await ok(await move(finance, claim.id, 'approved'), 200);

    const responses = await Promise.all(Array.from({ length: 20 }, () => move(treasurer, claim.id, 'paid')));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(new Set(responses.filter((r) => r.status === 409).map((r) => r.body.code))).toEqual(new Set(['funding.claim-paid']));

    const posted = await t.db.query<{ n: number; usd: string }>(
      `select count(*)::int as n, sum(amount_usd)::text as usd from ledger_transactions where claim_id = $1`,
      [claim.id],
    );
    expect(posted.rows[0]).toEqual({ n: 1, usd: '1142400.00' });
    const events = await t.db.query<{ n: number }>(`select count(*)::int as n from claim_events where claim_id = $1 and status = 'paid'`, [
      claim.id,
    ]);
    expect(events.rows[0].n).toBe(1);
  });
});

describe('separation of duties', () => {
  /** A claim of the country moved to `status`: submitted by the liaison, verified and approved by `finance`. */
  async function claimAt(status: 'submitted' | 'verified' | 'approved', contingent = t.unique('Duties')) {
    const claim = await ok(await draft(liaison, { contingent, month: '2026-06', personnelDays: 30 }));
    await ok(await move(liaison, claim.id, 'submitted'), 200);
    if (status !== 'submitted') await ok(await move(finance, claim.id, 'verified'), 200);
    if (status === 'approved') await ok(await move(finance, claim.id, 'approved'), 200);
    return claim.id as string;
  }
  const duties = (body: Record<string, boolean>) => t.admin.client.patch('/api/funding/separation-of-duties', body);

  it('refuses payment by whoever approved the claim, whatever their roles; a verifier may pay; headquarters never submits', async () => {
    const approvedBy = await claimAt('approved');
    const refused = await move(finance, approvedBy, 'paid');
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe('Whoever approved a claim cannot pay it.');

    // A liaison who is also the mission's finance staff (a custom role at headquarters) submits, then tries to pay.
    const both = await t.user(['contributor_liaison', 'finance_officer'], finance.organisationId);
    const claim = await ok(
      await draft(both, { countryOrgId: countryId, contingent: t.unique('Both'), month: '2026-06', personnelDays: 30 }),
    );
    const submitted = await both.client.post(`/api/funding/claims/${claim.id}/transitions`, { to: 'submitted' });
    expect(submitted.status, 'headquarters does not submit a country’s claim').toBe(403);
    await ok(await move(liaison, claim.id, 'submitted'), 200);
    await ok(await move(both, claim.id, 'verified'), 200);
    await ok(await move(treasurer, claim.id, 'approved'), 200);
    expect((await move(both, claim.id, 'paid')).status, 'the verifier may pay').toBe(200);

    const after = await ok(await treasurer.client.get(`/api/funding/claims/${approvedBy}`), 200);
    expect(after.status).toBe('approved');
    expect((await move(treasurer, approvedBy, 'paid')).status).toBe(200);
  });

  it("never lets the claiming country's own staff verify, approve or pay it, whatever custom role they hold", async () => {
    const role = t.unique('country_treasurer').replaceAll('-', '_');
    await ok(
      await t.admin.client.post('/api/roles', {
        key: role,
        nameEn: 'Country treasurer',
        nameAr: 'أمين صندوق',
        permissions: ['funding.read', 'funding.report', 'funding.post'],
      }),
    );
    const insider = await t.user([role], countryId);
    const claimId = await claimAt('approved');
    const paying = await move(insider, claimId, 'paid');
    expect(paying.status).toBe(403);
    expect(paying.body.code).toBe('auth.forbidden');
    expect((await t.db.query('select 1 from ledger_transactions where claim_id = $1', [claimId])).rowCount).toBe(0);
    const submittedId = await claimAt('submitted');
    expect((await move(insider, submittedId, 'verified')).status).toBe(403);
    // Nor does a user of the country moved into the headquarters' role set: its organisation is still the country.
    expect((await insider.client.get(`/api/funding/claims/${claimId}`)).body.transitions).toEqual([]);
  });

  it('follows the rules as the mission sets them, and records who changed them', async () => {
    const approvedBy = await claimAt('approved');
    expect((await ok(await duties({ claimPayerNotApprover: false }), 200)).claimPayerNotApprover).toBe(false);
    expect((await finance.client.get(`/api/funding/claims/${approvedBy}`)).body.transitions).toEqual(['paid']);
    expect((await move(finance, approvedBy, 'paid')).status).toBe(200);

    await ok(await duties({ claimPayerNotApprover: true, claimApproverNotVerifier: true }), 200);
    const verified = await claimAt('verified');
    const approving = await move(finance, verified, 'approved');
    expect(approving.status).toBe(403);
    expect(approving.body.detail).toBe('Whoever verified a claim cannot approve it.');
    expect((await move(treasurer, verified, 'approved')).status).toBe(200);
    await ok(await duties({ claimApproverNotVerifier: false }), 200);

    const audit = await t.db.query<{ after: { claimApproverNotVerifier: boolean } }>(
      `select after from audit_log where action = 'funding.separation-of-duties.update' order by id`,
    );
    expect(audit.rows.map((r) => r.after.claimApproverNotVerifier)).toEqual([false, true, false]);
    expect((await finance.client.patch('/api/funding/separation-of-duties', { claimPayerNotApprover: false })).status).toBe(403);
  });
});
