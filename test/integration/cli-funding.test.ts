/**
 * `concord funding import` and `export` as a user runs them, with no server running: on the
 * embedded database, or on PostgreSQL (TEST_DATABASE_URL) through DATABASE_URL. A large file
 * imports whole; a refused file keeps nothing, exits 1 with its reasons, and is audited;
 * --lenient keeps the valid activities; a second import adds nothing; the exports write their
 * files; the ledger check names a balance written behind its guards; and a command run
 * while a server is still starting says so in one sentence.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIatiFile } from '../../bench/iati-generate.ts';
import { acquireDataDir, pgdataPath } from '../../src/server/db/data-dir.ts';
import type { Db } from '../../src/server/db/db.ts';
import { startEmbeddedPostgres } from '../../src/server/db/embedded.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { concord, tempDir } from '../support/processes.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

// Without TEST_DATABASE_URL the commands use the embedded server, as `npx concord` does by default.
const onEmbedded = !process.env.TEST_DATABASE_URL;
const SHARED = join(import.meta.dirname, '../../../shared');
const HAS_SHARED = existsSync(SHARED);

describe(`concord funding on ${onEmbedded ? 'the embedded database' : 'PostgreSQL'}`, { timeout: 300_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  let testDb: TestDb | null = null;
  beforeAll(async () => {
    dir = await tempDir();
    if (onEmbedded) env = { CONCORD_DATA_DIR: join(dir.path, 'data'), DATABASE_URL: '', CONCORD_SEED: 'none' };
    else {
      testDb = await createTestDb();
      env = { CONCORD_DATA_DIR: join(dir.path, 'data'), DATABASE_URL: testDb.url!, CONCORD_SEED: 'none' };
    }
  });
  afterAll(async () => {
    await testDb?.drop();
    await dir?.remove();
  });

  /** Looks into the database the CLI used, once the command has exited. */
  async function inDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
    if (testDb) return work(testDb.db);
    const server = await startEmbeddedPostgres({ pgdata: pgdataPath(env.CONCORD_DATA_DIR) });
    const db = new PostgresDb(server.url(), 1);
    try {
      return await work(db);
    } finally {
      await db.close();
      await server.stop();
    }
  }
  const count = (sql: string, values: unknown[] = []) =>
    inDatabase(async (db) => Number((await db.query<{ n: number }>(sql, values)).rows[0].n));

  const activity = (id: string, transactions: string) => ` <iati-activity default-currency="USD"><iati-identifier>${id}</iati-identifier>
  <reporting-org ref="XM-CLI" type="10"><narrative>Donor</narrative></reporting-org>
  <title><narrative>T</narrative></title><description><narrative>D</narrative></description>
  <participating-org ref="XM-CLI" role="1"/><activity-status code="2"/><activity-date type="2" iso-date="2026-01-01"/>
${transactions}
 </iati-activity>`;
  const file = (...activities: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
${activities.join('\n')}
</iati-activities>`;
  const pledgeAndDisbursement = `  <transaction ref="p1"><transaction-type code="13"/><transaction-date iso-date="2026-02-19"/><value value-date="2026-02-19">1000000</value></transaction>
  <transaction ref="d1"><transaction-type code="3"/><transaction-date iso-date="2026-03-01"/><value value-date="2026-03-01">250000.50</value></transaction>`;
  const broken = `  <transaction ref="x1"><transaction-type code="3"/><transaction-date iso-date="2026-03-02"/><value value-date="2026-03-02">not a number</value></transaction>`;

  it('imports a file of many megabytes whole, with the progress display on', async () => {
    const generated = await generateIatiFile(join(dir.path, 'large.xml'), 3);
    const result = await concord(['funding', 'import', 'iati', generated.path], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `Read ${generated.activities} activities with ${generated.transactions} transactions: imported ${generated.transactions}, already imported 0, left out 0.`,
    );
    expect(await count("select count(*)::int as n from reported_flows where activity_identifier like 'XM-OCHA-CONCORD-%'")).toBe(
      generated.transactions,
    );
  });

  it('refuses a file with an invalid activity: exit 1, the line and reason, nothing kept, and the refusal audited', async () => {
    const path = join(dir.path, 'donor.xml');
    await writeFile(path, file(activity('XM-CLI-1', pledgeAndDisbursement), activity('XM-CLI-2', broken)));
    const refused = await concord(['funding', 'import', 'iati', path], env);
    expect(refused.code, refused.stdout).toBe(1);
    const lines = readFileSync(path, 'utf8').split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    expect(refused.stderr).toContain(
      `Refused ${path}, nothing was imported: 1 of the activities in the file is not valid, so nothing was imported.`,
    );
    expect(refused.stderr).toContain(`invalid activity at line ${at('XM-CLI-2') - 0} (XM-CLI-2):`);
    expect(refused.stderr).toContain(
      `line ${at('not a number')}, value, rule transaction.value: value "not a number" is not a decimal number`,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await count("select count(*)::int as n from reported_flows where activity_identifier like 'XM-CLI-%'")).toBe(0);
    expect(
      await count(
        "select count(*)::int as n from audit_log where action = 'funding.import.refused' and after ->> 'fileName' = 'donor.xml'",
      ),
    ).toBe(1);
    expect(await count('select count(*)::int as n from funding_import_rows')).toBe(0);
  });

  it('--lenient imports the valid activity, lists the one left out, and a second import adds nothing', async () => {
    const path = join(dir.path, 'donor-lenient.xml');
    await writeFile(path, file(activity('XM-CLI-3', pledgeAndDisbursement), activity('XM-CLI-4', broken)));
    const first = await concord(['funding', 'import', 'iati', path, '--lenient'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Read 2 activities with 2 transactions: imported 2, already imported 0, left out 1.');
    expect(first.stdout).toMatch(/incoming\s+pledge\s+1\s+USD 1000000\.00/);
    expect(first.stdout).toMatch(/outgoing\s+paid\s+1\s+USD 250000\.50/);
    expect(first.stdout).toMatch(/left out activity at line \d+ \(XM-CLI-4\):/);
    const second = await concord(['funding', 'import', 'iati', path, '--lenient'], env);
    expect(second.stdout).toContain('imported 0, already imported 2, left out 1.');
  });

  it('says plainly when the file is missing or is not IATI', async () => {
    const missing = await concord(['funding', 'import', 'iati', join(dir.path, 'nope.xml')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`Cannot read ${join(dir.path, 'nope.xml')}: no such file.`);
    const html = join(dir.path, 'page.html');
    await writeFile(html, '<html><body>hello</body></html>');
    const wrong = await concord(['funding', 'import', 'iati', html], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe(
      `Refused ${html}, nothing was imported: Not an IATI activity file: the root element is <html>, not <iati-activities> (line 1)`,
    );
  });

  it.skipIf(!HAS_SHARED)('imports the FTS sample and exports HXL and XLSX files', async () => {
    const fts = await concord(['funding', 'import', 'fts', join(SHARED, 'samples/fts/flows-opt-2020-page-3.json')], env);
    expect(fts.code, fts.stderr).toBe(0);
    expect(fts.stdout).toMatch(/^Read \d+ flows: imported \d+/);
    const csv = join(dir.path, 'funding.csv');
    const hxl = await concord(['funding', 'export', 'hxl', '-o', csv], env);
    expect(hxl.code, hxl.stderr).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\r\n')[1]).toContain('#org+funder+name');
    const xlsx = join(dir.path, 'funding.xlsx');
    expect((await concord(['funding', 'export', 'xlsx', '-o', xlsx], env)).code).toBe(0);
    expect(readFileSync(xlsx).subarray(0, 2).toString()).toBe('PK');
  });

  it('funding check says the ledger is consistent, then names a balance written behind the guards and exits 1', async () => {
    const fine = await concord(['funding', 'check'], env);
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.stdout).toMatch(/^consistent: \d+ account\(s\) and \d+ monthly figure\(s\) recomputed from the entries/);
    // As only a superuser could: an account whose kept balance no entry explains, triggers off.
    const account = await inDatabase((db) =>
      db.transaction(async (tx) => {
        await tx.query('set local session_replication_role = replica');
        const org = (await tx.query<{ id: string }>(`insert into organisations (name, type) values ('CLI donor', 'donor') returning id`))
          .rows[0].id;
        const instrument = (
          await tx.query<{ id: string }>(
            `insert into funding_instruments (donor_org_id, name, kind, owner_org_id) values ($1, 'CLI fund', 'grant', $1) returning id`,
            [org],
          )
        ).rows[0].id;
        const id = (
          await tx.query<{ id: string }>(`insert into ledger_accounts (kind, instrument_id) values ('fund', $1) returning id`, [instrument])
        ).rows[0].id;
        await tx.query(`insert into ledger_balance_parts (account_id, part, balance_usd) values ($1, 0, 5.00)`, [id]);
        return id;
      }),
    );
    const different = await concord(['funding', 'check'], env);
    expect(different.code).toBe(1);
    expect(different.stdout).toContain('DIFFERENT');
    expect(different.stdout).toContain(`fund account ${account}`);
    expect(different.stdout).toContain('the ledger keeps USD 5.00, its entries add up to USD 0.00');
  });

  it.skipIf(!onEmbedded)('a command run while a server holds the data but has not opened its socket explains in one sentence', async () => {
    const data = join(dir.path, 'starting');
    // This test process plays a server that has written its lock and not yet opened its socket.
    const lock = acquireDataDir(data);
    try {
      const result = await concord(['funding', 'import', 'iati', join(dir.path, 'page.html')], { ...env, CONCORD_DATA_DIR: data });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `A Concord server (pid ${process.pid}) holds ${data} but its control socket did not open within 10 s; if it is still starting, try again in a moment.`,
      );
    } finally {
      lock.release();
    }
  });
});
