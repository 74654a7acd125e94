/**
 * Money in an organisation's name, and who sees whom (security review items 11 and 12).
 *  - Money is recorded in an organisation's name only by that organisation or by the
 *    mission's finance staff (funding.post at force headquarters): an EU officer cannot
 *    record an instrument, a pledge, an agreement or a receipt as the US Department of
 *    Defense's, whatever permission a custom role gives them.
 *  - The directory shows a person only to those who work with them: their own organisation
 *    and headquarters; headquarters staff are seen by all; account administrators see all.
 *    Checked against a plain model of that rule over every pair of users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrganisationType } from '../../src/shared/organisations.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let eu: TestUser; // a donor officer of the EU
let us: TestUser; // a donor officer of the US Department of Defense
let finance: TestUser; // the mission's finance staff
let usInstrument: string;

beforeAll(async () => {
  t = await startTestApp();
  eu = await t.user(['donor_officer'], (await t.organisation('donor', { name: t.unique('European Union') })).id);
  us = await t.user(['donor_officer'], (await t.organisation('donor', { name: t.unique('US Department of Defense') })).id);
  finance = await t.user(['finance_officer', 'donor_officer'], (await t.organisation('force_headquarters')).id);
  usInstrument = (await us.client.post('/api/funding/instruments', { donorOrgId: us.organisationId, name: 'DoD grant', kind: 'grant' }))
    .body.id;
});
afterAll(() => t?.close());

const pledge = (instrumentId: string) => ({ instrumentId, title: 'Pledge', amount: '1000.00', currency: 'USD', pledgedOn: '2026-01-02' });

async function countOf(table: string): Promise<number> {
  return (await t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0].n;
}

describe("money in an organisation's name", () => {
  it('refuses an officer of one donor recording an instrument, a pledge or an agreement in the name of another', async () => {
    const before = { instruments: await countOf('funding_instruments'), pledges: await countOf('pledges') };
    const instrument = await eu.client.post('/api/funding/instruments', { donorOrgId: us.organisationId, name: 'Not ours', kind: 'grant' });
    expect(instrument.status).toBe(403);
    expect(instrument.body.detail).toMatch(/only by .*US Department of Defense.* itself or by the mission's finance staff/);
    const pledged = await eu.client.post('/api/funding/pledges', pledge(usInstrument));
    expect(pledged.status).toBe(403);
    const agreement = await eu.client.post('/api/funding/agreements', {
      instrumentId: usInstrument,
      reference: 'A',
      amount: '5.00',
      currency: 'USD',
      signedOn: '2026-01-05',
    });
    expect(agreement.status).toBe(403);
    expect({ instruments: await countOf('funding_instruments'), pledges: await countOf('pledges') }).toEqual(before);
  });

  it("lets the donor itself and the mission's finance staff record it", async () => {
    expect((await us.client.post('/api/funding/pledges', pledge(usInstrument))).status).toBe(201);
    const byFinance = await finance.client.post('/api/funding/instruments', {
      donorOrgId: eu.organisationId,
      name: 'EU trust fund',
      kind: 'trust_fund',
    });
    expect(byFinance.status).toBe(201);
    expect((await finance.client.post('/api/funding/pledges', pledge(usInstrument))).status).toBe(201);
    expect(
      (await finance.client.post('/api/funding/receipts', { instrumentId: usInstrument, amount: '10.00', valueDate: '2026-02-01' })).status,
    ).toBe(201);
  });

  it('does not make finance staff of a custom role outside headquarters: a donor with funding.post records only its own money', async () => {
    const euTreasurer = await t.user(['donor_officer', 'finance_officer'], eu.organisationId);
    const receipt = await euTreasurer.client.post('/api/funding/receipts', {
      instrumentId: usInstrument,
      amount: '10.00',
      valueDate: '2026-02-01',
    });
    expect(receipt.status).toBe(403);
    const own = await euTreasurer.client.post('/api/funding/instruments', { donorOrgId: eu.organisationId, name: 'EU own', kind: 'grant' });
    expect(own.status).toBe(201);
    expect(
      (await euTreasurer.client.post('/api/funding/receipts', { instrumentId: own.body.id, amount: '10.00', valueDate: '2026-02-01' }))
        .status,
    ).toBe(201);
  });
});

describe('the directory', () => {
  interface Person {
    user: TestUser;
    type: OrganisationType;
    admin: boolean;
  }
  let people: Person[];

  beforeAll(async () => {
    const types: OrganisationType[] = ['donor', 'donor', 'contributing_country', 'force_headquarters', 'humanitarian'];
    const orgs = await Promise.all(types.map(async (type) => ({ type, id: (await t.organisation(type)).id })));
    people = [];
    for (const org of orgs) {
      people.push({ user: await t.user(['donor_officer'], org.id), type: org.type, admin: false });
      people.push({ user: await t.user(['auditor'], org.id), type: org.type, admin: false });
    }
    people.push({ user: await t.user(['admin'], orgs[0].id), type: 'donor', admin: true });
  });

  /** The plain rule: the same organisation, or either one at headquarters, or an account administrator looking. */
  const sees = (viewer: Person, person: Person) =>
    viewer.admin ||
    viewer.user.organisationId === person.user.organisationId ||
    viewer.type === 'force_headquarters' ||
    person.type === 'force_headquarters';

  it('shows each person only to those who work with them, in the list and one by one', async () => {
    const ids = new Set(people.map((p) => p.user.id));
    for (const viewer of people) {
      const listed = new Set<string>();
      for (let page = 1; ; page++) {
        const response = await viewer.user.client.get(`/api/users?pageSize=100&page=${page}`);
        expect(response.status).toBe(200);
        for (const item of response.body.items) if (ids.has(item.id)) listed.add(item.id);
        if (response.body.items.length < 100) break;
      }
      for (const person of people) {
        expect(listed.has(person.user.id), `${viewer.type} ${viewer.admin ? 'admin' : ''} lists ${person.type}`).toBe(sees(viewer, person));
        const one = await viewer.user.client.get(`/api/users/${person.user.id}`);
        expect(one.status).toBe(sees(viewer, person) ? 200 : 404);
      }
    }
  });

  it("answers another organisation's person like one that does not exist, and logs it", async () => {
    const [donorA, , donorB] = people;
    const hidden = await donorA.user.client.get(`/api/users/${donorB.user.id}`);
    const missing = await donorA.user.client.get('/api/users/6f1d2c3b-4a59-4e8f-9a7b-1c2d3e4f5a6b');
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ ...missing.body, instance: hidden.body.instance });
    const log = await t.admin.client.get(`/api/security/events?actor=${encodeURIComponent(donorA.user.email)}`);
    const routes = log.body.items.map((e: { status: number; url: string }) => `${e.status} ${e.url}`);
    expect(routes).toContain(`404 /api/users/${donorB.user.id}`);
    expect(routes).not.toContain('404 /api/users/6f1d2c3b-4a59-4e8f-9a7b-1c2d3e4f5a6b');
  });
});
