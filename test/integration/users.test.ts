import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('listing users', () => {
  it('pages through a filtered list in name order, with the total', async () => {
    const org = await t.organisation('humanitarian');
    const users = [];
    for (const roles of [['auditor'], ['humanitarian'], ['humanitarian', 'auditor']]) users.push(await t.user(roles, org.id, false));
    const byName = [...users].sort((a, b) => a.email.localeCompare(b.email)).map((u) => u.email);

    const first = await t.admin.client.get(`/api/users?organisationId=${org.id}&pageSize=2&page=1`);
    const second = await t.admin.client.get(`/api/users?organisationId=${org.id}&pageSize=2&page=2`);
    expect(first.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect([...first.body.items, ...second.body.items].map((u: { email: string }) => u.email)).toEqual(byName);
    expect(first.body.items[0]).toMatchObject({ organisation: { id: org.id, name: org.name }, disabled: false });

    const auditors = await t.admin.client.get(`/api/users?organisationId=${org.id}&role=auditor`);
    expect(auditors.body.total).toBe(2);
    await t.admin.client.post(`/api/users/${users[0].id}/disable`);
    const disabled = await t.admin.client.get(`/api/users?organisationId=${org.id}&status=disabled`);
    expect(disabled.body.items.map((u: { id: string }) => u.id)).toEqual([users[0].id]);
    const searched = await t.admin.client.get(`/api/users?q=${encodeURIComponent(users[1].email.toUpperCase())}`);
    expect(searched.body.items.map((u: { id: string }) => u.id)).toEqual([users[1].id]);
  });

  it('refuses a page size above the bound', async () => {
    const response = await t.admin.client.get('/api/users?pageSize=101');
    expect(response.status).toBe(400);
  });

  it('treats % and _ in a search as plain characters', async () => {
    const response = await t.admin.client.get('/api/users?q=%25');
    expect(response.body.total).toBe(0);
  });
});
