/**
 * Signing in under attack (security review items 14, 15 and 16):
 *  - a one-time code is good once, however many requests bring it at the same moment;
 *  - the sign-in throttle counts attempts that race: no more than the limit are checked;
 *  - X-Forwarded-For is believed only from the configured proxies;
 *  - API tokens die with a password change or reset, are made only in a session that
 *    passed a second factor its organisation requires, stop working when made without one
 *    that is now required, and always expire;
 *  - passwords follow NIST SP 800-63B: at least 12 characters, not common or breached, not
 *    the account's own words; no composition rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { MAX_FAILURES_PER_ACCOUNT } from '../../src/server/modules/auth/auth.repo.ts';
import { totpCode } from '../../src/server/modules/auth/credentials.ts';
import { type Client, startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

/** Enrols and confirms a second factor for `user`; returns its secret. */
async function enrol(user: TestUser): Promise<string> {
  const { secret } = (await user.client.post('/api/auth/totp/enrol')).body;
  // The code of the previous step confirms: the current one stays unused for the test.
  const confirmed = await user.client.post('/api/auth/totp/confirm', { code: totpCode(secret, Date.now() - 30_000) });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return secret;
}

function bearer(token: string): Client {
  const client = t.client();
  client.bearer = token;
  return client;
}

describe('one-time codes and the throttle under concurrent requests', () => {
  it('lets one of ten sign-ins that race with the same code through', async () => {
    const user = await t.user([]);
    const secret = await enrol(user);
    const code = totpCode(secret);
    const sessionsWithCode = async () =>
      (await t.db.query<{ n: number }>('select count(*)::int as n from sessions where user_id = $1 and second_factor', [user.id])).rows[0]
        .n;
    const before = await sessionsWithCode();
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.client().signIn(user.email, user.password, code)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    // The others are refused: the code was used, or (attempts count before they are checked) the throttle holds them.
    const codes = new Set(answers.filter((a) => a.status !== 200).map((a) => a.body.code));
    expect(
      [...codes].every((code) => code === 'auth.totp-invalid' || code === 'auth.rate-limited'),
      [...codes].join(),
    ).toBe(true);
    expect(await sessionsWithCode()).toBe(before + 1);
  });

  it('confirms an enrolment once when the same code arrives twice at once', async () => {
    const user = await t.user([]);
    const { secret } = (await user.client.post('/api/auth/totp/enrol')).body;
    const code = totpCode(secret);
    const answers = await Promise.all([1, 2, 3].map(() => user.client.post('/api/auth/totp/confirm', { code })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
  });

  it(`checks at most ${MAX_FAILURES_PER_ACCOUNT} passwords of an account when twenty attempts race`, async () => {
    const user = await t.user([], undefined, false);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.client().signIn(user.email, `wrong password ${i}`)));
    const checked = answers.filter((a) => a.status === 401).length;
    expect(checked).toBe(MAX_FAILURES_PER_ACCOUNT);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(20 - MAX_FAILURES_PER_ACCOUNT);
    const audited = await t.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where action = 'auth.sign-in.fail' and entity_id = $1`,
      [user.id],
    );
    expect(audited.rows[0].n).toBe(MAX_FAILURES_PER_ACCOUNT);
    expect((await t.client().signIn(user.email, user.password)).status, 'locked even for the right password').toBe(429);
  });

  it('believes X-Forwarded-For only from a configured proxy', async () => {
    const proxied = await buildApp({ db: t.db, config: { ...loadConfig({}), trustProxy: ['10.0.0.1', '192.168.0.0/16'] } });
    try {
      const addressOf = async (remoteAddress: string, forwarded: string) => {
        const response = await proxied.inject({
          method: 'GET',
          url: '/api/users',
          remoteAddress,
          headers: { 'x-forwarded-for': forwarded },
        });
        expect(response.statusCode).toBe(401);
        const logged = await t.db.query<{ ip: string }>('select ip from security_events where request_id = $1', [
          response.headers['x-request-id'],
        ]);
        return logged.rows[0].ip;
      };
      expect(await addressOf('10.0.0.1', '203.0.113.5')).toBe('203.0.113.5');
      expect(await addressOf('192.168.4.4', '203.0.113.6')).toBe('203.0.113.6');
      expect(await addressOf('198.51.100.7', '203.0.113.9')).toBe('198.51.100.7');
    } finally {
      await proxied.close();
    }
    expect(() => loadConfig({ CONCORD_TRUST_PROXY: 'true' })).toThrow(/Trusting every address/);
    expect(() => loadConfig({ CONCORD_TRUST_PROXY: '10.0.0.0/99' })).toThrow(/not one/);
  });
});

describe('API tokens', () => {
  it('are revoked by a password change and by a reset', async () => {
    const user = await t.user(['humanitarian']);
    const made = async () => bearer((await user.client.post('/api/tokens', { name: 'script', scopes: ['places.read'] })).body.token);
    const first = await made();
    expect((await first.get('/api/places')).status).toBe(200);
    const changed = await user.client.post('/api/auth/password', {
      currentPassword: user.password,
      newPassword: 'a new and long passphrase',
    });
    expect(changed.status).toBe(204);
    expect((await first.get('/api/places')).status).toBe(401);

    const second = await made();
    expect((await second.get('/api/places')).status).toBe(200);
    expect((await t.admin.client.post(`/api/users/${user.id}/reset-password`, {})).status).toBe(200);
    expect((await second.get('/api/places')).status).toBe(401);
    const audit = await t.db.query<{ after: { revokedTokens: number } }>(
      `select after from audit_log where action in ('auth.password.change', 'access.user.reset-password') and entity_id = $1 order by id`,
      [user.id],
    );
    expect(audit.rows.map((r) => r.after.revokedTokens)).toEqual([1, 1]);
  });

  it('are made only in a session that passed a second factor its organisation requires', async () => {
    const org = await t.organisation('humanitarian');
    const user = await t.user(['humanitarian'], org.id);
    const early = (await user.client.post('/api/tokens', { name: 'before', scopes: ['places.read'] })).body.token;
    expect((await bearer(early).get('/api/places')).status).toBe(200);
    await t.admin.client.patch(`/api/organisations/${org.id}`, { requireTotp: true });

    expect((await bearer(early).get('/api/places')).status, 'a token made without a second factor stops').toBe(401);
    const secret = await enrol(user);
    const unproven = await t.client().signIn(user.email, user.password);
    expect(unproven.status).toBe(401); // the code is now required at sign-in
    const signedIn = t.client();
    expect((await signedIn.signIn(user.email, user.password, totpCode(secret))).status).toBe(200);
    const made = await signedIn.post('/api/tokens', { name: 'after', scopes: ['places.read'] });
    expect(made.status).toBe(201);
    expect((await bearer(made.body.token).get('/api/places')).status).toBe(200);
    expect((await bearer(early).get('/api/places')).status, 'the old token stays dead').toBe(401);
  });

  it('refuses a token to a session that never showed the code, even once the user has enrolled elsewhere', async () => {
    const org = await t.organisation('humanitarian', { requireTotp: true });
    const user = await t.user(['humanitarian'], org.id); // session A, enrolment only
    const other = t.client();
    expect((await other.signIn(user.email, user.password)).status).toBe(200); // session B, enrolment only too
    expect((await other.post('/api/tokens', { name: 'b', scopes: ['places.read'] })).body.code).toBe('auth.totp-enrolment-required');
    await enrol(user); // in session A
    const refused = await other.post('/api/tokens', { name: 'b', scopes: ['places.read'] });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('auth.second-factor-required');
    expect((await user.client.post('/api/tokens', { name: 'a', scopes: ['places.read'] })).status, 'A confirmed the code').toBe(201);
  });

  it('expire: in 90 days unless asked, never later than a year', async () => {
    const user = await t.user(['humanitarian']);
    const made = (await user.client.post('/api/tokens', { name: 'default', scopes: ['places.read'] })).body;
    const days = (new Date(made.expiresAt).getTime() - new Date(made.createdAt).getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(90);
    expect((await user.client.post('/api/tokens', { name: 'long', scopes: ['places.read'], expiresInDays: 367 })).status).toBe(400);
    await t.db.query(`update api_tokens set expires_at = now() - interval '1 second' where id = $1`, [made.id]);
    expect((await bearer(made.token).get('/api/places')).status).toBe(401);
  });
});

describe('passwords (NIST SP 800-63B)', () => {
  const create = (password: string, name = 'Nadia Haddad') =>
    t.admin.client.post('/api/users', {
      email: `${t.unique('nadia')}@test.example`,
      name,
      organisationId: t.admin.organisationId,
      roles: [],
      password,
    });

  it('refuses fewer than 12 characters, counting characters as people see them', async () => {
    const short = await create('a9$Kx!2pQz#');
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ pointer: '/password', detail: 'At least 12 characters.' }]);
    // Eleven emoji are 22 UTF-16 units but eleven characters.
    const emoji = await create('🌍🚚🏥🧭🌾📦🔑🪨🌊🍞💧');
    expect(emoji.status).toBe(400);
    expect(emoji.body.errors[0].detail).toBe('At least 12 characters.');
  });

  it('refuses common, breached and patterned passwords, however they are composed', async () => {
    const patterned = ['password1234', 'Password123!', 'qwertyuiop12', '123456789012', 'aaaaaaaaaaaa', 'abcdefghijkl', 'iloveyou2020'];
    for (const password of [...patterned, 'Winter2026!!', 'P@ssw0rd2026']) {
      const refused = await create(password);
      expect(refused.status, password).toBe(400);
      expect(refused.body.errors[0].detail, password).toMatch(/too easy to guess/);
    }
  });

  it("refuses the account's own words, and accepts a long passphrase with no digit, capital or symbol", async () => {
    expect((await create('nadiahaddad2026', 'Nadia Haddad')).status).toBe(400);
    expect((await create('olive trees by the crossing at dawn')).status).toBe(201);
  });

  it('checks a changed and a reset password the same way', async () => {
    const user = await t.user([]);
    const changed = await user.client.post('/api/auth/password', { currentPassword: user.password, newPassword: 'password1234' });
    expect(changed.status).toBe(400);
    expect(changed.body.errors[0].pointer).toBe('/newPassword');
    const reset = await t.admin.client.post(`/api/users/${user.id}/reset-password`, { password: 'qwertyuiop12' });
    expect(reset.status).toBe(400);
    expect((await t.client().signIn(user.email, user.password)).status, 'nothing changed').toBe(200);
  });
});
