/**
 * `concord funding import` and `export` on the embedded database with no server running:
 * a donor's files import through the in-process API, a second import adds nothing, bad
 * input gets a plain message, and the exports write their files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concord, tempDir } from '../support/processes.ts';

// These always use the embedded server, so they run once, in the pass without TEST_DATABASE_URL.
const onEmbedded = !process.env.TEST_DATABASE_URL;
const SHARED = join(import.meta.dirname, '../../../shared');
const HAS_SHARED = existsSync(SHARED);

describe.skipIf(!onEmbedded)('concord funding on the embedded database', { timeout: 240_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await tempDir();
    env = { CONCORD_DATA_DIR: join(dir.path, 'data'), DATABASE_URL: '', CONCORD_SEED: 'none' };
  });
  afterAll(() => dir?.remove());

  it('imports an IATI file, reports what it did, and imports nothing the second time', async () => {
    const file = join(dir.path, 'donor.xml');
    await writeFile(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity><iati-identifier>XM-CLI-1</iati-identifier>
  <reporting-org ref="XM-CLI" type="10"><narrative>Donor</narrative></reporting-org>
  <transaction ref="p1"><transaction-type code="13"/><transaction-date iso-date="2026-02-19"/><value currency="USD" value-date="2026-02-19">1000000</value></transaction>
  <transaction ref="d1"><transaction-type code="3"/><transaction-date iso-date="2026-03-01"/><value currency="USD" value-date="2026-03-01">250000.50</value></transaction>
  <transaction ref="x1"><transaction-type code="3"/><transaction-date iso-date="2026-03-02"/><value currency="USD">not a number</value></transaction>
 </iati-activity>
</iati-activities>`,
    );
    const first = await concord(['funding', 'import', 'iati', file], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Read 1 activities with 2 transactions: imported 2, already imported 0, skipped 1.');
    expect(first.stdout).toMatch(/pledge\s+1\s+USD 1000000\.00/);
    expect(first.stdout).toMatch(/paid\s+1\s+USD 250000\.50/);
    expect(first.stdout).toMatch(/skipped transaction at line \d+ \(XM-CLI-1\|x1\)/);
    const second = await concord(['funding', 'import', 'iati', file], env);
    expect(second.stdout).toContain('imported 0, already imported 2, skipped 1.');
  });

  it('says plainly when the file is missing or is not IATI', async () => {
    const missing = await concord(['funding', 'import', 'iati', join(dir.path, 'nope.xml')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`Cannot read ${join(dir.path, 'nope.xml')}: no such file.`);
    const html = join(dir.path, 'page.html');
    await writeFile(html, '<html><body>hello</body></html>');
    const wrong = await concord(['funding', 'import', 'iati', html], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^Could not import .*page\.html: The file is not one this import can read\./);
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
});
