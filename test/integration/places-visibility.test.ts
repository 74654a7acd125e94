import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let ownerOrg: string;
let owner: TestUser;
let partner: TestUser; // another organisation, mission partner
let sharedPartner: TestUser; // an organisation the restricted place is shared with
let hq: TestUser; // force headquarters
let restrictedId: string;
let missionId: string;
let publicId: string;

const point = { type: 'Point', coordinates: [34.3, 31.3] };

beforeAll(async () => {
  t = await startTestApp();
  ownerOrg = (await t.organisation('humanitarian')).id;
  owner = await t.user(['humanitarian'], ownerOrg);
  partner = await t.user(['humanitarian'], (await t.organisation('donor')).id);
  sharedPartner = await t.user(['humanitarian'], (await t.organisation('humanitarian')).id);
  hq = await t.user(['force_planner'], (await t.organisation('force_headquarters')).id);
  const create = async (code: string, classification: string, sharedWith: string[] = []) => {
    const response = await owner.client.post('/api/places', {
      kind: 'site',
      code,
      nameEn: code,
      nameAr: code,
      geometry: point,
      classification,
      sharedWith,
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  restrictedId = await create('warehouse-restricted', 'restricted', [sharedPartner.organisationId]);
  missionId = await create('warehouse-mission', 'mission');
  publicId = await create('warehouse-public', 'public');
});
afterAll(() => t?.close());

async function codes(user: TestUser | null, query = '') {
  const client = user ? user.client : t.client();
  const response = await client.get(`/api/places?kind=site&pageSize=100${query}`);
  return { codes: response.body.items?.map((p: { code: string }) => p.code).sort(), total: response.body.total, status: response.status };
}

describe('record classification', () => {
  it('shows a restricted record to its owner, force headquarters and the organisations it is shared with', async () => {
    for (const user of [owner, hq, sharedPartner]) {
      expect((await codes(user)).codes).toEqual(['warehouse-mission', 'warehouse-public', 'warehouse-restricted']);
      expect((await user.client.get(`/api/places/${restrictedId}`)).status).toBe(200);
    }
  });

  it('leaks a restricted record to no other partner: not in lists, counts, searches or fetches', async () => {
    const seen = await codes(partner);
    expect(seen.codes).toEqual(['warehouse-mission', 'warehouse-public']);
    expect(seen.total).toBe(2);
    const searched = await codes(partner, '&q=restricted');
    expect(searched).toMatchObject({ codes: [], total: 0 });
    expect((await partner.client.get(`/api/places/${publicId}`)).status).toBe(200);
    expect((await partner.client.get(`/api/places/${missionId}`)).status).toBe(200);
    const fetched = await partner.client.get(`/api/places/${restrictedId}`);
    expect(fetched.status).toBe(404);
    expect(fetched.body.code).toBe('resource.not-found');
    expect((await partner.client.patch(`/api/places/${restrictedId}`, { nameEn: 'x' })).status).toBe(404);
  });

  it('answers 403 to a partner who may see a record but not change it', async () => {
    const response = await partner.client.patch(`/api/places/${missionId}`, { nameEn: 'Changed by someone else' });
    expect(response.status).toBe(403);
    expect((await hq.client.patch(`/api/places/${restrictedId}`, { nameEn: 'x' })).status).toBe(403);
    expect((await owner.client.patch(`/api/places/${missionId}`, { nameEn: 'Changed by owner' })).body.nameEn).toBe('Changed by owner');
  });

  it('shows only public records to someone not signed in', async () => {
    const response = await t.client().get('/api/geo/crossings');
    expect(response.status).toBe(200);
    const anonymous = (await t.client().get('/api/places')).status;
    expect(anonymous).toBe(401);
    // Sites are not entry points; ports are, so they appear on the public map feed.
    const port = await owner.client.post('/api/places', {
      kind: 'port',
      code: 'test-port',
      nameEn: 'Port',
      nameAr: 'ميناء',
      geometry: point,
      classification: 'public',
    });
    const hidden = await owner.client.post('/api/places', {
      kind: 'port',
      code: 'test-port-mission',
      nameEn: 'Port 2',
      nameAr: 'ميناء ٢',
      geometry: point,
      classification: 'mission',
    });
    const anonymousCodes = (await t.client().get('/api/geo/crossings')).body.features.map(
      (f: { properties: { code: string } }) => f.properties.code,
    );
    expect(anonymousCodes).toContain('test-port');
    expect(anonymousCodes).not.toContain('test-port-mission');
    const partnerCodes = (await partner.client.get('/api/geo/crossings')).body.features.map(
      (f: { properties: { code: string } }) => f.properties.code,
    );
    expect(partnerCodes).toEqual(expect.arrayContaining(['test-port', 'test-port-mission']));
    expect(port.status).toBe(201);
    expect(hidden.status).toBe(201);
  });

  it('validates geometry with pointers to the bad field', async () => {
    const response = await owner.client.post('/api/places', {
      kind: 'site',
      code: 'bad',
      nameEn: 'Bad',
      nameAr: 'سيئ',
      geometry: { type: 'Point', coordinates: [500, 31] },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/geometry/coordinates/0');
  });
});
