import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

async function latest(action: string) {
  const response = await t.admin.client.get(`/api/audit?action=${action}&pageSize=1`);
  return response.body.items[0];
}

describe('audit trail', () => {
  it('records who did what, with before and after, in the same transaction as the write', async () => {
    const user = await t.user(['auditor']);
    await t.admin.client.patch(`/api/users/${user.id}`, { name: 'Renamed Person' });
    const entry = await latest('access.user.update');
    expect(entry).toMatchObject({
      actor: { id: t.admin.id, email: t.admin.email },
      organisation: { id: t.admin.organisationId },
      entityType: 'user',
      entityId: user.id,
      before: expect.objectContaining({ name: expect.not.stringMatching('Renamed Person') }),
      after: expect.objectContaining({ name: 'Renamed Person' }),
      requestId: expect.any(String),
    });
    expect(JSON.stringify(entry)).not.toMatch(/password_hash|argon2/);
  });

  it('records sign-in, sign-out and failed sign-in; denied access goes to the security log, not the audit trail', async () => {
    const user = await t.user([]);
    expect(await latest('auth.sign-in')).toMatchObject({ action: 'auth.sign-in', actor: { id: user.id } });
    await t.client().signIn(user.email, 'wrong password');
    expect(await latest('auth.sign-in.fail')).toMatchObject({ entityId: user.id, after: { reason: 'wrong password' } });
    const denied = await user.client.get('/api/users');
    expect(denied.status).toBe(403);
    const log = await t.admin.client.get(`/api/security/events?actor=${encodeURIComponent(user.email)}`);
    expect(log.body.items[0]).toMatchObject({ status: 403, route: '/api/users', requestId: denied.headers['x-request-id'] });
    await user.client.post('/api/auth/sign-out');
    expect(await latest('auth.sign-out')).toMatchObject({ actor: { id: user.id } });
  });

  it('writes nothing when the write fails', async () => {
    const before = await t.db.query<{ n: number }>(`select count(*) as n from audit_log where action like 'access.user.%'`);
    const org = await t.organisation();
    const response = await t.admin.client.post('/api/users', {
      email: t.admin.email,
      name: 'Duplicate',
      organisationId: org.id,
      password: 'long enough password',
    });
    expect(response.status).toBe(409);
    const after = await t.db.query<{ n: number }>(`select count(*) as n from audit_log where action like 'access.user.%'`);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('filters by actor, entity, action and time, newest first, with a cursor', async () => {
    const user = await t.user([]);
    for (const name of ['One', 'Two', 'Three']) await t.admin.client.patch(`/api/users/${user.id}`, { name });
    const first = await t.admin.client.get(`/api/audit?entityType=user&entityId=${user.id}&action=access.user.update&pageSize=2`);
    expect(first.body.items.map((i: { after: { name: string } }) => i.after.name)).toEqual(['Three', 'Two']);
    const second = await t.admin.client.get(
      `/api/audit?entityType=user&entityId=${user.id}&action=access.user.update&pageSize=2&cursor=${first.body.next}`,
    );
    expect(second.body.items.map((i: { after: { name: string } }) => i.after.name)).toEqual(['One']);
    expect(second.body.next).toBeNull();
    const byActor = await t.admin.client.get(`/api/audit?actor=${encodeURIComponent(t.admin.email)}&pageSize=100`);
    expect(byActor.body.items.every((i: { actorLabel: string }) => i.actorLabel === t.admin.email)).toBe(true);
    const future = await t.admin.client.get(`/api/audit?from=${new Date(Date.now() + 3600_000).toISOString()}`);
    expect(future.body.items).toEqual([]);
    const byPrefix = await t.admin.client.get(`/api/audit?action=access.user&entityId=${user.id}`);
    expect(byPrefix.body.items.length).toBeGreaterThanOrEqual(4); // create + 3 updates
  });

  it('refuses UPDATE, DELETE and TRUNCATE at the database level', async () => {
    await expect(t.db.query(`update audit_log set action = 'x.y' where id = (select min(id) from audit_log)`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.query('delete from audit_log')).rejects.toThrow(/append-only/);
    await expect(t.db.query('truncate audit_log cascade')).rejects.toThrow(/append-only/);
  });
});
