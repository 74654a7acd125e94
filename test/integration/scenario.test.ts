import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ConcordApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { DEMO_PASSWORD } from '../../src/server/scenario/gaza.ts';
import { readConditionsScenario } from '../../src/server/scenario/gaza-conditions.ts';
import { readFundingScenario } from '../../src/server/scenario/gaza-funding.ts';
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
      // Funding tranches are gated too.
      gates:
        data.commitments.filter((m) => m.gate).length +
        (await readFundingScenario()).pledges.reduce((n, p) => n + p.tranches.filter((t) => t.gate).length, 0),
    });
    const markers = await testDb.db.query<{ name: string }>('select name from seeds order by name');
    expect(markers.rows.map((r) => r.name)).toEqual(['gaza', 'gaza-conditions', 'gaza-funding']);
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

describe('the Gaza scenario with its funding', () => {
  it('loads the funding part once, every posted transaction balanced and every movement illustrative', async () => {
    const data = await readFundingScenario();
    const rows = await testDb.db.query<{
      pledges: number;
      lines: number;
      instruments: number;
      transactions: number;
      unbalanced: number;
      real: number;
    }>(`
      select (select count(*)::int from pledges) as pledges, (select count(*)::int from budget_lines) as lines,
             (select count(*)::int from funding_instruments) as instruments, (select count(*)::int from ledger_transactions) as transactions,
             (select count(*)::int from (select transaction_id from ledger_entries group by 1 having sum(amount_usd) <> 0) x) as unbalanced,
             (select count(*)::int from ledger_transactions where not illustrative) as real`);
    const expectedTransactions = data.movements.reduce((n, m) => n + m.months.length, 0);
    expect(rows.rows[0]).toEqual({
      pledges: data.pledges.length,
      lines: data.budgetLines.length,
      instruments: data.instruments.length,
      transactions: expectedTransactions,
      unbalanced: 0,
      real: 0,
    });
    const markers = await testDb.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where action = 'scenario.gaza-funding.load'`,
    );
    expect(markers.rows[0].n).toBe(1);
  });

  it('shows the US USD 10 billion waiting on Congress, counted once in the long pole', async () => {
    const pledges = await political.get('/api/funding/pledges?pageSize=100');
    expect(pledges.status, JSON.stringify(pledges.body)).toBe(200);
    const us = pledges.body.items.find((p: any) => p.title.startsWith('United States'));
    expect(us).toMatchObject({ amountUsd: '10000000000.00', receivedUsd: '0.00' });
    expect(us.tranches[0].state).toBe('blocked');
    expect(us.tranches[0].waitsOn.map((c: any) => c.code)).toEqual(['congress_appropriation']);

    const analysis = await political.get('/api/conditions/analysis');
    const congress = analysis.body.conditions.find((c: any) => c.code === 'congress_appropriation');
    expect(congress.heldBack.money_usd).toBe('10000000000.00');
  });

  it('gives the public the figures the ledger adds up to', async () => {
    const figures = await new Client(app).get('/api/public/funding');
    expect(figures.status, JSON.stringify(figures.body)).toBe(200);
    const sum = async (kind: string) =>
      (
        await testDb.db.query<{ total: string }>(
          `select coalesce(sum(case when t.kind = 'reversal' then -t.amount_usd else t.amount_usd end), 0)::numeric(20,2)::text as total
           from ledger_transactions t left join ledger_transactions o on o.id = t.reverses_id where coalesce(o.kind, t.kind) = $1`,
          [kind],
        )
      ).rows[0].total;
    expect(figures.body.totals).toMatchObject({
      received: await sum('receipt'),
      allocated: await sum('allocation'),
      disbursed: await sum('disbursement'),
      spent: await sum('expenditure'),
      pledged: '18200000000.00',
    });
    expect(Number(figures.body.totals.received)).toBeGreaterThan(0);
    expect(figures.body.runwayMonths).toBeGreaterThan(0);
  });
});
