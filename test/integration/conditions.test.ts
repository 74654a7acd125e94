import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let officer: TestUser; // political officer, owns the records
let otherOfficer: TestUser; // political officer of another organisation
let hq: TestUser; // force headquarters: sees restricted records, owns none of them
let stakeholderId: string;

beforeAll(async () => {
  t = await startTestApp();
  officer = await t.user(['political_officer'], (await t.organisation('authority')).id);
  otherOfficer = await t.user(['political_officer'], (await t.organisation('donor')).id);
  hq = await t.user(['political_officer'], (await t.organisation('force_headquarters')).id);
  const created = await officer.client.post('/api/stakeholders', { name: 'Israel', nameAr: 'إسرائيل', kind: 'government' });
  expect(created.status).toBe(201);
  stakeholderId = created.body.id;
});
afterAll(() => t?.close());

async function condition(code: string, extra: Record<string, unknown> = {}, who = officer) {
  const response = await who.client.post('/api/conditions', {
    code,
    titleEn: code,
    titleAr: code,
    stakeholderIds: [stakeholderId],
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

async function commitment(gate: unknown, extra: Record<string, unknown> = {}, who = officer) {
  const response = await who.client.post('/api/commitments', {
    stakeholderId,
    titleEn: 'Offer',
    titleAr: 'عرض',
    moneyUsd: '10000000000.10',
    personnel: 800,
    gate,
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

const analysis = async (who: TestUser, query = '') => {
  const response = await who.client.get(`/api/conditions/analysis${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};
const heldBackBy = (body: any, id: string) => body.conditions.find((c: { id: string }) => c.id === id)?.heldBack;

describe('stakeholders and positions', () => {
  it('keeps the history of positions and answers the stance as of a date', async () => {
    const url = `/api/stakeholders/${stakeholderId}/positions`;
    for (const [stance, statedOn] of [
      ['opposes', '2025-10-01'],
      ['conditional', '2025-11-20'],
    ]) {
      const response = await officer.client.post(url, { topic: 'two-state', stance, statedOn, source: 'Press briefing' });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
    }
    expect((await officer.client.get(url)).body.total).toBe(2);
    const early = await officer.client.get(`${url}?asOf=2025-11-01`);
    expect(early.body.items.map((p: { stance: string }) => p.stance)).toEqual(['opposes']);
    const late = await officer.client.get(`${url}?asOf=2025-12-01`);
    expect(late.body.items.map((p: { stance: string }) => p.stance)).toEqual(['conditional']);
    expect((await officer.client.get(`${url}?asOf=2025-01-01`)).body.total).toBe(0);
    const both = await officer.client.post(url, {
      topic: 'x',
      conditionId: stakeholderId,
      stance: 'supports',
      statedOn: '2025-01-01',
      source: 's',
    });
    expect(both.status).toBe(400);
  });

  it('changes a stakeholder by PATCH, leaving out what it does not name', async () => {
    const changed = await officer.client.patch(`/api/stakeholders/${stakeholderId}`, { nameAr: 'دولة إسرائيل' });
    expect(changed.body).toMatchObject({ name: 'Israel', nameAr: 'دولة إسرائيل', kind: 'government', classification: 'mission' });
    expect((await otherOfficer.client.patch(`/api/stakeholders/${stakeholderId}`, { name: 'x' })).status).toBe(403);
  });
});

describe('conditions, evidence and analysis', () => {
  it('refuses requirement cycles with a problem naming the cycle', async () => {
    const a = await condition('cycle-a');
    const b = await condition('cycle-b', { requires: a });
    const c = await condition('cycle-c', { requires: { op: 'and', args: [b] } });
    const refused = await officer.client.patch(`/api/conditions/${a}`, { requires: c });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('conditions.cycle');
    expect(refused.body.detail).toContain('cycle-a → cycle-c → cycle-b → cycle-a');
    expect((await officer.client.get(`/api/conditions/${a}`)).body.requires).toBeNull();
    const unknown = await officer.client.patch(`/api/conditions/${a}`, { requires: '6f1d2c3b-4a59-4e8f-9a7b-1c2d3e4f5a6b' });
    expect(unknown.status).toBe(400);
  });

  it('evidence sets the status, and the analysis, what-if, as-of and earliest opening follow', async () => {
    const mandate = await condition('mandate', { targetDate: '2026-03-01' });
    const hostages = await condition('hostages', { targetDate: '2026-06-01' });
    const gated = await commitment({ op: 'and', args: [mandate, hostages] });

    let body = await analysis(officer);
    expect(heldBackBy(body, mandate)).toEqual({ money_usd: '10000000000.10', personnel: 800, aid_trucks_per_day: 0, projects: 0 });
    expect(body.longPole.personnel.stakeholders[0]).toMatchObject({ id: stakeholderId, heldBack: { personnel: 800 } });

    const whatIf = await officer.client.post('/api/conditions/what-if', { statuses: { [mandate]: 'met', [hostages]: 'waived' } });
    expect(whatIf.status).toBe(200);
    expect(whatIf.body.gained).toEqual({ money_usd: '10000000000.10', personnel: 800, aid_trucks_per_day: 0, projects: 0 });
    expect((await officer.client.get(`/api/conditions/${mandate}`)).body.status).toBe('unmet');

    const earliest = await officer.client.get('/api/conditions/earliest-opening');
    expect(earliest.body.gates.find((g: { subjectId: string }) => g.subjectId === gated).opening).toEqual({
      kind: 'expected',
      date: '2026-06-01',
    });

    const evidence = await officer.client.post(`/api/conditions/${mandate}/evidence`, {
      datedOn: '2025-11-17',
      status: 'met',
      source: 'UN Security Council resolution 2803',
    });
    expect(evidence.status, JSON.stringify(evidence.body)).toBe(201);
    // Older evidence does not change the current status.
    await officer.client.post(`/api/conditions/${mandate}/evidence`, { datedOn: '2025-01-01', status: 'unmet', source: 'earlier' });
    const detail = await officer.client.get(`/api/conditions/${mandate}`);
    expect(detail.body.status).toBe('met');
    expect(detail.body.evidence.map((e: { status: string }) => e.status)).toEqual(['unmet', 'met']);

    body = await analysis(officer);
    expect(heldBackBy(body, mandate).personnel).toBe(0);
    expect(heldBackBy(body, hostages).personnel).toBe(800);
    const before = await analysis(officer, '?asOf=2025-06-01');
    expect(heldBackBy(before, mandate).personnel).toBe(800);
    const list = await officer.client.get('/api/conditions?status=unmet&pageSize=100');
    expect(list.body.items.find((c: { id: string }) => c.id === hostages).heldBack.personnel).toBe(800);
  });

  it('a what-if writes nothing', async () => {
    const id = await condition('what-if-only');
    const audit = await t.db.query<{ n: number }>('select count(*)::int as n from audit_log');
    await officer.client.post('/api/conditions/what-if', { statuses: { [id]: 'met' } });
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0].n).toBe(audit.rows[0].n);
    expect((await officer.client.get(`/api/conditions/${id}`)).body.status).toBe('unmet');
  });
});

describe('a PATCH changes only the fields it names', () => {
  it("keeps a condition's requirements and stakeholders, and a commitment's money, gate and classification", async () => {
    const required = await condition('kept-required');
    const id = await condition('kept', { requires: required, targetDate: '2026-01-31', classification: 'restricted' });
    const renamed = await officer.client.patch(`/api/conditions/${id}`, { titleEn: 'Renamed' });
    expect(renamed.body).toMatchObject({
      titleEn: 'Renamed',
      requires: required,
      stakeholderIds: [stakeholderId],
      targetDate: '2026-01-31',
      classification: 'restricted',
    });
    const offer = await commitment(id, { classification: 'restricted', illustrative: true });
    const changed = await officer.client.patch(`/api/commitments/${offer}`, { personnel: 8000 });
    expect(changed.body).toMatchObject({
      personnel: 8000,
      moneyUsd: '10000000000.10',
      gate: id,
      classification: 'restricted',
      illustrative: true,
    });
    const ungated = await officer.client.patch(`/api/commitments/${offer}`, { gate: null });
    expect(ungated.body.gate).toBeNull();
  });
});

describe('classification', () => {
  it("a restricted commitment never shows in another organisation's totals", async () => {
    const gate = await condition('congress', { classification: 'mission' });
    await commitment(gate, { moneyUsd: '5.00', personnel: 0, classification: 'restricted' });
    const own = heldBackBy(await analysis(officer), gate);
    expect(own.money_usd).toBe('5.00');
    const other = heldBackBy(await analysis(otherOfficer), gate);
    expect(other.money_usd).toBe('0.00');
    const seen = (await otherOfficer.client.get('/api/commitments?pageSize=100')).body.items.map((c: { moneyUsd: string }) => c.moneyUsd);
    expect(seen).not.toContain('5.00');
  });

  it('answers 404 for a restricted record and 403 to a non-owner who can see it', async () => {
    const hidden = await condition('restricted-condition', { classification: 'restricted' });
    const offer = await commitment(hidden, { classification: 'restricted' });
    for (const url of [`/api/conditions/${hidden}`, `/api/commitments/${offer}`]) {
      expect((await otherOfficer.client.get(url)).status).toBe(404);
      expect((await otherOfficer.client.patch(url, { titleEn: 'x' })).status).toBe(404);
      expect((await hq.client.get(url)).status).toBe(200);
      expect((await hq.client.patch(url, { titleEn: 'x' })).status).toBe(403);
    }
    expect((await hq.client.post(`/api/conditions/${hidden}/evidence`, { datedOn: '2025-01-01', status: 'met', source: 's' })).status).toBe(
      403,
    );
    expect(
      (await otherOfficer.client.post(`/api/conditions/${hidden}/evidence`, { datedOn: '2025-01-01', status: 'met', source: 's' })).status,
    ).toBe(404);
    // Gating on a condition one may not see is refused like an unknown one.
    const refused = await otherOfficer.client.post('/api/commitments', { stakeholderId, titleEn: 'x', titleAr: 'x', gate: hidden });
    expect(refused.status).toBe(400);
    expect((await analysis(otherOfficer)).conditions.map((c: { id: string }) => c.id)).not.toContain(hidden);
  });
});
