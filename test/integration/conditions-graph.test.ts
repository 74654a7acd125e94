import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let officer: TestUser; // political officer, owns the records
let otherOfficer: TestUser; // political officer of another organisation
let stakeholderId: string;

beforeAll(async () => {
  t = await startTestApp();
  officer = await t.user(['political_officer'], (await t.organisation('authority')).id);
  otherOfficer = await t.user(['political_officer'], (await t.organisation('donor')).id);
  const created = await officer.client.post('/api/stakeholders', { name: 'Donor group', nameAr: 'مجموعة المانحين', kind: 'coalition' });
  expect(created.status).toBe(201);
  stakeholderId = created.body.id;
});
afterAll(() => t?.close());

async function condition(code: string, extra: Record<string, unknown> = {}, who = officer) {
  const response = await who.client.post('/api/conditions', { code, titleEn: `${code} (en)`, titleAr: `${code} (ar)`, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

async function commitment(titleEn: string, gate: unknown, extra: Record<string, unknown> = {}, who = officer) {
  const response = await who.client.post('/api/commitments', {
    stakeholderId,
    titleEn,
    titleAr: titleEn,
    moneyUsd: '1000.00',
    gate,
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

interface Ref {
  kind: string;
  id: string;
}
interface Graph {
  asOf: string | null;
  conditions: { id: string; code: string; titleEn: string; titleAr: string; status: string; effective: boolean }[];
  gates: { id: string; subjectType: string; subjectId: string; label: string | null; open: boolean }[];
  junctions: { id: string; op: 'and' | 'or'; holds: boolean }[];
  hidden: boolean;
  edges: { from: Ref; to: Ref; kind: string }[];
}

async function graph(who: TestUser, query = ''): Promise<Graph> {
  const response = await who.client.get(`/api/conditions/graph${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

/** What feeds a node, as "condition:<id>", "junction:and" or "hidden", sorted. */
function inputs(g: Graph, to: Ref): string[] {
  return g.edges
    .filter((e) => e.to.kind === to.kind && e.to.id === to.id)
    .map((e) => {
      if (e.from.kind !== 'junction') return e.from.kind === 'hidden' ? 'hidden' : `condition:${e.from.id}`;
      return `junction:${g.junctions.find((j) => j.id === e.from.id)!.op}`;
    })
    .sort();
}

function junctionInto(g: Graph, to: Ref) {
  const edge = g.edges.find((e) => e.to.kind === to.kind && e.to.id === to.id && e.from.kind === 'junction')!;
  return g.junctions.find((j) => j.id === edge.from.id)!;
}

const gateOf = (g: Graph, subjectId: string) => g.gates.find((gate) => gate.subjectId === subjectId)!;
const conditionOf = (g: Graph, id: string) => g.conditions.find((c) => c.id === id)!;

describe('the requirements graph', () => {
  it('draws AND/OR requirements and gates as junctions, and follows evidence and as-of dates', async () => {
    const ceasefire = await condition('graph-ceasefire');
    const mandate = await condition('graph-mandate');
    const vetting = await condition('graph-vetting');
    // Deployment requires the ceasefire AND (a mandate OR vetting).
    const deployment = await condition('graph-deployment', {
      requires: { op: 'and', args: [ceasefire, { op: 'or', args: [mandate, vetting] }] },
    });
    const offer = await commitment('Graph offer', deployment);

    let g = await graph(officer);
    expect(g.asOf).toBeNull();
    expect(conditionOf(g, deployment)).toMatchObject({ code: 'graph-deployment', titleAr: 'graph-deployment (ar)', status: 'unmet' });
    const and = junctionInto(g, { kind: 'condition', id: deployment });
    expect(and).toMatchObject({ op: 'and', holds: false });
    expect(inputs(g, { kind: 'junction', id: and.id })).toEqual([`condition:${ceasefire}`, 'junction:or'].sort());
    const or = junctionInto(g, { kind: 'junction', id: and.id });
    expect(inputs(g, { kind: 'junction', id: or.id })).toEqual([`condition:${mandate}`, `condition:${vetting}`].sort());
    expect(g.edges.filter((e) => e.to.kind === 'junction' || e.to.kind === 'condition').every((e) => e.kind === 'requires')).toBe(true);
    const gate = gateOf(g, offer);
    expect(gate).toMatchObject({ subjectType: 'commitment', label: 'Graph offer', open: false });
    expect(g.edges.filter((e) => e.to.kind === 'gate' && e.to.id === gate.id)).toEqual([
      { from: { kind: 'condition', id: deployment }, to: { kind: 'gate', id: gate.id }, kind: 'gates' },
    ]);
    expect(g.hidden).toBe(false);

    for (const [id, status] of [
      [ceasefire, 'met'],
      [vetting, 'waived'],
      [deployment, 'met'],
    ]) {
      const evidence = await officer.client.post(`/api/conditions/${id}/evidence`, {
        datedOn: '2026-02-01',
        status,
        source: 'Monitoring report',
      });
      expect(evidence.status).toBe(201);
    }
    g = await graph(officer);
    expect(conditionOf(g, vetting)).toMatchObject({ status: 'waived', effective: true });
    expect(conditionOf(g, deployment)).toMatchObject({ status: 'met', effective: true });
    expect(junctionInto(g, { kind: 'condition', id: deployment }).holds).toBe(true);
    expect(gateOf(g, offer).open).toBe(true);
    // Junction ids do not change between requests, so a drawing keeps its nodes.
    expect(junctionInto(g, { kind: 'condition', id: deployment }).id).toBe(and.id);

    const before = await graph(officer, '?asOf=2026-01-15');
    expect(before.asOf).toBe('2026-01-15');
    expect(conditionOf(before, deployment).status).toBe('unmet');
    expect(gateOf(before, offer).open).toBe(false);
    expect((await officer.client.get('/api/conditions/graph?asOf=2026-13-01')).status).toBe(400);
  });

  it('a met condition whose requirement fails is drawn met but not effective, and its gate blocked', async () => {
    const elections = await condition('graph-elections');
    const reform = await condition('graph-reform', { requires: elections });
    const offer = await commitment('Reform grant', reform);
    await officer.client.post(`/api/conditions/${reform}/evidence`, { datedOn: '2026-02-01', status: 'met', source: 'Decree' });
    const g = await graph(officer);
    expect(conditionOf(g, reform)).toMatchObject({ status: 'met', effective: false });
    expect(gateOf(g, offer).open).toBe(false);
  });
});

describe('what the graph shows to whom', () => {
  it("never shows a restricted commitment of another organisation, nor a restricted condition's identity", async () => {
    const open = await condition('graph-public-step', { classification: 'mission' });
    const secret = await condition('graph-secret-step', { classification: 'restricted' });
    const secretTitle = 'Restricted commitment graph title';
    const restricted = await commitment(secretTitle, open, { classification: 'restricted' });
    const shared = await commitment('Shared commitment', { op: 'or', args: [open, secret] });
    const dependent = await condition('graph-dependent', { requires: { op: 'and', args: [open, secret] } });

    const own = await graph(officer);
    expect(gateOf(own, restricted)).toMatchObject({ label: secretTitle });
    expect(conditionOf(own, secret)).toBeDefined();
    expect(own.hidden).toBe(false);

    const other = await graph(otherOfficer);
    const text = JSON.stringify(other);
    expect(other.gates.map((g) => g.subjectId)).not.toContain(restricted);
    expect(text).not.toContain(restricted);
    expect(text).not.toContain(secretTitle);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('graph-secret-step');
    // What the other organisation may see of the same records is there, with the unseen condition as one hidden input.
    expect(conditionOf(other, open)).toBeDefined();
    expect(other.hidden).toBe(true);
    expect(inputs(other, { kind: 'junction', id: junctionInto(other, { kind: 'gate', id: gateOf(other, shared).id }).id })).toEqual(
      [`condition:${open}`, 'hidden'].sort(),
    );
    const dependentAnd = junctionInto(other, { kind: 'condition', id: dependent });
    expect(inputs(other, { kind: 'junction', id: dependentAnd.id })).toEqual([`condition:${open}`, 'hidden'].sort());

    // The AND needs the hidden condition: it holds for them as it truly does, before and
    // after the hidden condition is met, and still nothing names it.
    await officer.client.post(`/api/conditions/${open}/evidence`, { datedOn: '2026-02-01', status: 'met', source: 'Report' });
    expect(junctionInto(await graph(otherOfficer), { kind: 'condition', id: dependent }).holds).toBe(false);
    await officer.client.post(`/api/conditions/${secret}/evidence`, { datedOn: '2026-02-01', status: 'met', source: 'Report' });
    const after = await graph(otherOfficer);
    expect(junctionInto(after, { kind: 'condition', id: dependent }).holds).toBe(true);
    expect(junctionInto(await graph(officer), { kind: 'condition', id: dependent }).holds).toBe(true);
    expect(gateOf(after, shared).open).toBe(true);
    expect(JSON.stringify(after)).not.toContain(secret);
  });
});
