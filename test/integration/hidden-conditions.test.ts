/**
 * Conditions the reader may not see, inside expressions they may see (security review item
 * 17): a condition's requirements, a commitment's gate and a tranche's gate show such a
 * condition as "hidden", never its id, in every list and fetch; a PATCH that sends the
 * expression back keeps the hidden condition, and one that would drop it is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let owner: TestUser; // political officer of the organisation that owns the restricted condition
let reader: TestUser; // political officer and donor officer of another organisation
let secret: string; // a restricted condition of `owner`
let open1: string; // mission conditions everyone sees
let open2: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.user(['political_officer'], (await t.organisation('authority')).id);
  reader = await t.user(['political_officer', 'donor_officer'], (await t.organisation('donor')).id);
  const condition = async (extra: Record<string, unknown>) =>
    (await owner.client.post('/api/conditions', { code: t.unique('c').toLowerCase(), titleEn: 'C', titleAr: 'ش', ...extra })).body
      .id as string;
  secret = await condition({ classification: 'restricted' });
  open1 = await condition({});
  open2 = await condition({});
});
afterAll(() => t?.close());

/** Every id anywhere in a JSON answer. */
const mentions = (body: unknown, id: string) => JSON.stringify(body).includes(id);

describe('a condition the reader may not see', () => {
  it('is shown as "hidden" in another condition\'s requirements, in the list and the condition', async () => {
    const requiring = (
      await owner.client.post('/api/conditions', {
        code: t.unique('r').toLowerCase(),
        titleEn: 'Requires',
        titleAr: 'ش',
        requires: { op: 'and', args: [secret, open1] },
      })
    ).body.id;
    const one = await reader.client.get(`/api/conditions/${requiring}`);
    expect(one.body.requires).toEqual({ op: 'and', args: ['hidden', open1] });
    const list = await reader.client.get('/api/conditions?pageSize=100');
    expect(list.body.items.find((c: { id: string }) => c.id === requiring).requires).toEqual({ op: 'and', args: ['hidden', open1] });
    expect(mentions(one.body, secret) || mentions(list.body, secret)).toBe(false);
    expect((await owner.client.get(`/api/conditions/${requiring}`)).body.requires).toEqual({ op: 'and', args: [secret, open1] });
  });

  it('is shown as "hidden" in a commitment\'s gate, and kept when the gate is sent back changed around it', async () => {
    const stakeholder = (await reader.client.post('/api/stakeholders', { name: t.unique('S'), kind: 'government' })).body.id;
    // The reader gates its commitment on conditions it sees; their owner then restricts one of them.
    const restrictedLater = (await owner.client.post('/api/conditions', { code: t.unique('l').toLowerCase(), titleEn: 'L', titleAr: 'ش' }))
      .body.id;
    const commitment = (
      await reader.client.post('/api/commitments', {
        stakeholderId: stakeholder,
        titleEn: 'Offer',
        titleAr: 'عرض',
        moneyUsd: '100.00',
        gate: { op: 'or', args: [restrictedLater, open1] },
      })
    ).body;
    expect(commitment.gate).toEqual({ op: 'or', args: [restrictedLater, open1] });
    expect((await owner.client.patch(`/api/conditions/${restrictedLater}`, { classification: 'restricted' })).status).toBe(200);

    const read = (await reader.client.get(`/api/commitments/${commitment.id}`)).body;
    expect(read.gate).toEqual({ op: 'or', args: ['hidden', open1] });
    const listed = (await reader.client.get('/api/commitments?pageSize=100')).body.items.find(
      (c: { id: string }) => c.id === commitment.id,
    );
    expect(listed.gate).toEqual({ op: 'or', args: ['hidden', open1] });

    // Sent back as read, with a change beside it: the hidden condition stays.
    const echoed = await reader.client.patch(`/api/commitments/${commitment.id}`, { titleEn: 'Offer, revised', gate: read.gate });
    expect(echoed.status).toBe(200);
    const changed = await reader.client.patch(`/api/commitments/${commitment.id}`, { gate: { op: 'or', args: ['hidden', open1, open2] } });
    expect(changed.status).toBe(200);
    expect(changed.body.gate).toEqual({ op: 'or', args: ['hidden', open1, open2] });
    const stored = await t.db.query<{ expression: unknown }>(`select expression from gates where subject_id = $1`, [commitment.id]);
    expect(stored.rows[0].expression).toEqual({ op: 'or', args: [restrictedLater, open1, open2] });

    // Dropping it, or sending more "hidden" than there are, or taking the gate away, is refused and changes nothing.
    for (const gate of [open1, { op: 'or', args: ['hidden', 'hidden', open1] }, null]) {
      const refused = await reader.client.patch(`/api/commitments/${commitment.id}`, { gate });
      expect(refused.status, JSON.stringify(gate)).toBe(400);
      expect(refused.body.errors[0].pointer).toBe('/gate');
    }
    const after = await t.db.query<{ expression: unknown }>(`select expression from gates where subject_id = $1`, [commitment.id]);
    expect(after.rows[0].expression).toEqual({ op: 'or', args: [restrictedLater, open1, open2] });
  });

  it('is shown as "hidden" in a tranche\'s gate, in the pledge and the tranche, and a new expression cannot name it', async () => {
    const instrument = (
      await reader.client.post('/api/funding/instruments', { donorOrgId: reader.organisationId, name: t.unique('I'), kind: 'grant' })
    ).body.id;
    const willHide = (await owner.client.post('/api/conditions', { code: t.unique('h').toLowerCase(), titleEn: 'H', titleAr: 'ش' })).body
      .id;
    const pledge = (
      await reader.client.post('/api/funding/pledges', {
        instrumentId: instrument,
        title: 'Gated',
        amount: '10.00',
        currency: 'USD',
        pledgedOn: '2026-01-02',
        tranches: [{ amount: '10.00', gate: { op: 'and', args: [willHide, open1] } }],
      })
    ).body;
    await owner.client.patch(`/api/conditions/${willHide}`, { classification: 'restricted' });
    const read = (await reader.client.get(`/api/funding/pledges/${pledge.id}`)).body;
    expect(read.tranches[0].gate).toEqual({ op: 'and', args: ['hidden', open1] });
    expect(read.tranches[0].hiddenWaitsOn).toBe(1);
    const tranche = (await reader.client.get(`/api/funding/tranches/${read.tranches[0].id}`)).body;
    expect(tranche.gate).toEqual({ op: 'and', args: ['hidden', open1] });
    expect(mentions(read, willHide) || mentions(tranche, willHide)).toBe(false);
    expect((await reader.client.patch(`/api/funding/tranches/${tranche.id}`, { note: 'n', gate: tranche.gate })).status).toBe(200);

    const fresh = await reader.client.post('/api/funding/pledges', {
      instrumentId: instrument,
      title: 'New',
      amount: '1.00',
      currency: 'USD',
      pledgedOn: '2026-01-02',
      tranches: [{ amount: '1.00', gate: { op: 'and', args: ['hidden', open1] } }],
    });
    expect(fresh.status).toBe(400);
    expect(fresh.body.errors[0]).toMatchObject({ pointer: '/tranches/0/gate', detail: expect.stringMatching(/there is none here/) });
    const named = await reader.client.patch(`/api/funding/tranches/${tranche.id}`, { gate: { op: 'and', args: ['hidden', secret] } });
    expect(named.status).toBe(400);
    expect(named.body.errors[0].detail).toBe(`No such condition: ${secret}.`);
  });

  it('is documented in the OpenAPI description of expressions', async () => {
    const doc = JSON.stringify((await t.client().get('/api/openapi.json')).body);
    expect(doc).toContain('A condition you cannot see is shown as the string \\"hidden\\"');
  });
});
