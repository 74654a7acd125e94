/**
 * The audit log at scale: sealing the generated trail into the Merkle tree, audited writes
 * while the sealer runs (each write its own transaction, ten at a time, as requests
 * write them), a full verification over every record, and a verification since the last
 * checkpoint after those writes. The tracker aims for a full verification of a million
 * records under 5 s and one since the last checkpoint under 1 s; these are measurements.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../src/server/db/db.ts';
import { insertAudit } from '../src/server/modules/audit/audit.repo.ts';
import { startAuditSealer } from '../src/server/modules/audit/sealer.ts';
import { BENCH_ADMIN_EMAIL, BENCH_PASSWORD } from './generate.ts';
import { directLoad, httpRequest, type RunningApp, signIn, timed } from './measure.ts';

export interface AuditBenchOptions {
  seconds: number;
  connections: number;
  /** The data directory the app was started with: the signing key and checkpoint file go there. */
  dataDir: string;
  onProgress?: (line: string) => void;
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n < 10 ? n.toFixed(1) : int(n));
const secs = (s: number) => (s < 10 ? `${s.toFixed(2)} s` : `${int(s)} s`);

/** A data directory of the bench's own, so it never touches ./data. */
export async function benchDataDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'concord-bench-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function runAuditBench(db: Db, running: RunningApp, options: AuditBenchOptions): Promise<{ label: string; value: string }[]> {
  const say = options.onProgress ?? (() => {});
  const rows: { label: string; value: string }[] = [];
  const sealer = await startAuditSealer(db, { dataDir: options.dataDir }, { intervalMs: 1000, env: {} });
  try {
    say('sealing the generated audit trail...');
    const sealed = await timed(() => sealer.sealNow());
    const heads = (await db.query<{ n: number }>('select count(*)::int as n from audit_tree_heads')).rows[0].n;
    rows.push({
      label: 'Audit: seal the generated trail (places, record MACs, Merkle tree, a signed head per 10,000)',
      value: `${int(sealed.result.sealed)} records in ${secs(sealed.seconds)} · ${int(sealed.result.sealed / sealed.seconds)} records/s · ${int(heads)} heads`,
    });
    await db.exec('analyze audit_leaves');

    const cookie = await signIn(running.url, BENCH_ADMIN_EMAIL, BENCH_PASSWORD);
    await sealer.sealNow();
    say('GET /api/audit/verify, full...');
    const full = await timed(() => httpRequest(`${running.url}/api/audit/verify`, { headers: { cookie } }));
    const fullReport = full.result.status === 200 ? JSON.parse(full.result.body) : null;
    rows.push({
      label: 'Audit: GET /api/audit/verify, full (every record recomputed, every head checked)',
      value: fullReport
        ? `${secs(full.seconds)} · ${int(fullReport.records)} records ${fullReport.status} · ${int(fullReport.heads)} heads · ${int(fullReport.records / full.seconds)} records/s`
        : `⚠ HTTP ${full.result.status}: ${full.result.body.slice(0, 120)}`,
    });

    say(`audited writes, ${options.connections} at a time, for ${options.seconds} s, with the sealer running...`);
    const before = (await db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0].n;
    const writes = await directLoad(
      (i) =>
        db.transaction((tx) =>
          insertAudit(tx, null, null, {
            action: 'bench.write',
            entityType: 'bench',
            entityId: String(i),
            after: { i, name: `write ${i}` },
          }),
        ),
      { seconds: options.seconds, concurrency: options.connections },
    );
    const written = (await db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0].n - before;
    rows.push({
      label: `Audit: audited writes, each its own transaction, ${options.connections} at a time, sealer running`,
      value: `${int(writes.rate)} writes/s · p50 ${ms(writes.p50)} ms · p99 ${ms(writes.p99)} ms`,
    });
    const lag = await timed(() => sealer.sealNow());
    rows.push({
      label: 'Audit: sealing what was left unsealed when the writes stopped',
      value: `${int(lag.result.sealed)} records in ${secs(lag.seconds)}`,
    });

    say('GET /api/audit/verify?since=checkpoint...');
    const since = await timed(() => httpRequest(`${running.url}/api/audit/verify?since=checkpoint`, { headers: { cookie } }));
    const sinceReport = since.result.status === 200 ? JSON.parse(since.result.body) : null;
    rows.push({
      label: 'Audit: GET /api/audit/verify?since=checkpoint, after those writes',
      value: sinceReport
        ? `${secs(since.seconds)} · ${int(sinceReport.checkedRecords)} of ${int(sinceReport.records)} records recomputed (${int(written)} written) · ${sinceReport.status}`
        : `⚠ HTTP ${since.result.status}: ${since.result.body.slice(0, 120)}`,
    });
  } finally {
    await sealer.stop();
  }
  return rows;
}
