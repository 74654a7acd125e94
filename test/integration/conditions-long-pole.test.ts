import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longPoleReport } from '../../src/cli/long-pole.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

// The long pole with OR gates: a gate that opens when either of two conditions is met is
// held back by neither alone, yet both stand in front of it. The ranking, the gates' own
// answers and the command line's report must say so, and never that nothing holds back
// something blocked, even when what blocks it is a condition the caller may not see.

let t: TestApp;
let officer: TestUser; // political officer of the authority: owns the conditions below
let donor: TestUser; // political officer of a donor: owns a condition no one else may see
let israel: string;
let cyprus: string;

beforeAll(async () => {
  t = await startTestApp();
  officer = await t.user(['political_officer'], (await t.organisation('authority')).id);
  donor = await t.user(['political_officer'], (await t.organisation('donor')).id);
  israel = await stakeholder(officer, 'Israel', 'إسرائيل');
  cyprus = await stakeholder(officer, 'Cyprus', 'قبرص');
});
afterAll(() => t?.close());

async function stakeholder(who: TestUser, name: string, nameAr: string) {
  const response = await who.client.post('/api/stakeholders', { name, nameAr, kind: 'government' });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

async function condition(who: TestUser, code: string, extra: Record<string, unknown> = {}) {
  const response = await who.client.post('/api/conditions', { code, titleEn: code, titleAr: code, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

async function commitment(who: TestUser, titleEn: string, gate: unknown, extra: Record<string, unknown> = {}) {
  const response = await who.client.post('/api/commitments', { stakeholderId: israel, titleEn, titleAr: titleEn, gate, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

async function get(who: TestUser, url: string) {
  const response = await who.client.get(url);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

const or = (...args: unknown[]) => ({ op: 'or', args });
const and = (...args: unknown[]) => ({ op: 'and', args });

describe('a gate behind an OR', () => {
  let crossing: string;
  let sea: string;
  let trucks: string;

  beforeAll(async () => {
    crossing = await condition(officer, 'kerem-shalom-open', { stakeholderIds: [israel] });
    sea = await condition(officer, 'larnaca-corridor', { stakeholderIds: [cyprus] });
    trucks = await commitment(officer, 'Aid convoys', or(crossing, sea), { aidTrucksPerDay: 100 });
  });

  it('ranks both conditions in the long pole with the 100 trucks a day, though neither holds them back alone', async () => {
    const analysis = await get(officer, '/api/conditions/analysis');
    expect(analysis.totals.blocked.aid_trucks_per_day).toBe(100);
    const pole = analysis.longPole.aid_trucks_per_day;
    expect(pole.conditions.map((c: any) => [c.id, c.inUnlockingSets.aid_trucks_per_day, c.heldBack.aid_trucks_per_day])).toEqual([
      [crossing, 100, 0],
      [sea, 100, 0],
    ]);
    expect(pole.stakeholders.map((s: any) => [s.name, s.inUnlockingSets.aid_trucks_per_day])).toEqual([
      ['Cyprus', 100],
      ['Israel', 100],
    ]);
    const row = analysis.conditions.find((c: any) => c.id === crossing);
    expect(row).toMatchObject({ heldBackGateCount: 0, inUnlockingSetsGateCount: 1, unlocksGateCount: 1 });
    expect(row.unlocks.aid_trucks_per_day).toBe(100);
  });

  it('says on the gate what would open it, and lists it among the gates each condition is in a set of', async () => {
    const gates = await get(officer, `/api/conditions/analysis/gates?subjectType=commitment&subjectId=${trucks}`);
    expect(gates.items).toHaveLength(1);
    expect(gates.items[0]).toMatchObject({ open: false, heldBackBy: [], unlockingSetsTruncated: false });
    expect([...gates.items[0].unlockedBy].sort()).toEqual([crossing, sea].sort());
    expect(gates.items[0].unlockingSets.map((set: any) => set.conditionIds[0]).sort()).toEqual([crossing, sea].sort());
    expect(gates.items[0].unlockingSets.every((set: any) => set.conditionIds.length === 1 && !set.includesHidden)).toBe(true);

    for (const id of [crossing, sea]) {
      const inSets = await get(officer, `/api/conditions/${id}/gates?relation=inUnlockingSets`);
      expect(inSets.items.map((g: any) => g.subjectId)).toEqual([trucks]);
      expect((await get(officer, `/api/conditions/${id}/gates?relation=heldBack`)).total).toBe(0);
      const detail = await get(officer, `/api/conditions/${id}`);
      expect(detail).toMatchObject({ inUnlockingSetsGateCount: 1, heldBackGateCount: 0 });
      expect(detail.inUnlockingSets.aid_trucks_per_day).toBe(100);
    }
    const list = await get(officer, '/api/conditions?pageSize=100');
    expect(list.items.find((c: any) => c.id === sea).inUnlockingSets.aid_trucks_per_day).toBe(100);
  });

  it('reports both on the command line, with the measures explained, and never that nothing holds them back', async () => {
    const report = longPoleReport(await get(officer, '/api/conditions/analysis'), 'aid_trucks_per_day');
    expect(report).toContain('Blocked: 100 aid trucks per day.');
    const rows = report.split('\n').filter((line) => /^\d+ /.test(line));
    expect(rows[0]).toMatch(/^1\s+kerem-shalom-open\s+kerem-shalom-open\s+100\s+0$/);
    expect(rows[1]).toMatch(/^2\s+larnaca-corridor\s+larnaca-corridor\s+100\s+0$/);
    expect(report).toContain('with others: ');
    expect(report).toContain('alone: ');
    expect(report).not.toMatch(/nothing/i);
  });

  it('credits money behind an OR in a pledge tranche the same way, and stops once one side is met', async () => {
    const congress = await condition(officer, 'congress-appropriates');
    const gulf = await condition(officer, 'gulf-guarantee');
    const donorOfficer = await t.user(['donor_officer'], donor.organisationId);
    const instrument = await donorOfficer.client.post('/api/funding/instruments', {
      donorOrgId: donor.organisationId,
      name: t.unique('Stabilization fund'),
      kind: 'trust_fund',
    });
    expect(instrument.status, JSON.stringify(instrument.body)).toBe(201);
    const pledge = await donorOfficer.client.post('/api/funding/pledges', {
      instrumentId: instrument.body.id,
      title: 'Reconstruction pledge',
      amount: '2500.00',
      currency: 'USD',
      pledgedOn: '2026-01-15',
      tranches: [{ amount: '2500.00', gate: and(crossing, or(congress, gulf)) }],
    });
    expect(pledge.status, JSON.stringify(pledge.body)).toBe(201);
    const money = (await get(officer, '/api/conditions/analysis')).longPole.money_usd.conditions;
    // The crossing is needed in every way (alone); Congress and the Gulf guarantee are alternatives.
    expect(money.map((c: any) => [c.id, c.inUnlockingSets.money_usd, c.heldBack.money_usd])).toEqual([
      [crossing, '2500.00', '2500.00'],
      [congress, '2500.00', '0.00'],
      [gulf, '2500.00', '0.00'],
    ]);

    const met = await officer.client.post(`/api/conditions/${gulf}/evidence`, { datedOn: '2026-02-01', status: 'met', source: 'Signed' });
    expect(met.status, JSON.stringify(met.body)).toBe(201);
    const after = (await get(officer, '/api/conditions/analysis')).longPole.money_usd.conditions;
    expect(after.map((c: any) => [c.id, c.inUnlockingSets.money_usd, c.heldBack.money_usd])).toEqual([[crossing, '2500.00', '2500.00']]);
  });
});

describe('a gate blocked by a condition the caller may not see', () => {
  it('is reported as blocked by a condition they cannot see, never as held back by nothing', async () => {
    // The donor's own condition, restricted to the donor; the donor's commitment, for all partners.
    const secret = await condition(donor, 'donor-board-approval', { classification: 'restricted' });
    const visible = await condition(donor, 'donor-visible-check');
    const hiddenOnly = await commitment(donor, 'Field hospitals', secret, { projects: 3 });
    const either = await commitment(donor, 'Water network', or(secret, visible), { projects: 2 });

    const analysis = await get(officer, '/api/conditions/analysis');
    expect(analysis.totals.blockedOnlyByHidden.projects).toBe(3);
    expect(analysis.conditions.map((c: any) => c.id)).not.toContain(secret);
    // The water network counts for the visible condition; the hospitals for no one the officer may see.
    expect(analysis.longPole.projects.conditions.map((c: any) => [c.id, c.inUnlockingSets.projects])).toEqual([[visible, 2]]);

    const hospital = (await get(officer, `/api/conditions/analysis/gates?subjectType=commitment&subjectId=${hiddenOnly}`)).items[0];
    expect(hospital).toMatchObject({
      open: false,
      heldBackBy: [],
      unlockedBy: [],
      unlockingSets: [{ conditionIds: [], includesHidden: true }],
    });
    const water = (await get(officer, `/api/conditions/analysis/gates?subjectType=commitment&subjectId=${either}`)).items[0];
    expect(water.unlockingSets).toEqual(
      expect.arrayContaining([
        { conditionIds: [visible], includesHidden: false },
        { conditionIds: [], includesHidden: true },
      ]),
    );
    expect(JSON.stringify([analysis, hospital, water])).not.toContain(secret);

    const report = longPoleReport(analysis, 'projects');
    expect(report).toContain('Blocked: 5 projects.');
    expect(report).toContain('Of that, 3 waits only on conditions you may not see.');

    // The donor sees their own condition in both.
    const theirs = await get(donor, '/api/conditions/analysis');
    expect(theirs.totals.blockedOnlyByHidden.projects).toBe(0);
    expect(theirs.longPole.projects.conditions.find((c: any) => c.id === secret).inUnlockingSets.projects).toBe(5);
  });
});
