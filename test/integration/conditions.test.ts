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
    expect(whatIf.body.opened).toEqual({
      count: 1,
      gates: [expect.objectContaining({ subjectType: 'commitment', subjectId: gated, label: 'Offer', labelAr: 'عرض' })],
    });
    expect(whatIf.body.closed).toEqual({ count: 0, gates: [] });
    expect((await officer.client.get(`/api/conditions/${mandate}`)).body.status).toBe('unmet');

    const earliest = await officer.client.get('/api/conditions/earliest-opening?pageSize=100');
    expect(earliest.body.gates.items.find((g: { subjectId: string }) => g.subjectId === gated).opening).toEqual({
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

describe('gates, a page at a time', () => {
  it('lists the gates a condition holds back or unlocks, largest first, and finds a gate by its subject', async () => {
    const blocker = await condition('gates-blocker');
    const other = await condition('gates-other');
    const small = await commitment(blocker, { titleEn: 'Small', moneyUsd: '1.00', personnel: 0 });
    const large = await commitment(blocker, { titleEn: 'Large', moneyUsd: '3.00', personnel: 0 });
    const both = await commitment({ op: 'and', args: [blocker, other] }, { titleEn: 'Both', moneyUsd: '2.00', personnel: 0 });

    const body = await analysis(officer);
    const row = body.conditions.find((c: { id: string }) => c.id === blocker);
    expect(row).toMatchObject({ heldBackGateCount: 3, unlocksGateCount: 2 });
    expect(body).not.toHaveProperty('gates');
    expect(row).not.toHaveProperty('heldBackGateIds');

    const url = `/api/conditions/${blocker}/gates`;
    const first = await officer.client.get(`${url}?pageSize=2`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(first.body.items.map((g: { subjectId: string }) => g.subjectId)).toEqual([large, both]);
    expect(first.body.items[0]).toMatchObject({
      label: 'Large',
      labelAr: 'عرض',
      open: false,
      heldBackBy: [blocker],
      unlockedBy: [blocker],
    });
    const second = await officer.client.get(`${url}?pageSize=2&page=2`);
    expect(second.body.items.map((g: { subjectId: string }) => g.subjectId)).toEqual([small]);
    const unlocks = await officer.client.get(`${url}?relation=unlocks`);
    expect(unlocks.body.items.map((g: { subjectId: string }) => g.subjectId)).toEqual([large, small]);
    expect((await officer.client.get(`${url}?relation=sideways`)).status).toBe(400);
    expect((await officer.client.get('/api/conditions/6f1d2c3b-4a59-4e8f-9a7b-1c2d3e4f5a6b/gates')).status).toBe(404);

    const found = await officer.client.get(`/api/conditions/analysis/gates?subjectType=commitment&subjectId=${both}`);
    expect(found.body.total).toBe(1);
    expect(found.body.items[0]).toMatchObject({ label: 'Both', open: false, values: { money_usd: '2.00' } });
    expect([...found.body.items[0].heldBackBy].sort()).toEqual([blocker, other].sort());
    const detail = await officer.client.get(`/api/conditions/${blocker}`);
    expect(detail.body).toMatchObject({ heldBackGateCount: 3, unlocksGateCount: 2 });
  });

  it('lists at most gateLimit gates that a what-if opens, largest first, and counts them all', async () => {
    const id = await condition('limit-blocker');
    for (const money of ['1.00', '4.00', '2.00']) await commitment(id, { titleEn: `Offer ${money}`, moneyUsd: money, personnel: 0 });
    const response = await officer.client.post('/api/conditions/what-if', { statuses: { [id]: 'met' }, gateLimit: 2 });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.opened.count).toBe(3);
    expect(response.body.opened.gates.map((g: { label: string }) => g.label)).toEqual(['Offer 4.00', 'Offer 2.00']);
  });
});

describe('the analysis keeps its model between requests', () => {
  // Writes append change rows (migration 0006); reads never do.
  const generation = async () => (await t.db.query<{ g: number }>('select count(*)::int as g from analysis_changes')).rows[0].g;

  it('sees a write made straight to the database, bypassing the API', async () => {
    const id = await condition('direct-write');
    const offer = await commitment(id, { titleEn: 'Before', moneyUsd: '7.00', personnel: 0 });
    expect(heldBackBy(await analysis(officer), id).money_usd).toBe('7.00');
    const unchanged = await generation();
    expect(heldBackBy(await analysis(officer), id).money_usd).toBe('7.00');
    expect(await generation()).toBe(unchanged);

    await t.db.query(`update commitments set money_usd = 9.50, title_en = 'After', title_ar = 'بعد' where id = $1`, [offer]);
    expect(await generation()).toBeGreaterThan(unchanged);
    expect(heldBackBy(await analysis(officer), id).money_usd).toBe('9.50');
    const whatIf = await officer.client.post('/api/conditions/what-if', { statuses: { [id]: 'met' } });
    expect(whatIf.body.opened.gates).toEqual([expect.objectContaining({ subjectId: offer, label: 'After', labelAr: 'بعد' })]);

    // Evidence written in SQL moves the statuses of an earlier date too.
    expect(heldBackBy(await analysis(officer, '?asOf=2025-03-01'), id).money_usd).toBe('9.50');
    await t.db.query(
      `insert into condition_evidence (condition_id, dated_on, status, source, recorded_by) values ($1, '2025-02-01', 'met', 'sql', 'sql')`,
      [id],
    );
    expect(heldBackBy(await analysis(officer, '?asOf=2025-03-01'), id).money_usd).toBe('0.00');

    await t.db.query('delete from gates where subject_id = $1', [offer]);
    expect(heldBackBy(await analysis(officer), id).money_usd).toBe('0.00');
  });

  it('never gives one organisation the model built for another', async () => {
    const id = await condition('cache-restricted', { classification: 'mission' });
    await commitment(id, { titleEn: 'Restricted offer', moneyUsd: '11.00', personnel: 0, classification: 'restricted' });
    const at = await generation();
    // Alternating callers at one generation: each is answered from their own model.
    for (let round = 0; round < 2; round++) {
      expect(heldBackBy(await analysis(officer), id).money_usd).toBe('11.00');
      expect(heldBackBy(await analysis(otherOfficer), id).money_usd).toBe('0.00');
      expect(heldBackBy(await analysis(hq), id).money_usd).toBe('11.00');
      const theirs = await otherOfficer.client.post('/api/conditions/what-if', { statuses: { [id]: 'met' } });
      expect(theirs.body.opened).toEqual({ count: 0, gates: [] });
      const gates = await otherOfficer.client.get(`/api/conditions/${id}/gates`);
      expect(gates.body.total).toBe(0);
      const ours = await officer.client.post('/api/conditions/what-if', { statuses: { [id]: 'met' } });
      expect(ours.body.opened.gates.map((g: { label: string }) => g.label)).toEqual(['Restricted offer']);
    }
    expect(await generation()).toBe(at);
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
