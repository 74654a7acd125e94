/**
 * The audit log's proofs over HTTP, checked the way an outside party would: the signed tree
 * heads with the public key that checks them, consistency proofs between heads, inclusion
 * proofs for records, and the verification an auditor runs.
 */
import { createPublicKey, verify } from 'node:crypto';
import { rm } from 'node:fs/promises';
import sql from 'sql-template-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAudit } from '../../src/server/modules/audit/audit.repo.ts';
import { verifyConsistency, verifyInclusion } from '../../src/server/modules/audit/merkle.ts';
import { type AuditTestApp, asAttacker, startAuditTestApp } from './audit-harness.ts';

let a: AuditTestApp;
beforeAll(async () => {
  a = await startAuditTestApp();
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 3 + round; i++) {
      await insertAudit(a.db, null, null, { action: 'probe.write', entityType: 'probe', entityId: `${round}-${i}` });
    }
    await a.sealer.sealNow();
  }
}, 120_000);
afterAll(() => a?.close());

interface Head {
  treeSize: number;
  rootHash: string;
  timestamp: number;
  signature: string;
}

async function allHeads(): Promise<{ body: { publicKey: string; signedFormat: string; logId: string }; heads: Head[] }> {
  const user = await a.t.user(['field_reporter']);
  const first = await user.client.get('/api/audit/checkpoints?pageSize=2');
  expect(first.status).toBe(200);
  const heads: Head[] = [...first.body.items];
  let next = first.body.next;
  while (next) {
    const page = await user.client.get(`/api/audit/checkpoints?pageSize=2&cursor=${next}`);
    heads.push(...page.body.items);
    next = page.body.next;
  }
  return { body: first.body, heads };
}

describe('audit proofs over HTTP', () => {
  it('serves every signed tree head, newest first, to any signed-in partner, with the key that checks them', async () => {
    expect((await a.t.client().get('/api/audit/checkpoints')).status).toBe(401);
    const { body, heads } = await allHeads();
    expect(heads.map((h) => h.treeSize)).toEqual([...heads.map((h) => h.treeSize)].sort((x, y) => y - x));
    expect(heads).toHaveLength(4);
    // What an outside party does with the published format alone.
    const key = createPublicKey(body.publicKey);
    for (const head of heads) {
      const text = body.signedFormat
        .replace('<logId>', body.logId)
        .replace('<treeSize>', String(head.treeSize))
        .replace('<rootHash, hex>', head.rootHash)
        .replace('<timestamp>', String(head.timestamp));
      expect(verify(null, Buffer.from(text), key, Buffer.from(head.signature, 'base64'))).toBe(true);
      expect(
        verify(
          null,
          Buffer.from(text.replace(String(head.treeSize), String(head.treeSize + 1))),
          key,
          Buffer.from(head.signature, 'base64'),
        ),
      ).toBe(false);
    }
  });

  it('proves each newer head extends each older one', async () => {
    const { heads } = await allHeads();
    const ordered = [...heads].reverse();
    for (let i = 0; i < ordered.length; i++) {
      for (let j = i + 1; j < ordered.length; j++) {
        const [older, newer] = [ordered[i], ordered[j]];
        const response = await a.t.admin.client.get(`/api/audit/checkpoints/consistency?first=${older.treeSize}&second=${newer.treeSize}`);
        expect(response.status).toBe(200);
        const proof = response.body.proof.map((h: string) => Buffer.from(h, 'hex'));
        const root = (h: Head) => Buffer.from(h.rootHash, 'hex');
        expect(verifyConsistency(older.treeSize, newer.treeSize, proof, root(older), root(newer))).toBe(true);
        expect(verifyConsistency(older.treeSize, newer.treeSize, proof, root(newer), root(older))).toBe(false);
      }
    }
    const wrong = await a.t.admin.client.get(
      `/api/audit/checkpoints/consistency?first=${ordered[1].treeSize}&second=${ordered[0].treeSize}`,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ pointer: '/second', in: 'querystring' });
  });

  it("proves a record is in the tree of a head, with the leaf hash the trail's page shows", async () => {
    const { heads } = await allHeads();
    const list = await a.t.admin.client.get('/api/audit?action=probe.write&pageSize=100');
    const sealed = list.body.items.filter((item: { seq: number | null }) => item.seq !== null);
    expect(sealed.length).toBeGreaterThan(10);
    for (const item of sealed.filter((_: unknown, i: number) => i % 3 === 0)) {
      for (const head of heads.filter((h) => h.treeSize > item.seq)) {
        const response = await a.t.admin.client.get(`/api/audit/${item.id}/inclusion?treeSize=${head.treeSize}`);
        expect(response.body).toMatchObject({ id: item.id, seq: item.seq, leafHash: item.leafHash, treeSize: head.treeSize });
        const proof = response.body.proof.map((h: string) => Buffer.from(h, 'hex'));
        const leaf = Buffer.from(item.leafHash, 'hex');
        expect(verifyInclusion(item.seq, head.treeSize, leaf, proof, Buffer.from(head.rootHash, 'hex'))).toBe(true);
      }
    }
    expect((await a.t.admin.client.get('/api/audit/999999999/inclusion')).status).toBe(404);
    await insertAudit(a.db, null, null, { action: 'probe.unsealed', entityType: 'probe' });
    const unsealed = (await a.t.admin.client.get('/api/audit?action=probe.unsealed')).body.items[0];
    expect(unsealed).toMatchObject({ seq: null, leafHash: null });
    const early = await a.t.admin.client.get(`/api/audit/${unsealed.id}/inclusion`);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('audit.not-sealed');
    await a.sealer.sealNow();
  });

  it('lets an auditor verify the whole log or only what was sealed since, and names what a forgery broke', async () => {
    const auditor = await a.t.user(['auditor']);
    await a.sealer.sealNow();
    const full = await auditor.client.get('/api/audit/verify');
    expect(full.body).toMatchObject({ status: 'intact', mode: 'full', pending: 0, firstBad: null, findings: [] });
    expect(full.body.latestHead.treeSize).toBe(full.body.records);
    expect(full.body.checkpoint).toEqual(full.body.latestHead);
    const since = await auditor.client.get('/api/audit/verify?since=checkpoint');
    expect(since.body).toMatchObject({ status: 'intact', mode: 'since-checkpoint', checkedRecords: 0 });
    expect((await auditor.client.get('/api/audit/verify?since=yesterday')).status).toBe(400);

    const target = (await a.db.query<{ audit_id: number }>('select audit_id from audit_leaves where seq = 5')).rows[0].audit_id;
    await asAttacker(a.db, 'disable-triggers', (tx) =>
      tx.query(sql`update audit_log set actor_label = 'nobody' where id = ${target}`).then(() => {}),
    );
    const broken = await auditor.client.get('/api/audit/verify');
    expect(broken.body).toMatchObject({ status: 'broken', firstBad: { code: 'record.changed', seq: 5, id: Number(target) } });
  });

  it('answers with a clear problem when the signing key is not where the configuration says', async () => {
    await rm(a.files.keyFile);
    const response = await a.t.admin.client.get('/api/audit/verify');
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'audit.key-unavailable', detail: expect.stringContaining(a.files.keyFile) });
  });
});
