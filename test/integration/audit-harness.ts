/**
 * An app whose audit files (signing key, checkpoint file, verified state) live in a
 * temporary data directory of its own, with a sealer that seals when asked, and the SQL an
 * attacker with database access would run to forge the log.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sql from 'sql-template-tag';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import type { Db, Queryable } from '../../src/server/db/db.ts';
import { asBuffer, leafHashSql } from '../../src/server/modules/audit/audit.repo.ts';
import { CompactRange } from '../../src/server/modules/audit/merkle.ts';
import { type AuditSealer, startAuditSealer } from '../../src/server/modules/audit/sealer.ts';
import { type AuditFiles, auditFiles } from '../../src/server/modules/audit/signing-key.ts';
import { type VerifyReport, verifyAuditLog } from '../../src/server/modules/audit/verify.ts';
import { Client, startTestApp, TestApp } from '../support/test-app.ts';

export interface AuditTestApp {
  t: TestApp;
  db: Db;
  dataDir: string;
  files: AuditFiles;
  sealer: AuditSealer;
  verify(mode?: 'full' | 'since-checkpoint'): Promise<VerifyReport>;
  close(): Promise<void>;
}

export async function startAuditTestApp(options: { intervalMs?: number } = {}): Promise<AuditTestApp> {
  const base = await startTestApp();
  const dataDir = await mkdtemp(join(tmpdir(), 'concord-audit-'));
  const config = { ...loadConfig({}), seed: 'none' as const, dataDir };
  const app = await buildApp({ db: base.db, config });
  const t = new TestApp(app, base.testDb);
  const client = new Client(app);
  client.cookie = base.admin.client.cookie;
  client.csrf = base.admin.client.csrf;
  t.admin = { ...base.admin, client };
  // Sealing happens when a test asks for it, unless it wants the timer.
  const sealer = await startAuditSealer(base.db, config, { intervalMs: options.intervalMs ?? 3_600_000, env: {} });
  const files = auditFiles(config, {});
  return {
    t,
    db: base.db,
    dataDir,
    files,
    sealer,
    verify: (mode = 'full') => verifyAuditLog(base.db, files, { mode }),
    async close() {
      await sealer.stop();
      await app.close();
      await base.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Audited writes through the API: each renames an organisation (one audit record each). */
export async function auditedWrites(t: TestApp, count: number): Promise<void> {
  const org = await t.organisation();
  for (let i = 0; i < count; i++) {
    const response = await t.admin.client.patch(`/api/organisations/${org.id}`, { nameAr: `منظمة ${i}` });
    if (response.status !== 200) throw new Error(`write ${i}: ${response.status} ${JSON.stringify(response.body)}`);
  }
}

export type Bypass = 'disable-triggers' | 'replica-role';

/**
 * Runs SQL as someone with database access who switches the append-only triggers off: by
 * disabling them on the tables, or with session_replication_role = replica (which also
 * skips foreign keys).
 */
export async function asAttacker(db: Db, bypass: Bypass, work: (tx: Queryable) => Promise<void>): Promise<void> {
  const tables = ['audit_log', 'audit_leaves', 'audit_tree_heads'];
  await db.transaction(async (tx) => {
    if (bypass === 'replica-role') await tx.query('set local session_replication_role = replica');
    else for (const table of tables) await tx.query(`alter table ${table} disable trigger user`);
    await work(tx);
    if (bypass === 'disable-triggers') for (const table of tables) await tx.query(`alter table ${table} enable trigger user`);
  });
}

/**
 * What a careful attacker does after changing records: recompute every stored leaf hash
 * from the rows and the root hash of every head in the database (the signatures they
 * cannot redo).
 */
export async function recomputeStoredHashes(tx: Queryable): Promise<void> {
  await tx.query(sql`update audit_leaves l set leaf_hash = ${leafHashSql('a')} from audit_log a where a.id = l.audit_id`);
  const { rows } = await tx.query<{ leaf_hash: Uint8Array }>('select leaf_hash from audit_leaves order by seq');
  const heads = await tx.query<{ tree_size: number }>('select tree_size from audit_tree_heads order by tree_size');
  const range = CompactRange.empty();
  const roots = new Map<number, Buffer>();
  for (const row of rows) {
    range.append(asBuffer(row.leaf_hash));
    roots.set(range.size, range.root());
  }
  for (const head of heads.rows) {
    const root = roots.get(Number(head.tree_size));
    if (root) await tx.query(sql`update audit_tree_heads set root_hash = ${root} where tree_size = ${head.tree_size}`);
  }
}

export async function placeOf(db: Queryable, seq: number): Promise<number> {
  const { rows } = await db.query<{ audit_id: number }>(sql`select audit_id from audit_leaves where seq = ${seq}`);
  return Number(rows[0].audit_id);
}
