import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { totpCode } from '../../src/server/modules/auth/credentials.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('sign-in and sessions', () => {
  it('sets an httpOnly, SameSite=Lax session cookie and returns the user with a CSRF token', async () => {
    const user = await t.user(['auditor'], undefined, false);
    const client = t.client();
    const response = await client.signIn(user.email.toUpperCase(), user.password);
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({
      email: user.email,
      roles: ['auditor'],
      permissions: expect.arrayContaining(['audit.read']),
    });
    expect(response.body.csrfToken).toEqual(expect.any(String));
    const cookie = [response.headers['set-cookie']].flat().join(';');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain HTTP here; Secure behind TLS
    expect((await client.get('/api/auth/session')).body.user.email).toBe(user.email);
  });

  it('marks the cookie Secure behind a TLS-terminating proxy', async () => {
    const user = await t.user([], undefined, false);
    // Requests injected here come from 127.0.0.1: the proxy.
    const proxied = await buildApp({ db: t.db, config: { ...loadConfig({}), trustProxy: ['127.0.0.1'] } });
    try {
      const response = await proxied.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { email: user.email, password: user.password },
      });
      expect(response.statusCode).toBe(200);
      expect([response.headers['set-cookie']].flat().join(';')).toMatch(/; Secure/);
    } finally {
      await proxied.close();
    }
  });

  it('refuses a wrong password with the same answer as an unknown email', async () => {
    const user = await t.user([], undefined, false);
    const wrong = await t.client().signIn(user.email, 'not the password');
    const unknown = await t.client().signIn('nobody@test.example', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('auth.invalid-credentials');
    expect(unknown.body.code).toBe(wrong.body.code);
  });

  it('rotates the session id at sign-in: the old cookie stops working', async () => {
    const user = await t.user([]);
    const oldCookie = user.client.cookie;
    await user.client.signIn(user.email, user.password);
    expect(user.client.cookie).not.toBe(oldCookie);
    const stale = t.client();
    stale.cookie = oldCookie;
    expect((await stale.get('/api/auth/session')).status).toBe(401);
    expect((await user.client.get('/api/auth/session')).status).toBe(200);
  });

  it('signs out: the session ends', async () => {
    const user = await t.user([]);
    expect((await user.client.post('/api/auth/sign-out')).status).toBe(204);
    expect((await user.client.get('/api/auth/session')).status).toBe(401);
  });

  it('ends a session idle for more than 30 minutes, and any session after 12 hours', async () => {
    const idle = await t.user([]);
    await t.db.query(`update sessions set last_seen_at = now() - interval '31 minutes' where user_id = $1`, [idle.id]);
    expect((await idle.client.get('/api/auth/session')).status).toBe(401);

    const old = await t.user([]);
    await t.db.query(`update sessions set expires_at = now() - interval '1 second' where user_id = $1`, [old.id]);
    expect((await old.client.get('/api/auth/session')).status).toBe(401);

    const active = await t.user([]);
    await t.db.query(`update sessions set last_seen_at = now() - interval '29 minutes' where user_id = $1`, [active.id]);
    expect((await active.client.get('/api/auth/session')).status).toBe(200);
  });

  it('ends every session of a user the moment they are disabled, and refuses their sign-in', async () => {
    const user = await t.user(['auditor']);
    const second = t.client();
    await second.signIn(user.email, user.password);
    expect((await t.admin.client.post(`/api/users/${user.id}/disable`)).status).toBe(200);
    expect((await user.client.get('/api/audit')).status).toBe(401);
    expect((await second.get('/api/auth/session')).status).toBe(401);
    expect((await t.client().signIn(user.email, user.password)).status).toBe(401);
    await t.admin.client.post(`/api/users/${user.id}/enable`);
    expect((await t.client().signIn(user.email, user.password)).status).toBe(200);
  });

  it('locks an account after 5 failed sign-ins, with Retry-After, even for the right password', async () => {
    const user = await t.user([], undefined, false);
    for (let i = 0; i < 5; i++) expect((await t.client().signIn(user.email, 'wrong password')).status).toBe(401);
    const locked = await t.client().signIn(user.email, user.password);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('auth.rate-limited');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits failed sign-ins per address across accounts', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < 20; i++) {
      await t.db.query(`insert into sign_in_attempts (email, ip, succeeded) values ($1, $2, false)`, [`x${i}@test.example`, ip]);
    }
    const user = await t.user([], undefined, false);
    const fromThere = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      remoteAddress: ip,
      payload: { email: user.email, password: user.password },
    });
    expect(fromThere.statusCode).toBe(429);
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      remoteAddress: '203.0.113.8',
      payload: { email: user.email, password: user.password },
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('refuses cookie-authenticated writes without the CSRF token', async () => {
    const user = await t.user([]);
    const token = user.client.csrf;
    user.client.csrf = null;
    const refused = await user.client.patch('/api/auth/me', { name: 'Changed' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('auth.csrf');
    user.client.csrf = 'a'.repeat(token!.length);
    expect((await user.client.patch('/api/auth/me', { name: 'Changed' })).status).toBe(403);
    user.client.csrf = token;
    expect((await user.client.patch('/api/auth/me', { name: 'Changed' })).body.name).toBe('Changed');
  });

  it('changes the password and ends the other sessions', async () => {
    const user = await t.user([]);
    const other = t.client();
    await other.signIn(user.email, user.password);
    const bad = await user.client.post('/api/auth/password', { currentPassword: 'wrong', newPassword: 'a new long password' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ pointer: '/currentPassword', detail: expect.any(String) }]);
    expect(
      (await user.client.post('/api/auth/password', { currentPassword: user.password, newPassword: 'a new long password' })).status,
    ).toBe(204);
    expect((await other.get('/api/auth/session')).status).toBe(401);
    expect((await user.client.get('/api/auth/session')).status).toBe(200);
    expect((await t.client().signIn(user.email, 'a new long password')).status).toBe(200);
  });
});

describe('TOTP second factor', () => {
  it('enrols, then requires a code at sign-in and refuses a reused code', async () => {
    const user = await t.user([]);
    const enrol = await user.client.post('/api/auth/totp/enrol');
    expect(enrol.status).toBe(200);
    expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Concord:/);
    const secret = enrol.body.secret;
    expect((await user.client.post('/api/auth/totp/confirm', { code: '000000' })).status).toBe(400);
    const confirmed = await user.client.post('/api/auth/totp/confirm', { code: totpCode(secret) });
    expect(confirmed.body.totpEnabled).toBe(true);

    const withoutCode = await t.client().signIn(user.email, user.password);
    expect(withoutCode.status).toBe(401);
    expect(withoutCode.body.code).toBe('auth.totp-required');
    // The code just used to confirm cannot be used again.
    const reused = await t.client().signIn(user.email, user.password, totpCode(secret));
    expect(reused.body.code).toBe('auth.totp-invalid');
    const next = await t.client().signIn(user.email, user.password, totpCode(secret, Date.now() + 30_000));
    expect(next.status).toBe(200);
  });

  it('holds a member of an organisation that requires it to enrolment before anything else', async () => {
    const org = await t.organisation('humanitarian', { requireTotp: true });
    const user = await t.user(['auditor'], org.id);
    const session = await user.client.get('/api/auth/session');
    expect(session.body.user.mustEnrolTotp).toBe(true);
    const blocked = await user.client.get('/api/audit');
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('auth.totp-enrolment-required');
    const { secret } = (await user.client.post('/api/auth/totp/enrol')).body;
    await user.client.post('/api/auth/totp/confirm', { code: totpCode(secret) });
    expect((await user.client.get('/api/audit')).status).toBe(200);
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, scoped, and stop working when revoked', async () => {
    const user = await t.user(['auditor']);
    const refused = await user.client.post('/api/tokens', { name: 'too much', scopes: ['users.manage'] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].pointer).toBe('/scopes/0');

    const created = await user.client.post('/api/tokens', { name: 'reporting', scopes: ['audit.read'] });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    const stored = await t.db.query<{ token_hash: string }>('select token_hash from api_tokens where id = $1', [created.body.id]);
    expect(stored.rows[0].token_hash).not.toContain(token);

    const machine = t.client();
    machine.bearer = token;
    expect((await machine.get('/api/audit')).status).toBe(200);
    expect((await machine.get('/api/users')).status).toBe(403); // the user may, the token may not
    expect((await machine.post('/api/tokens', { name: 'x', scopes: ['audit.read'] })).status).toBe(403);
    // A leaked token cannot take over the account: no profile, password or second-factor changes.
    expect((await machine.patch('/api/auth/me', { name: 'Taken over' })).status).toBe(403);
    expect((await machine.post('/api/auth/totp/enrol')).status).toBe(403);
    expect(
      (await machine.post('/api/auth/password', { currentPassword: user.password, newPassword: 'another long password' })).status,
    ).toBe(403);
    expect((await machine.get('/api/auth/session')).status).toBe(200);

    expect((await user.client.delete(`/api/tokens/${created.body.id}`)).status).toBe(204);
    expect((await machine.get('/api/audit')).status).toBe(401);
    const bogus = t.client();
    bogus.bearer = 'cnc_not-a-token';
    expect((await bogus.get('/api/health')).status).toBe(401);
  });
});
