/**
 * An app over a fresh database for one test file, with HTTP clients that sign in like a
 * browser (cookie plus CSRF header) and factories that make organisations and users with
 * unique names, so tests never depend on each other's data.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { buildApp, type ConcordApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import type { OrganisationType } from '../../src/shared/organisations.ts';
import { createTestDb, type TestDb } from './test-db.ts';

export interface Response {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

export class Client {
  cookie: string | null = null;
  csrf: string | null = null;
  bearer: string | null = null;

  constructor(readonly app: ConcordApp) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const response = await this.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
        ...headers,
      },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = [response.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('concord_session='));
    if (setCookie) this.cookie = setCookie.split(';')[0];
    let parsed: unknown = response.body;
    try {
      parsed = response.body ? JSON.parse(response.body) : null;
    } catch {}
    return { status: response.statusCode, body: parsed, headers: response.headers as Response['headers'] };
  }

  get = (url: string) => this.request('GET', url);
  /** Every POST carries a fresh Idempotency-Key, as a careful client sends (money writes need one). */
  post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
    this.request('POST', url, body ?? {}, { 'idempotency-key': randomUUID(), ...headers });
  patch = (url: string, body: unknown) => this.request('PATCH', url, body);
  delete = (url: string) => this.request('DELETE', url);

  async signIn(email: string, password: string, totp?: string): Promise<Response> {
    const response = await this.post('/api/auth/sign-in', { email, password, ...(totp ? { totp } : {}) });
    if (response.status === 200) this.csrf = response.body.csrfToken;
    return response;
  }
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  organisationId: string;
  client: Client;
}

export class TestApp {
  private counter = 0;
  /** A signed-in administrator, used by the factories. */
  admin!: TestUser;

  constructor(
    readonly app: ConcordApp,
    readonly testDb: TestDb,
  ) {}

  get db() {
    return this.testDb.db;
  }

  client(): Client {
    return new Client(this.app);
  }

  unique(prefix: string): string {
    return `${prefix}-${++this.counter}-${randomBytes(3).toString('hex')}`;
  }

  async organisation(
    type: OrganisationType = 'contributing_country',
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; name: string }> {
    const response = await this.admin.client.post('/api/organisations', { name: this.unique(`Org ${type}`), type, ...extra });
    if (response.status !== 201) throw new Error(`organisation factory: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** A user with the given roles, signed in. */
  async user(roles: string[], organisationId?: string, signIn = true): Promise<TestUser> {
    const orgId = organisationId ?? (await this.organisation()).id;
    const email = `${this.unique('user')}@test.example`;
    const password = 'correct horse battery';
    const response = await this.admin.client.post('/api/users', {
      email,
      name: email.split('@')[0],
      organisationId: orgId,
      roles,
      password,
    });
    if (response.status !== 201) throw new Error(`user factory: ${response.status} ${JSON.stringify(response.body)}`);
    const client = this.client();
    if (signIn) {
      const signedIn = await client.signIn(email, password);
      if (signedIn.status !== 200) throw new Error(`sign-in: ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
    }
    return { id: response.body.id, email, password, organisationId: orgId, client };
  }

  async close() {
    await this.app.close();
    await this.testDb.drop();
  }
}

/** Builds the app over a fresh database and makes a first administrator directly in SQL. */
export async function startTestApp(): Promise<TestApp> {
  const testDb = await createTestDb();
  const app = await buildApp({ db: testDb.db, config: { ...loadConfig({}), seed: 'none' } });
  const test = new TestApp(app, testDb);
  const { hashPassword } = await import('../../src/server/modules/auth/credentials.ts');
  const org = await testDb.db.query<{ id: string }>(
    `insert into organisations (name, type) values ('Test HQ ${randomBytes(3).toString('hex')}', 'force_headquarters') returning id`,
  );
  const password = 'admin password 123';
  const email = `${test.unique('admin')}@test.example`;
  const user = await testDb.db.query<{ id: string }>(
    'insert into users (email, name, organisation_id, password_hash) values ($1, $2, $3, $4) returning id',
    [email, 'Test Admin', org.rows[0].id, await hashPassword(password)],
  );
  await testDb.db.query(`insert into user_roles (user_id, role_key) values ($1, 'admin')`, [user.rows[0].id]);
  const client = test.client();
  const signedIn = await client.signIn(email, password);
  if (signedIn.status !== 200) throw new Error(`admin sign-in failed: ${JSON.stringify(signedIn.body)}`);
  test.admin = { id: user.rows[0].id, email, password, organisationId: org.rows[0].id, client };
  return test;
}
