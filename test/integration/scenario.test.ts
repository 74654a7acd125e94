import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ConcordApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { DEMO_PASSWORD } from '../../src/server/scenario/gaza.ts';
import { readConditionsScenario } from '../../src/server/scenario/gaza-conditions.ts';
import { prepareDatabase } from '../../src/server/server.ts';
import { Client } from '../support/test-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const TABLES = ['stakeholders', 'conditions', 'condition_stakeholders', 'condition_evidence', 'positions', 'commitments', 'gates'];

let testDb: TestDb;
let app: ConcordApp;
let political: Client;
let first: { seeded: boolean };
let second: { seeded: boolean };
let afterFirst: Record<string, number>;
let afterSecond: Record<string, number>;

async function counts(): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of [...TABLES, 'audit_log', 'seeds']) {
    result[table] = Number((await testDb.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0].n);
  }
  return result;
}

beforeAll(async () => {
  testDb = await createTestDb();
  first = await prepareDatabase(testDb.db, 'gaza');
  afterFirst = await counts();
  second = await prepareDatabase(testDb.db, 'gaza');
  afterSecond = await counts();
  app = await buildApp({ db: testDb.db, config: { ...loadConfig({}), seed: 'gaza' } });
  political = new Client(app);
  const signedIn = await political.signIn('political@concord.example', DEMO_PASSWORD);
  expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await testDb?.drop();
});

describe('the Gaza scenario with its conditions', () => {
  it('loads every stakeholder, condition, evidence entry, position and commitment of scenario.json once', async () => {
    const data = await readConditionsScenario();
    expect(first.seeded).toBe(true);
    expect(afterFirst).toMatchObject({
      stakeholders: data.stakeholders.length,
      conditions: data.conditions.length,
      condition_stakeholders: data.conditions.reduce((n, c) => n + new Set(c.stakeholders).size, 0),
      condition_evidence: data.conditions.reduce((n, c) => n + c.evidence.length, 0),
      positions: data.positions.length,
      commitments: data.commitments.length,
      gates: data.commitments.filter((m) => m.gate).length,
    });
    const markers = await testDb.db.query<{ name: string }>('select name from seeds order by name');
    expect(markers.rows.map((r) => r.name)).toEqual(['gaza', 'gaza-conditions']);
    const audit = await testDb.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where action = 'scenario.gaza-conditions.load'`,
    );
    expect(Number(audit.rows[0].n)).toBe(1);
  });

  it('adds nothing on a second run', () => {
    expect(second.seeded).toBe(false);
    expect(afterSecond).toEqual(afterFirst);
  });

  it('leaves each condition in the status its latest evidence gives, public and owned by the Board of Peace', async () => {
    const data = await readConditionsScenario();
    const response = await political.get('/api/conditions?pageSize=100');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const byCode = new Map(response.body.items.map((c: any) => [c.code, c]));
    for (const c of data.conditions) expect((byCode.get(c.code) as any)?.status, c.code).toBe(c.status);
    const mandate = byCode.get('unsc_mandate') as any;
    expect(mandate.status).toBe('met');
    expect(mandate.titleEn).toContain('Security Council');
    const board = await testDb.db.query<{ id: string }>(`select id from organisations where name = 'Board of Peace'`);
    expect(new Set(response.body.items.map((c: any) => c.ownerOrgId))).toEqual(new Set([board.rows[0].id]));
    expect(new Set(response.body.items.map((c: any) => c.classification))).toEqual(new Set(['public']));
    // Requirements are stored over condition ids, not codes.
    const regional = byCode.get('regional_guarantees') as any;
    expect(regional.requires).toBe((byCode.get('two_state_commitment') as any).id);
    // A condition with no column for it keeps its illustrative mark in its evidence.
    const detail = await political.get(`/api/conditions/${regional.id}`);
    expect(detail.status, JSON.stringify(detail.body)).toBe(200);
    expect(detail.body.evidence.length).toBeGreaterThan(0);
    expect(detail.body.evidence.every((e: any) => e.note.endsWith('(illustrative)') && e.sourceUrl)).toBe(true);
  });

  it("gates Indonesia's 8,000 troops, held back by an unmet condition, with a first-ranked condition for personnel", async () => {
    const commitments = await political.get('/api/commitments?pageSize=100');
    expect(commitments.status, JSON.stringify(commitments.body)).toBe(200);
    const indonesia = commitments.body.items.find((m: any) => m.titleEn.startsWith('Indonesia'));
    expect(indonesia).toMatchObject({ personnel: 8000, illustrative: false, classification: 'public' });
    expect(indonesia.gate).toMatchObject({ op: 'and' });
    const liaisonOrg = await testDb.db.query<{ id: string }>(`select id from organisations where name = 'Indonesia'`);
    expect(indonesia.ownerOrgId).toBe(liaisonOrg.rows[0].id);

    const analysis = await political.get('/api/conditions/analysis');
    expect(analysis.status, JSON.stringify(analysis.body)).toBe(200);
    const codes = new Map(analysis.body.conditions.map((c: any) => [c.id, c]));
    const gates = await political.get(`/api/conditions/analysis/gates?subjectType=commitment&subjectId=${indonesia.id}`);
    expect(gates.status, JSON.stringify(gates.body)).toBe(200);
    expect(gates.body.total).toBe(1);
    const gate = gates.body.items[0];
    expect(gate).toMatchObject({ subjectType: 'commitment', open: false, values: { personnel: 8000 } });
    expect(gate.heldBackBy.length).toBeGreaterThan(0);
    for (const id of gate.heldBackBy) expect(['met', 'waived']).not.toContain((codes.get(id) as any).status);
    const heldBackCodes = gate.heldBackBy.map((id: string) => (codes.get(id) as any).code);
    expect(heldBackCodes).not.toContain('unsc_mandate');

    const pole = analysis.body.longPole.personnel.conditions;
    expect(pole.length).toBeGreaterThan(0);
    expect(pole[0].heldBack.personnel).toBeGreaterThanOrEqual(8000);
    expect(heldBackCodes).toContain(pole[0].code);
  });
});
