/**
 * Someone with database access forges the sealed audit log with SQL, switching off the
 * append-only triggers: inserts a record among the sealed ones, deletes one, edits one,
 * reorders two, cuts off the end. Each forgery is made plainly and again with every stored
 * hash recomputed to match; each way the verification fails and names the first record
 * that is not what was sealed at its place.
 */
import { randomBytes } from 'node:crypto';
import sql from 'sql-template-tag';
import { afterEach, describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/server/db/db.ts';
import { insertAudit } from '../../src/server/modules/audit/audit.repo.ts';
import {
  type AuditTestApp,
  asAttacker,
  auditedWrites,
  type Bypass,
  placeOf,
  recomputeStoredHashes,
  startAuditTestApp,
} from './audit-harness.ts';

let a: AuditTestApp | undefined;
afterEach(async () => {
  await a?.close();
  a = undefined;
});

/** A log sealed in three rounds (three signed heads), about 20 records; returns its size. */
async function sealedLog(): Promise<{ app: AuditTestApp; size: number }> {
  const app = await startAuditTestApp();
  for (let round = 0; round < 3; round++) {
    await auditedWrites(app.t, 2);
    for (let i = 0; i < 3; i++) {
      await insertAudit(app.db, null, null, { action: 'probe.write', entityType: 'probe', entityId: `${round}-${i}`, after: { round, i } });
    }
    await app.sealer.sealNow();
  }
  const report = await app.verify();
  expect(report.status, JSON.stringify(report.findings)).toBe('intact');
  return { app, size: report.records };
}

/** Moves places [from, ∞) by `by` (up or down) without colliding on the primary key. */
async function shift(tx: Queryable, from: number, by: number) {
  await tx.query(sql`update audit_leaves set seq = seq + 1000000 where seq >= ${from}`);
  await tx.query(sql`update audit_leaves set seq = seq - 1000000 + ${by} where seq >= 1000000`);
}

type Forgery = (tx: Queryable, target: number, targetId: number) => Promise<void>;

const FORGERIES: Record<string, { forge: Forgery; plainCode: string; recomputedCode?: string }> = {
  'edits a record': {
    forge: async (tx, _target, id) => {
      await tx.query(sql`update audit_log set after = '{"name": "forged"}', actor_label = 'someone else' where id = ${id}`);
    },
    plainCode: 'record.changed',
  },
  'inserts a record among the sealed ones': {
    forge: async (tx, target) => {
      const { rows } = await tx.query<{ id: number }>(sql`
        insert into audit_log (actor_label, action, entity_type, entity_id, after)
        values ('admin@mission.example', 'funding.disbursement.post', 'ledger', 'x', '{"usd": "1000000.00"}') returning id`);
      await shift(tx, target, 1);
      await tx.query(sql`insert into audit_leaves (seq, audit_id, leaf_hash, mac)
                         values (${target}, ${rows[0].id}, ${randomBytes(32)}, ${randomBytes(32)})`);
    },
    plainCode: 'record.changed',
  },
  'deletes a record and closes the gap': {
    forge: async (tx, target, id) => {
      await tx.query(sql`delete from audit_leaves where seq = ${target}`);
      await tx.query(sql`delete from audit_log where id = ${id}`);
      await shift(tx, target + 1, -1);
    },
    plainCode: 'record.not-sealed-here',
  },
  'deletes a record and leaves its place empty': {
    forge: async (tx, target, id) => {
      await tx.query(sql`delete from audit_leaves where seq = ${target}`);
      await tx.query(sql`delete from audit_log where id = ${id}`);
    },
    plainCode: 'record.missing',
    recomputedCode: 'record.missing',
  },
  'swaps the places of two records': {
    forge: async (tx, target) => {
      await tx.query(sql`update audit_leaves set seq = 999999999 where seq = ${target}`);
      await tx.query(sql`update audit_leaves set seq = ${target} where seq = ${target + 2}`);
      await tx.query(sql`update audit_leaves set seq = ${target + 2} where seq = 999999999`);
    },
    plainCode: 'record.not-sealed-here',
  },
  'swaps the contents of two records': {
    forge: async (tx, target) => {
      await tx.query(sql`
        with pair as (select l1.audit_id as one, l2.audit_id as other from audit_leaves l1, audit_leaves l2
                      where l1.seq = ${target} and l2.seq = ${target + 2})
        update audit_log a set after = b.after, action = b.action, entity_id = b.entity_id
        from pair, audit_log b
        where (a.id = pair.one and b.id = pair.other) or (a.id = pair.other and b.id = pair.one)`);
    },
    plainCode: 'record.changed',
  },
};

const BYPASSES: Bypass[] = ['disable-triggers', 'replica-role'];

describe('a forged audit log', { timeout: 120_000 }, () => {
  for (const [name, { forge, plainCode, recomputedCode = 'record.not-sealed-here' }] of Object.entries(FORGERIES)) {
    for (const recompute of [false, true]) {
      // Each forgery once per way of switching the triggers off.
      const bypass = BYPASSES[(Object.keys(FORGERIES).indexOf(name) + Number(recompute)) % 2];
      it(`fails when someone ${name}${recompute ? ', with every stored hash recomputed' : ''} (${bypass})`, async () => {
        const log = await sealedLog();
        a = log.app;
        const target = 9;
        const targetId = await placeOf(a.db, target);
        await asAttacker(a.db, bypass, async (tx) => {
          await forge(tx, target, targetId);
          if (recompute) await recomputeStoredHashes(tx);
        });
        const report = await a.verify();
        expect(report.status).toBe('broken');
        expect(report.firstBad, JSON.stringify(report.findings, null, 1)).toMatchObject({
          seq: target,
          code: recompute ? recomputedCode : plainCode,
        });
        // The record named is the one that sits at that place now.
        if (report.firstBad?.code !== 'record.missing') expect(report.firstBad?.id).toBe(await placeOf(a.db, target));
        expect(report.firstBad?.detail).toMatch(/\w/);
      });
    }
  }

  it('fails when someone cuts records off the end and removes the heads that covered them', async () => {
    const log = await sealedLog();
    a = log.app;
    const cut = log.size - 3;
    await asAttacker(a.db, 'replica-role', async (tx) => {
      await tx.query(sql`delete from audit_log where id in (select audit_id from audit_leaves where seq >= ${cut})`);
      await tx.query(sql`delete from audit_leaves where seq >= ${cut}`);
      await tx.query(sql`delete from audit_tree_heads where tree_size > ${cut}`);
    });
    const report = await a.verify();
    expect(report.status).toBe('broken');
    expect(report.firstBad).toMatchObject({ code: 'log.truncated', seq: cut, treeSize: log.size });
    expect(report.findings.map((f) => f.code)).toContain('checkpoint.missing-in-database');
  });

  it('fails when a record is slipped in behind the sealer (an old transaction id), naming it', async () => {
    const log = await sealedLog();
    a = log.app;
    let forgedId = 0;
    await asAttacker(a.db, 'disable-triggers', async (tx) => {
      const { rows } = await tx.query<{ id: number }>(sql`
        insert into audit_log (actor_label, action, entity_type, after, xid)
        values ('auditor', 'access.user.update', 'user', '{"roles": ["admin"]}', '3') returning id`);
      forgedId = Number(rows[0].id);
    });
    await a.sealer.sealNow();
    const report = await a.verify();
    expect(report.firstBad).toMatchObject({ code: 'record.never-sealed', id: forgedId, seq: null });
  });

  it('seals a row inserted with plain SQL like any other write: only the sealed part is protected', async () => {
    const log = await sealedLog();
    a = log.app;
    const { rows } = await a.db.query<{ id: number }>(sql`
      insert into audit_log (actor_label, action, entity_type) values ('psql', 'probe.insert', 'probe') returning id`);
    await a.sealer.sealNow();
    expect(await placeOf(a.db, log.size)).toBe(Number(rows[0].id));
    expect((await a.verify()).status).toBe('intact');
  });
});
