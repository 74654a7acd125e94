/**
 * Refused requests are written to the security log with the actor and the address, and
 * repeated refusals raise an alert that an administrator sees (security review item 20):
 * 401, 403, and 404 for a record that exists but the caller may not see (never for one that
 * does not exist, so the log tells an administrator what an answer must not tell anyone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_THRESHOLD } from '../../src/server/modules/security/security.repo.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const eventsOf = async (query: string) => (await t.admin.client.get(`/api/security/events?${query}`)).body.items;
const openAlerts = async () => (await t.admin.client.get('/api/security/alerts?status=open&pageSize=100')).body;

describe('the security log', () => {
  it('records a 401, a 403 and a hidden 404 with who and from where, and nothing for a missing record or a success', async () => {
    const owner = await t.user(['humanitarian'], (await t.organisation('humanitarian')).id);
    const other = await t.user(['humanitarian'], (await t.organisation('humanitarian')).id);
    const place = (
      await owner.client.post('/api/places', {
        kind: 'site',
        code: t.unique('p').toLowerCase(),
        nameEn: 'Warehouse',
        nameAr: 'مستودع',
        geometry: { type: 'Point', coordinates: [34.4, 31.4] },
        classification: 'restricted',
      })
    ).body.id;

    const anonymous = await t.app.inject({ method: 'GET', url: '/api/places', remoteAddress: '198.51.100.23' });
    expect(anonymous.statusCode).toBe(401);
    const forbidden = await other.client.get('/api/audit');
    const hidden = await other.client.get(`/api/places/${place}`);
    const missing = await other.client.get('/api/places/6f1d2c3b-4a59-4e8f-9a7b-1c2d3e4f5a6b');
    expect([forbidden.status, hidden.status, missing.status]).toEqual([403, 404, 404]);
    expect(hidden.body.detail).toBe(missing.body.detail);
    await other.client.get('/api/places');

    expect((await eventsOf('ip=198.51.100.23'))[0]).toMatchObject({ status: 401, actorLabel: 'anonymous', route: '/api/places' });
    const mine = await eventsOf(`actor=${encodeURIComponent(other.email)}`);
    expect(mine.map((e: { status: number; url: string }) => `${e.status} ${e.url}`)).toEqual([
      `404 /api/places/${place}`,
      '403 /api/audit',
    ]);
    expect(mine[0]).toMatchObject({ ip: '127.0.0.1', code: 'resource.not-found', requestId: hidden.headers['x-request-id'] });
  });

  it('does not count a page asking whether anyone is signed in, but counts a bad token', async () => {
    const probe = await t.app.inject({ method: 'GET', url: '/api/auth/session', remoteAddress: '198.51.100.40' });
    expect(probe.statusCode).toBe(401);
    expect(await eventsOf('ip=198.51.100.40')).toEqual([]);
    const token = await t.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      remoteAddress: '198.51.100.40',
      headers: { authorization: 'Bearer cnc_stolen' },
    });
    expect(token.statusCode).toBe(401);
    expect((await eventsOf('ip=198.51.100.40'))[0]).toMatchObject({ status: 401, code: 'auth.unauthenticated' });
  });

  it(`raises one alert after ${ALERT_THRESHOLD} refusals of an actor, counts on, and starts afresh once acknowledged`, async () => {
    const prober = await t.user(['field_reporter']);
    for (let i = 0; i < ALERT_THRESHOLD - 1; i++) await prober.client.get('/api/users');
    expect((await openAlerts()).items.find((a: { subject: string }) => a.subject === prober.email)).toBeUndefined();
    // The last ones race: still one alert.
    await Promise.all([1, 2, 3].map(() => prober.client.get('/api/users')));
    const open = (await openAlerts()).items.filter((a: { subject: string }) => a.subject === prober.email);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ subjectKind: 'actor', refusals: ALERT_THRESHOLD + 2, acknowledgedAt: null });

    const acknowledged = await t.admin.client.post(`/api/security/alerts/${open[0].id}/acknowledge`);
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.acknowledgedBy).toBe(t.admin.email);
    expect((await t.admin.client.post(`/api/security/alerts/${open[0].id}/acknowledge`)).status).toBe(409);
    await prober.client.get('/api/users');
    expect(
      (await openAlerts()).items.find((a: { subject: string }) => a.subject === prober.email),
      'the earlier refusals no longer count',
    ).toBeUndefined();
  });

  it('raises an alert for one address that many anonymous requests come from', async () => {
    for (let i = 0; i < ALERT_THRESHOLD; i++) await t.app.inject({ method: 'GET', url: '/api/users', remoteAddress: '203.0.113.77' });
    const alert = (await openAlerts()).items.find((a: { subject: string }) => a.subject === '203.0.113.77');
    expect(alert).toMatchObject({ subjectKind: 'address', refusals: ALERT_THRESHOLD });
  });

  it('is for administrators only', async () => {
    const auditor = await t.user(['auditor']);
    expect((await auditor.client.get('/api/security/alerts')).status).toBe(403);
    expect((await auditor.client.get('/api/security/events')).status).toBe(403);
  });
});
