import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgdataPath } from '../../src/server/db/data-dir.ts';
import { startEmbeddedPostgres } from '../../src/server/db/embedded.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { DEMO_PASSWORD } from '../../src/server/scenario/gaza.ts';
import { concord, type ServerProcess, startServerProcess, tempDir } from '../support/processes.ts';

// The embedded database's guard is what these tests are about: they always use the
// embedded server, so they run once, in the pass without TEST_DATABASE_URL.
const onEmbedded = !process.env.TEST_DATABASE_URL;

describe('concord CLI', () => {
  it('lists its commands', async () => {
    const result = await concord(['--help'], {});
    expect(result.code).toBe(0);
    for (const command of ['serve', 'migrate', 'seed', 'user', 'audit', 'conditions']) expect(result.stdout).toContain(command);
    const user = await concord(['user', '--help'], {});
    for (const command of ['add', 'disable', 'reset-password']) expect(user.stdout).toContain(command);
    const conditions = await concord(['conditions', 'long-pole', '--help'], {});
    expect(conditions.stdout).toContain('--dimension');
    const bad = await concord(['conditions', 'long-pole', '--dimension', 'goats'], {});
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('money_usd, personnel, aid_trucks_per_day, projects');
  });

  it('answers bad input with a plain message', async () => {
    const result = await concord(['serve'], { PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('PORT must be a port number, not "eighty".');
  });
});

describe.skipIf(!onEmbedded)('concord CLI on the embedded database', { timeout: 180_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await tempDir();
    env = { CONCORD_DATA_DIR: dir.path, DATABASE_URL: '' };
  });
  afterAll(() => dir?.remove());

  it('migrates, seeds once, and manages users with no server running', async () => {
    expect((await concord(['migrate'], env)).stdout).toContain('Applied migrations 1');
    expect((await concord(['migrate'], env)).stdout).toContain('up to date');
    expect((await concord(['seed'], env)).stdout).toContain('Loaded the Gaza scenario');
    expect((await concord(['seed'], env)).stdout).toContain('already loaded');
    const added = await concord(
      [
        'user',
        'add',
        '--email',
        'Officer@Test.example',
        '--name',
        'Test Officer',
        '--organisation',
        'world food programme',
        '--role',
        'humanitarian',
        '--password',
        'copper kettle on the harbour wall',
      ],
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('Created officer@test.example (Test Officer) in World Food Programme with roles: humanitarian');
    const duplicate = await concord(
      [
        'user',
        'add',
        '--email',
        'officer@test.example',
        '--name',
        'x',
        '--organisation',
        'World Food Programme',
        '--password',
        'copper kettle on the harbour wall',
      ],
      env,
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('A user with this email already exists.');
    const reset = await concord(['user', 'reset-password', 'officer@test.example'], env);
    expect(reset.stdout).toMatch(/New password for officer@test.example: \S{23}/);
    expect((await concord(['user', 'disable', 'nobody@test.example'], env)).stderr).toContain('No user with the email nobody@test.example');
  });

  describe('while a server holds the data directory', () => {
    let server: ServerProcess;
    beforeAll(async () => {
      server = await startServerProcess(env);
    });
    afterAll(() => server?.stop());

    it('refuses to open the database itself, with a clear message', async () => {
      const result = await concord(['migrate'], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`A Concord server (pid ${server.child.pid}, ${server.address}) holds ${dir.path}`);
      expect((await concord(['seed'], env)).code).toBe(1);
    });

    it("goes through the server's API for users and the audit trail", async () => {
      const added = await concord(
        [
          'user',
          'add',
          '--email',
          'live@test.example',
          '--name',
          'Live User',
          '--organisation',
          'UN OCHA',
          '--role',
          'field_reporter',
          '--password',
          'live password for the crossing',
        ],
        env,
      );
      expect(added.stdout).toContain('Created live@test.example');
      const signIn = await fetch(`${server.address}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'live@test.example', password: 'live password for the crossing' }),
      });
      expect(signIn.status).toBe(200);
      expect((await concord(['user', 'disable', 'live@test.example'], env)).stdout).toContain('Disabled live@test.example');
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
      expect((await fetch(`${server.address}/api/auth/session`, { headers: { cookie } })).status).toBe(401);
      const verify = await concord(['audit', 'verify'], env);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/^intact: \d+ records, each as it was sealed/);
    });

    it('records what the CLI did under its own name', async () => {
      const signIn = await fetch(`${server.address}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'auditor@concord.example', password: DEMO_PASSWORD }),
      });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
      const audit = await (await fetch(`${server.address}/api/audit?action=access.user.disable`, { headers: { cookie } })).json();
      expect(audit.items[0]).toMatchObject({ actorLabel: 'cli', actor: null });
    });
  });

  it('reports a tampered audit trail and exits non-zero', async () => {
    // Someone with the database's files and no Concord: start its server by hand and edit a row.
    const server = await startEmbeddedPostgres({ pgdata: pgdataPath(dir.path) });
    const db = new PostgresDb(server.url(), 1);
    const { rows } = await db.query<{ id: number }>('select max(id) - 1 as id from audit_log');
    await db.exec(`alter table audit_log disable trigger audit_log_append_only;
      update audit_log set actor_label = 'someone else' where id = ${rows[0].id};
      alter table audit_log enable trigger audit_log_append_only;`);
    await db.close();
    await server.stop();
    const verify = await concord(['audit', 'verify'], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`broken at record ${rows[0].id} (place `);
  });
});
