/**
 * The sealer and the trust kept outside the database: records written concurrently are
 * sealed once each in a gap-free order, by one sealer at a time; the signing key and the
 * checkpoint file are only their owner's; a head signed with another key, a checkpoint file
 * that disagrees with the database, and a missing key are all reported; and verifying since
 * the last checkpoint recomputes only what was sealed after it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { appendFile, chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sql from 'sql-template-tag';
import { afterEach, describe, expect, it } from 'vitest';
import { insertAudit } from '../../src/server/modules/audit/audit.repo.ts';
import { ROUND_LIMIT, startAuditSealer } from '../../src/server/modules/audit/sealer.ts';
import { AuditKeyError } from '../../src/server/modules/audit/signing-key.ts';
import { verifyAuditLog } from '../../src/server/modules/audit/verify.ts';
import { type AuditTestApp, asAttacker, startAuditTestApp } from './audit-harness.ts';

let a: AuditTestApp | undefined;
afterEach(async () => {
  await a?.close();
  a = undefined;
});

async function leaves(app: AuditTestApp) {
  const { rows } = await app.db.query<{ seq: number; audit_id: number }>('select seq, audit_id from audit_leaves order by seq');
  return rows.map((r) => ({ seq: Number(r.seq), id: Number(r.audit_id) }));
}

const probe = (app: AuditTestApp, n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      insertAudit(app.db, null, null, { action: 'probe.write', entityType: 'probe', entityId: String(i) }),
    ),
  );

describe('the sealer', { timeout: 120_000 }, () => {
  it('seals 50 concurrent audited writes exactly once each, in a gap-free order, with two sealers on one database', async () => {
    a = await startAuditTestApp({ intervalMs: 20 });
    // A second server on the same database, with the same key, sealing just as often.
    const second = await startAuditSealer(a.db, { dataDir: a.dataDir }, { intervalMs: 20, env: {} });
    const org = await a.t.organisation();
    try {
      const writes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => a!.t.admin.client.patch(`/api/organisations/${org.id}`, { nameAr: `اسم ${i}` })),
      );
      expect(writes.map((w) => w.status)).toEqual(Array(50).fill(200));
      await Promise.all([a.sealer.sealNow(), second.sealNow()]);
    } finally {
      await second.stop();
    }
    await a.sealer.sealNow();
    const sealed = await leaves(a);
    const all = (await a.db.query<{ id: number }>('select id from audit_log order by id')).rows.map((r) => Number(r.id));
    expect(sealed.map((l) => l.seq)).toEqual(all.map((_, i) => i)); // 0..n-1, no gap
    expect(sealed.map((l) => l.id).sort((x, y) => x - y)).toEqual(all); // every record once
    const updates = await a.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log a join audit_leaves l on l.audit_id = a.id where a.entity_id = $1 and a.action like '%.update'`,
      [org.id],
    );
    expect(updates.rows[0].n).toBe(50);
    const heads = (await a.db.query<{ tree_size: number }>('select tree_size from audit_tree_heads order by tree_size')).rows;
    expect(heads[heads.length - 1].tree_size).toBe(all.length);
    expect((await a.verify()).status).toBe('intact');
  });

  it('seals a backlog larger than a round in steps, one signed head per round, and then moves its watermark past it', async () => {
    a = await startAuditTestApp();
    const backlog = ROUND_LIMIT * 2 + 500;
    await a.db.query(sql`insert into audit_log (actor_label, action, entity_type, entity_id)
                         select 'backlog', 'probe.backlog', 'probe', g::text from generate_series(1, ${backlog}) g`);
    const { sealed } = await a.sealer.sealNow();
    expect(sealed).toBeGreaterThanOrEqual(backlog);
    const heads = await a.db.query<{ n: number }>('select count(*)::int as n from audit_tree_heads');
    expect(heads.rows[0].n).toBeGreaterThanOrEqual(3);
    const all = (await a.db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0].n;
    const gapless = await a.db.query<{ n: number; top: number }>('select count(*)::int as n, max(seq) as top from audit_leaves');
    expect(gapless.rows[0]).toEqual({ n: all, top: all - 1 });
    // Nothing new to look at: the next rounds' window is empty.
    const window = await a.db.query<{ n: number }>(
      'select count(*)::int as n from audit_log where xid >= (select watermark from audit_tree)',
    );
    expect(window.rows[0].n).toBe(0);
    expect(await a.verify()).toMatchObject({ status: 'intact', records: all, pending: 0 });
  });

  it('seals on its own within a second, without being asked', async () => {
    a = await startAuditTestApp({ intervalMs: 200 });
    await probe(a, 3);
    const deadline = Date.now() + 10_000;
    let report = await a.verify();
    while (report.pending > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      report = await a.verify();
    }
    expect(report).toMatchObject({ status: 'intact', pending: 0 });
    expect(report.records).toBeGreaterThanOrEqual(3);
  });

  it('lets writers commit while another audited transaction is still open: no lock orders them', async () => {
    a = await startAuditTestApp();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = a.db.transaction(async (tx) => {
      await insertAudit(tx, null, null, { action: 'probe.slow', entityType: 'probe' });
      await held;
    });
    const quick = Promise.race([
      insertAudit(a.db, null, null, { action: 'probe.quick', entityType: 'probe' }).then(() => 'committed'),
      new Promise((resolve) => setTimeout(() => resolve('blocked'), 5_000)),
    ]);
    expect(await quick).toBe('committed');
    await a.sealer.sealNow(); // seals the quick one; the slow one is not committed yet
    release();
    await slow;
    await a.sealer.sealNow();
    const actions = await a.db.query<{ action: string }>(
      `select a.action from audit_leaves l join audit_log a on a.id = l.audit_id where a.action like 'probe.%' order by l.seq`,
    );
    expect(actions.rows.map((r) => r.action)).toEqual(['probe.quick', 'probe.slow']);
    expect((await a.verify()).status).toBe('intact');
  });
});

describe('the signing key and the checkpoint file', { timeout: 120_000 }, () => {
  it('keep the key and the signed heads outside the database, readable by their owner only', async () => {
    a = await startAuditTestApp();
    await probe(a, 4);
    const { head } = await a.sealer.sealNow();
    expect((await stat(a.files.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(a.files.checkpointFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(a.files.keyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const dump = JSON.stringify((await a.db.query('select * from audit_tree')).rows);
    expect(dump).not.toContain('PRIVATE KEY');
    const lines = (await readFile(a.files.checkpointFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[lines.length - 1]).toMatchObject({ treeSize: head?.treeSize, rootHash: head?.rootHash.toString('hex') });
    await a.verify();
    expect((await stat(a.files.verifiedFile)).mode & 0o777).toBe(0o600);
  });

  it('keeps the seal append-only too: its places and heads cannot be updated, deleted or truncated', async () => {
    a = await startAuditTestApp();
    await probe(a, 3);
    await a.sealer.sealNow();
    for (const table of ['audit_leaves', 'audit_tree_heads']) {
      await expect(a.db.query(`delete from ${table}`)).rejects.toThrow(/append-only/);
      await expect(a.db.query(`truncate ${table} cascade`)).rejects.toThrow(/append-only/);
    }
    await expect(a.db.query('update audit_leaves set seq = seq + 1000')).rejects.toThrow(/append-only/);
    await expect(a.db.query('update audit_tree_heads set timestamp_ms = 0')).rejects.toThrow(/append-only/);
  });

  it('refuses a key file others can read, with the command that fixes it', async () => {
    a = await startAuditTestApp();
    await chmod(a.files.keyFile, 0o644);
    await expect(verifyAuditLog(a.db, a.files, { mode: 'full' })).rejects.toThrow(`chmod 600 ${a.files.keyFile}`);
  });

  it('reports heads signed with another key, and never seals with one', async () => {
    a = await startAuditTestApp();
    await probe(a, 3);
    await a.sealer.sealNow();
    const other = join(a.dataDir, 'other-key.pem');
    await writeFile(other, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const report = await verifyAuditLog(a.db, { ...a.files, keyFile: other }, { mode: 'full' });
    expect(report.status).toBe('broken');
    expect(report.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['key.other', 'head.signature']));
    const env = { CONCORD_AUDIT_KEY_FILE: other };
    await expect(startAuditSealer(a.db, { dataDir: a.dataDir }, { env })).rejects.toThrow(AuditKeyError);
    // A lost key is not silently replaced by a new one.
    const missing = { CONCORD_AUDIT_KEY_FILE: join(a.dataDir, 'nowhere', 'key.pem') };
    await expect(startAuditSealer(a.db, { dataDir: a.dataDir }, { env: missing })).rejects.toThrow(/is missing/);
    await expect(verifyAuditLog(a.db, { ...a.files, keyFile: missing.CONCORD_AUDIT_KEY_FILE }, { mode: 'full' })).rejects.toThrow(
      /is not there/,
    );
  });

  it('reports a checkpoint file that disagrees with the database', async () => {
    a = await startAuditTestApp();
    for (let round = 0; round < 3; round++) {
      await probe(a, 2);
      await a.sealer.sealNow();
    }
    expect((await a.verify()).status).toBe('intact');
    const lines = (await readFile(a.files.checkpointFile, 'utf8')).trim().split('\n');
    // A head's root changed in the file: its signature no longer holds.
    const forged = JSON.parse(lines[1]);
    forged.rootHash = forged.rootHash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    await writeFile(a.files.checkpointFile, [lines[0], JSON.stringify(forged), lines[2], 'not a head', ''].join('\n'));
    const edited = await a.verify();
    expect(edited.status).toBe('broken');
    expect(edited.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'checkpoint.disagrees', treeSize: forged.treeSize }),
        expect.objectContaining({ code: 'checkpoint.unreadable' }),
      ]),
    );
    // The file intact again, but a head removed from the database.
    await writeFile(a.files.checkpointFile, `${lines.join('\n')}\n`);
    await asAttacker(a.db, 'replica-role', (tx) =>
      tx.query(sql`delete from audit_tree_heads where tree_size = ${forged.treeSize}`).then(() => {}),
    );
    const removed = await a.verify();
    expect(removed.findings).toEqual([expect.objectContaining({ code: 'checkpoint.missing-in-database', treeSize: forged.treeSize })]);
    // Heads of another log under the same key: this log replaced one that was there before.
    await asAttacker(a.db, 'replica-role', (tx) =>
      tx
        .query(sql`insert into audit_tree_heads (tree_size, root_hash, timestamp_ms, signature, key_id)
                   values (${forged.treeSize}, decode(${JSON.parse(lines[1]).rootHash}, 'hex'), ${forged.timestamp},
                           decode(${Buffer.from(forged.signature, 'base64').toString('hex')}, 'hex'), ${forged.keyId})`)
        .then(() => {}),
    );
    expect((await a.verify()).status).toBe('intact');
    await appendFile(
      a.files.checkpointFile,
      `${JSON.stringify({ ...JSON.parse(lines[2]), logId: '00000000-0000-4000-8000-000000000000' })}\n`,
    );
    expect((await a.verify()).findings.map((f) => f.code)).toContain('checkpoint.other-log');
  });
});

describe('verifying since the last checkpoint', { timeout: 120_000 }, () => {
  it('recomputes only the records sealed after the tree verified last, and checks they extend it', async () => {
    a = await startAuditTestApp();
    await probe(a, 6);
    await a.sealer.sealNow();
    const full = await a.verify('full');
    expect(full).toMatchObject({ status: 'intact', mode: 'full' });
    expect(full.checkedRecords).toBe(full.records);

    await probe(a, 4);
    await a.sealer.sealNow();
    const since = await a.verify('since-checkpoint');
    expect(since).toMatchObject({ status: 'intact', mode: 'since-checkpoint', checkedRecords: 4, records: full.records + 4 });
    expect(since.since?.treeSize).toBe(full.records);

    // A record sealed after the checkpoint, edited: found.
    await probe(a, 3);
    await a.sealer.sealNow();
    const newSeq = full.records + 5;
    await asAttacker(a.db, 'disable-triggers', (tx) =>
      tx
        .query(sql`update audit_log set entity_id = 'edited' where id = (select audit_id from audit_leaves where seq = ${newSeq})`)
        .then(() => {}),
    );
    expect((await a.verify('since-checkpoint')).firstBad).toMatchObject({ code: 'record.changed', seq: newSeq });
  });

  it('leaves records before the checkpoint to the full verification, and notices when the log shrank below it', async () => {
    a = await startAuditTestApp();
    await probe(a, 6);
    await a.sealer.sealNow();
    const full = await a.verify('full');
    await asAttacker(a.db, 'disable-triggers', (tx) =>
      tx.query(sql`update audit_log set entity_id = 'edited' where id = (select audit_id from audit_leaves where seq = 2)`).then(() => {}),
    );
    expect((await a.verify('since-checkpoint')).status).toBe('intact');
    expect((await a.verify('full')).firstBad).toMatchObject({ code: 'record.changed', seq: 2 });

    await asAttacker(a.db, 'replica-role', async (tx) => {
      await tx.query(sql`delete from audit_leaves where seq >= ${full.records - 2}`);
      await tx.query(sql`delete from audit_tree_heads`);
    });
    const since = await a.verify('since-checkpoint');
    expect(since.findings.map((f) => f.code)).toContain('log.truncated');
  });
});
