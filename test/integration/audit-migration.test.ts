/**
 * Migration 0009 on a database that has a hash-chained audit trail (migrations 0001-0008):
 * the chain's state is kept as a record of its own, and every older record is sealed into
 * the Merkle tree by the new scheme.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/server/db/db.ts';
import { loadMigrations, migrate } from '../../src/server/db/migrate.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { startAuditSealer } from '../../src/server/modules/audit/sealer.ts';
import { auditFiles } from '../../src/server/modules/audit/signing-key.ts';
import { verifyAuditLog } from '../../src/server/modules/audit/verify.ts';
import { createEmptyDatabase } from '../support/test-db.ts';

/** The migration that ended the hash chain. */
const AUDIT_MIGRATION = 9;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An empty database of its own on the test server. */
async function emptyDatabase(): Promise<Db> {
  const empty = await createEmptyDatabase();
  const db = new PostgresDb(empty.url, 4);
  cleanups.push(async () => {
    await db.close();
    await empty.drop();
  });
  return db;
}

async function chainedDatabase(rows: number): Promise<Db> {
  const db = await emptyDatabase();
  const all = await loadMigrations();
  await migrate(
    db,
    all.filter((m) => m.version < AUDIT_MIGRATION),
  );
  for (let i = 0; i < rows; i++) {
    await db.query(
      `insert into audit_log (actor_label, action, entity_type, entity_id, after, prev_hash, hash)
       values ('test', 'probe.chained', 'probe', $1, '{"name": "بيت حانون", "n": 1.5}', '', '')`,
      [String(i)],
    );
  }
  return db;
}

async function sealAndVerify(db: Db) {
  const dataDir = await mkdtemp(join(tmpdir(), 'concord-audit-migration-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const sealer = await startAuditSealer(db, { dataDir }, { intervalMs: 3_600_000, env: {} });
  await sealer.stop(); // stopping seals what is there
  return verifyAuditLog(db, auditFiles({ dataDir }, {}), { mode: 'full' });
}

describe('migration 0009', { timeout: 180_000 }, () => {
  it('records the hash chain as intact with its last hash, and seals every older record into the tree', async () => {
    const db = await chainedDatabase(5);
    const lastHash = (await db.query<{ hash: string }>('select hash from audit_log order by id desc limit 1')).rows[0].hash;
    await migrate(db);
    const converted = await db.query<{ after: Record<string, unknown> }>(`select after from audit_log where action = 'audit.log.convert'`);
    expect(converted.rows).toEqual([
      { after: expect.objectContaining({ chainRows: 5, chainIntact: true, firstBrokenId: null, lastHash }) },
    ]);
    const report = await sealAndVerify(db);
    expect(report).toMatchObject({ status: 'intact', records: 6, pending: 0 });
    const sealed = await db.query<{ action: string }>(
      'select a.action from audit_leaves l join audit_log a on a.id = l.audit_id order by l.seq',
    );
    expect(sealed.rows.map((r) => r.action)).toEqual([...Array(5).fill('probe.chained'), 'audit.log.convert']);
    // New writes go in without the chain's columns or its lock.
    await db.query(`insert into audit_log (actor_label, action, entity_type) values ('test', 'probe.after', 'probe')`);
    expect((await db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0].n).toBe(7);
  });

  it('records a chain that was already broken, naming its first broken row, before sealing it', async () => {
    const db = await chainedDatabase(4);
    const second = (await db.query<{ id: number }>('select id from audit_log order by id offset 1 limit 1')).rows[0].id;
    await db.exec(`alter table audit_log disable trigger audit_log_append_only;
      update audit_log set entity_id = 'changed' where id = ${second};
      alter table audit_log enable trigger audit_log_append_only;`);
    await migrate(db);
    const converted = await db.query<{ after: Record<string, unknown> }>(`select after from audit_log where action = 'audit.log.convert'`);
    expect(converted.rows[0].after).toMatchObject({ chainRows: 4, chainIntact: false, firstBrokenId: Number(second) });
    expect((await sealAndVerify(db)).status).toBe('intact');
  });

  it('adds no record to a database that had no audit trail yet', async () => {
    const db = await emptyDatabase();
    await migrate(db);
    expect((await db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0].n).toBe(0);
  });
});
