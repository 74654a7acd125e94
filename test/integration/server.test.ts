import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { DEMO_PASSWORD } from '../../src/server/scenario/gaza.ts';
import { type ServerProcess, startServerProcess, tempDir } from '../support/processes.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

async function signIn(address: string, email: string) {
  const response = await fetch(`${address}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const body = await response.json();
  return { cookie: response.headers.get('set-cookie')!.split(';')[0], csrf: body.csrfToken as string };
}

async function count(address: string, session: { cookie: string }, path: string): Promise<number> {
  return (await (await fetch(`${address}${path}`, { headers: { cookie: session.cookie } })).json()).total;
}

it('answers 503 with a problem when the database is unreachable', async () => {
  const db = new PostgresDb('postgres://nobody@127.0.0.1:1/none', 1);
  const app = await buildApp({ db, config: loadConfig({}) });
  try {
    const response = await app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'database.unavailable', status: 503 });
  } finally {
    await app.close();
    await db.close();
  }
});

// One pass runs the server on a fresh embedded directory, the other on a fresh PostgreSQL database.
describe('a server process', { timeout: 240_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let pgDb: TestDb | undefined;
  let env: Record<string, string>;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = await tempDir();
    if (process.env.TEST_DATABASE_URL) {
      pgDb = await createTestDb();
      await pgDb.db.close(); // the server process opens its own connections
    }
    env = { CONCORD_DATA_DIR: dir.path, DATABASE_URL: pgDb?.url ?? '' };
    server = await startServerProcess(env);
  });
  afterAll(async () => {
    await server?.stop();
    await dir?.remove();
    if (pgDb) await pgDb.drop().catch(() => {});
  });

  it('starts with the scenario, prints the demo sign-ins and serves the API', async () => {
    expect(server.output()).toContain('loaded the Gaza scenario');
    expect(server.output()).toContain('admin@concord.example');
    const health = await (await fetch(`${server.address}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', database: 'postgresql' });
    const governorates = await (await fetch(`${server.address}/api/geo/governorates`)).json();
    expect(governorates.features.map((f: { properties: { nameEn: string } }) => f.properties.nameEn).sort()).toEqual([
      'Deir al-Balah',
      'Gaza',
      'Khan Younis',
      'North Gaza',
      'Rafah',
    ]);
  });

  it('finishes requests in flight on SIGTERM, and restarts with its data intact and the scenario unchanged', async () => {
    const admin = await signIn(server.address, 'admin@concord.example');
    const before = await count(server.address, admin, '/api/organisations?pageSize=1');
    const writes = Array.from({ length: 20 }, (_, i) =>
      fetch(`${server.address}/api/organisations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
        body: JSON.stringify({ name: `Drain test ${i}`, type: 'observer' }),
      }).then(
        (response) => response.status,
        () => 0, // refused once the server stopped listening
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    const exitCode = await server.stop('SIGTERM');
    const statuses = await Promise.all(writes);
    expect(exitCode).toBe(0);
    expect(statuses.every((status) => [0, 201, 503].includes(status))).toBe(true);
    const created = statuses.filter((status) => status === 201).length;

    server = await startServerProcess(env);
    expect(server.output()).not.toContain('loaded the Gaza scenario');
    expect(server.output()).not.toContain('migrations applied');
    const again = await signIn(server.address, 'admin@concord.example');
    // Every write the client was told succeeded is there; nothing else is.
    expect(await count(server.address, again, '/api/organisations?pageSize=1&q=Drain test')).toBe(created);
    expect(await count(server.address, again, '/api/organisations?pageSize=1')).toBe(before + created);
    const verify = await (await fetch(`${server.address}/api/audit/verify`, { headers: { cookie: again.cookie } })).json();
    expect(verify.status).toBe('intact');
  });

  // PostgreSQL takes many servers; the embedded database exactly one.
  it.skipIf(!!process.env.TEST_DATABASE_URL)('refuses a second server on the same embedded data directory', async () => {
    await expect(startServerProcess(env, 60_000)).rejects.toThrow(/in use by another Concord process/);
  });
});
