/**
 * One gate state for every capability: a funding tranche gated by a condition the viewer may
 * not see is blocked or open alike on the pledge page, in the requirements graph and in the
 * analysis's gate list, and the viewer learns how many conditions it waits on, never which.
 * Gates belong to their subjects, and the server refuses to start with gates of a type the
 * app does not list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/server.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let donorOfficer: TestUser; // records the pledge (mission-wide)
let political: TestUser; // owns a restricted condition
let viewer: TestUser; // another organisation's political officer: sees the pledge, not the condition
let finance: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  donorOfficer = await t.user(['donor_officer'], (await t.organisation('donor')).id);
  political = await t.user(['political_officer'], (await t.organisation('authority')).id);
  viewer = await t.user(['donor_officer'], (await t.organisation('donor')).id);
  finance = await t.user(['finance_officer'], (await t.organisation('force_headquarters')).id);
});
afterAll(() => t?.close());

async function ok(response: { status: number; body: any }, status = 201) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

const code = (prefix: string) =>
  t
    .unique(prefix)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');

async function condition(extra: Record<string, unknown> = {}) {
  return (await ok(await political.client.post('/api/conditions', { code: code('gate'), titleEn: 'Secret', titleAr: 'سري', ...extra })))
    .id as string;
}

async function gatedPledge(gate: unknown) {
  const fund = await ok(
    await donorOfficer.client.post('/api/funding/instruments', {
      donorOrgId: donorOfficer.organisationId,
      name: t.unique('Instrument'),
      kind: 'grant',
      classification: 'mission',
    }),
  );
  return ok(
    await donorOfficer.client.post('/api/funding/pledges', {
      instrumentId: fund.id,
      title: t.unique('Pledge'),
      amount: '500.00',
      currency: 'USD',
      pledgedOn: '2026-01-15',
      tranches: [{ amount: '500.00', gate }],
    }),
  );
}

/** The tranche's state as each place shows it to `who`. */
async function everywhere(who: TestUser, pledgeId: string) {
  const pledge = await ok(await who.client.get(`/api/funding/pledges/${pledgeId}`), 200);
  const tranche = pledge.tranches[0];
  const graph = await ok(await who.client.get('/api/conditions/graph'), 200);
  const gates = await ok(await who.client.get(`/api/conditions/analysis/gates?subjectType=funding_tranche&subjectId=${tranche.id}`), 200);
  return {
    page: tranche.state,
    graph: graph.gates.find((g: { subjectId: string }) => g.subjectId === tranche.id)?.open,
    analysis: gates.items[0]?.open,
    tranche,
    // What the gate state and the analysis say (the tranche's stored gate expression is not theirs).
    text: JSON.stringify({ state: { ...tranche, gate: undefined }, graph, gates }),
  };
}

describe('the gate state', () => {
  it('is the same on the pledge page, in the graph and in the analysis for a viewer who may not see the blocking condition', async () => {
    const secret = await condition({ classification: 'restricted', sharedWith: [donorOfficer.organisationId] });
    const pledge = await gatedPledge(secret);
    expect(pledge.tranches[0]).toMatchObject({ state: 'blocked', hiddenWaitsOn: 0 });
    expect(pledge.tranches[0].waitsOn.map((c: { id: string }) => c.id)).toEqual([secret]);

    const before = await everywhere(viewer, pledge.id);
    expect(before).toMatchObject({ page: 'blocked', graph: false, analysis: false });
    expect(before.tranche).toMatchObject({ waitsOn: [], hiddenWaitsOn: 1, opensOn: null });
    expect(before.text).not.toContain(secret);

    await ok(await political.client.post(`/api/conditions/${secret}/evidence`, { datedOn: '2026-03-01', status: 'met', source: 'Report' }));
    const after = await everywhere(viewer, pledge.id);
    expect(after).toMatchObject({ page: 'open', graph: true, analysis: true });
    expect(after.tranche).toMatchObject({ waitsOn: [], hiddenWaitsOn: 0 });
    expect(after.text).not.toContain(secret);
    expect(await everywhere(political, pledge.id)).toMatchObject({ page: 'open', graph: true, analysis: true });

    // The ledger asks the same gate state: the receipt goes through now.
    await ok(
      await finance.client.post('/api/funding/receipts', {
        instrumentId: pledge.instrumentId,
        amount: '500.00',
        valueDate: '2026-03-02',
        trancheId: pledge.tranches[0].id,
      }),
    );
    expect((await everywhere(viewer, pledge.id)).page).toBe('received');
  });

  it('says when a blocked subject is expected to open, from the target dates of what it waits on, and counts what is hidden', async () => {
    const early = await condition({ targetDate: '2026-06-01', classification: 'mission' });
    const late = await condition({ targetDate: '2026-09-30', classification: 'restricted', sharedWith: [donorOfficer.organisationId] });
    const undated = await condition({ classification: 'mission' });
    const both = await gatedPledge({ op: 'and', args: [early, late] });
    const either = await gatedPledge({ op: 'or', args: [undated, early] });
    const unknown = await gatedPledge(undated);

    const forViewer = async (pledgeId: string) => (await ok(await viewer.client.get(`/api/funding/pledges/${pledgeId}`), 200)).tranches[0];
    expect(await forViewer(both.id)).toMatchObject({ state: 'expected', opensOn: '2026-09-30', hiddenWaitsOn: 1 });
    expect((await forViewer(both.id)).waitsOn.map((c: { id: string }) => c.id)).toEqual([early]);
    expect(await forViewer(either.id)).toMatchObject({ state: 'expected', opensOn: '2026-06-01', hiddenWaitsOn: 0 });
    expect(await forViewer(unknown.id)).toMatchObject({ state: 'blocked', opensOn: null });
  });
});

describe('gates belong to their subjects', () => {
  it('refuses a gate on a subject that does not exist, and goes when its subject is deleted', async () => {
    const id = await condition();
    await expect(
      t.db.query(`insert into gates (subject_type, subject_id, expression) values ('commitment', gen_random_uuid(), to_jsonb($1::text))`, [
        id,
      ]),
    ).rejects.toThrow(/no commitment with id/);
    await expect(
      t.db.query(`insert into gates (subject_type, subject_id, expression) values ('unheard_of', gen_random_uuid(), to_jsonb($1::text))`, [
        id,
      ]),
    ).rejects.toThrow(/no gated subject type "unheard_of"/);

    const stakeholder = await ok(
      await political.client.post('/api/stakeholders', { name: t.unique('S'), nameAr: 'س', kind: 'government' }),
    );
    const commitment = await ok(
      await political.client.post('/api/commitments', {
        stakeholderId: stakeholder.id,
        titleEn: 'C',
        titleAr: 'ج',
        personnel: 5,
        gate: id,
      }),
    );
    const gates = () => t.db.query('select 1 from gates where subject_id = $1', [commitment.id]);
    expect((await gates()).rowCount).toBe(1);
    await t.db.query('delete from commitments where id = $1', [commitment.id]);
    expect((await gates()).rowCount).toBe(0);
  });

  it('keeps the server from starting while the database holds gates of a type the app does not list', async () => {
    await t.db.query(`create table mystery_things (id uuid primary key default gen_random_uuid())`);
    await t.db.query(`insert into gated_subject_types (type, subject_table) values ('mystery_thing', 'mystery_things')`);
    const thing = (await t.db.query<{ id: string }>('insert into mystery_things default values returning id')).rows[0].id;
    await t.db.query(`insert into gates (subject_type, subject_id, expression) values ('mystery_thing', $1, to_jsonb($2::text))`, [
      thing,
      await condition(),
    ]);
    try {
      await expect(
        startServer({ ...loadConfig({}), databaseUrl: t.testDb.url, port: 0, host: '127.0.0.1', seed: 'none' }, { quiet: true }),
      ).rejects.toThrow(/gated subject types that the app does not list: "mystery_thing" \(1 gate\)/);
    } finally {
      await t.db.query(`delete from gates where subject_type = 'mystery_thing'`);
      await t.db.query(`delete from gated_subject_types where type = 'mystery_thing'`);
      await t.db.query('drop table mystery_things');
    }
  });
});
