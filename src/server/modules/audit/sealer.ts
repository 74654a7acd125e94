/**
 * The sealer: the one sequencer of the audit log, as Trillian's. Writers insert records
 * and go; every second (and on demand) the sealer takes the committed records that have
 * no place yet, gives them the next sequence numbers in id order, appends their leaf
 * hashes to the Merkle tree, signs the new tree head and stores it, all in one
 * transaction. After the commit the head is appended to the checkpoint file.
 *
 * Only one sealer works at a time on a database: a round starts by taking a transaction
 * advisory lock, and a server that does not get it leaves the round to the one that did.
 *
 * Which rows are new without any lock on the writers' side: each row carries its writing
 * transaction's id (xid). A transaction older than the oldest one still running when a
 * round reads is finished, so once a round has sealed everything it could see, no row of
 * a transaction below that snapshot's xmin can still appear. That xmin becomes the
 * watermark, and the next round looks only at rows from transactions at or above it.
 */
import { createPublicKey } from 'node:crypto';
import sql from 'sql-template-tag';
import type { Config } from '../../config.ts';
import type { Db, Queryable } from '../../db/db.ts';
import { asBuffer, leafHashSql } from './audit.repo.ts';
import { appendCheckpoint } from './checkpoint-file.ts';
import { CompactRange, HASH_SIZE } from './merkle.ts';
import { AuditKeyError, auditFiles, keyIdOf, loadOrCreateSigningKey, readSigningKey, type SigningKey } from './signing-key.ts';
import { recordMac, signTreeHead, type TreeHead } from './tree-head.ts';

export const SEALER_LOCK = 7243002;
/** At most this many records per round (one transaction), so a backlog is sealed in steps. */
export const ROUND_LIMIT = 10_000;

export interface TreeState {
  logId: string;
  watermark: string;
  treeSize: number;
  frontier: Buffer[];
  publicKey: string | null;
}

export async function readTreeState(db: Queryable): Promise<TreeState> {
  const { rows } = await db.query<{
    log_id: string;
    watermark: string;
    tree_size: number;
    frontier: Uint8Array[];
    public_key: string | null;
  }>(sql`select log_id, watermark::text as watermark, tree_size, frontier, public_key from audit_tree`);
  const row = rows[0];
  return {
    logId: row.log_id,
    watermark: row.watermark,
    treeSize: Number(row.tree_size),
    frontier: (row.frontier ?? []).map(asBuffer),
    publicKey: row.public_key,
  };
}

/** Hashes of 32 bytes each travel as one bytea and are cut apart in SQL: both engines take that. */
function hashArray(hashes: Buffer[]) {
  return sql`array(select substring(${Buffer.concat(hashes)}::bytea from i * ${HASH_SIZE} + 1 for ${HASH_SIZE})
                   from generate_series(0, ${hashes.length - 1}) i order by i)`;
}

export interface RoundResult {
  /** Another server held the sealer's lock: nothing was done. */
  busy: boolean;
  sealed: number;
  /** Everything visible was sealed (fewer than the round's limit were waiting). */
  drained: boolean;
  /** The highest id this round sealed. */
  lastId: number | null;
  head: TreeHead | null;
}

export interface RoundOptions {
  limit?: number;
  /**
   * Only rows with a higher id: the next step through a backlog, so each round does not
   * look again at the rows the one before sealed. Such a round never moves the watermark;
   * a round without it, after the backlog, picks up any row that committed late with a
   * lower id.
   */
  afterId?: number | null;
}

/** One round: seal up to `limit` waiting records and sign the grown tree. */
export async function sealRound(db: Db, key: SigningKey, options: RoundOptions = {}): Promise<RoundResult> {
  const limit = options.limit ?? ROUND_LIMIT;
  const afterId = options.afterId ?? null;
  return db.transaction(async (tx) => {
    const locked = await tx.query<{ ok: boolean }>(sql`select pg_try_advisory_xact_lock(${SEALER_LOCK}) as ok`);
    if (!locked.rows[0].ok) return { busy: true, sealed: 0, drained: false, lastId: null, head: null };
    const tree = await readTreeState(tx);
    if (tree.publicKey && tree.publicKey !== key.publicKeyPem) {
      throw new AuditKeyError(
        `The audit log is signed with key ${keyIdOf(createPublicKey(tree.publicKey))}, not with key ${key.keyId}: restore the original signing key.`,
      );
    }
    // One statement, so the rows and the snapshot's xmin come from the same snapshot.
    const { rows } = await tx.query<{ xmin: string; n: number; ids: string | null; leaves: Uint8Array | null; window: number }>(sql`
      with pending as (
        select a.id, ${leafHashSql('a')} as leaf
        from audit_log a
        where a.xid >= ${tree.watermark}::xid8 and a.id > ${afterId ?? 0}
          and not exists (select 1 from audit_leaves l where l.audit_id = a.id)
        order by a.id
        limit ${limit}
      )
      select pg_snapshot_xmin(pg_current_snapshot())::text as xmin, count(*)::int as n,
             string_agg(id::text, ',' order by id) as ids, string_agg(leaf, ''::bytea order by id) as leaves,
             (select count(*) from audit_log where xid >= ${tree.watermark}::xid8)::int as window
      from pending`);
    const { xmin, n } = rows[0];
    if (n === 0) {
      // Nothing new. Move the watermark past rows already sealed, so the next rounds look at
      // fewer; when there are none, write nothing.
      if (afterId === null && rows[0].window > 0 && xmin !== tree.watermark) {
        await tx.query(sql`update audit_tree set watermark = ${xmin}::xid8, updated_at = now()`);
      }
      return { busy: false, sealed: 0, drained: true, lastId: null, head: null };
    }
    const ids = (rows[0].ids as string).split(',').map(Number);
    const leaves = asBuffer(rows[0].leaves);

    const range = CompactRange.from(tree.treeSize, tree.frontier);
    const macs: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const leaf = leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
      macs.push(recordMac(key.macKey, tree.logId, range.size, leaf));
      range.append(leaf);
    }
    await tx.query(sql`
      insert into audit_leaves (seq, audit_id, leaf_hash, mac)
      select ${tree.treeSize}::bigint + i, ids[i + 1],
             substring(${leaves}::bytea from i * ${HASH_SIZE} + 1 for ${HASH_SIZE}),
             substring(${Buffer.concat(macs)}::bytea from i * ${HASH_SIZE} + 1 for ${HASH_SIZE})
      from (select ${`{${ids.join(',')}}`}::bigint[] as ids) x, generate_series(0, ${n - 1}) i`);

    // Heads' times never go backwards, even when servers' clocks disagree.
    const last = await tx.query<{ timestamp_ms: number }>(sql`select timestamp_ms from audit_tree_heads order by tree_size desc limit 1`);
    const timestamp = Math.max(Date.now(), Number(last.rows[0]?.timestamp_ms ?? 0));
    const head = signTreeHead(key, { logId: tree.logId, treeSize: range.size, rootHash: range.root(), timestamp });
    await tx.query(sql`
      insert into audit_tree_heads (tree_size, root_hash, timestamp_ms, signature, key_id)
      values (${head.treeSize}, ${head.rootHash}, ${head.timestamp}, ${head.signature}, ${head.keyId})`);
    const drained = n < limit;
    const watermark = drained && afterId === null ? xmin : tree.watermark;
    await tx.query(sql`
      update audit_tree
      set tree_size = ${range.size}, frontier = ${hashArray(range.hashes)},
          watermark = ${watermark}::xid8, public_key = ${key.publicKeyPem}, updated_at = now()`);
    return { busy: false, sealed: n, drained, lastId: ids[ids.length - 1], head };
  });
}

export interface SealSummary {
  sealed: number;
  head: TreeHead | null;
  busy: boolean;
}

export interface AuditSealer {
  readonly key: SigningKey;
  /** Seals everything committed so far (in rounds); resolves when done. */
  sealNow(): Promise<SealSummary>;
  /** Stops the timer and seals what is left, so a clean shutdown leaves nothing unsealed. */
  stop(): Promise<void>;
}

interface SealerLog {
  warn(details: object, message: string): void;
}

/**
 * Refuses to start with a key other than the one the log was signed with, and never makes
 * a new key for a log that already has heads (a lost key file must be restored, not replaced).
 */
async function sealerKey(db: Queryable, keyFile: string): Promise<SigningKey> {
  const tree = await readTreeState(db);
  const existing = readSigningKey(keyFile);
  if (tree.publicKey && !existing) {
    throw new AuditKeyError(
      `The audit signing key ${keyFile} is missing, and the audit log was signed with key ${keyIdOf(createPublicKey(tree.publicKey))}. Restore the key file (or point CONCORD_AUDIT_KEY_FILE at it).`,
    );
  }
  const key = existing ?? loadOrCreateSigningKey(keyFile);
  if (tree.publicKey && tree.publicKey !== key.publicKeyPem) {
    throw new AuditKeyError(
      `${keyFile} holds key ${key.keyId}, but the audit log was signed with key ${keyIdOf(createPublicKey(tree.publicKey))}. Restore the original key file.`,
    );
  }
  return key;
}

export async function startAuditSealer(
  db: Db,
  config: Pick<Config, 'dataDir'>,
  options: { intervalMs?: number; log?: SealerLog; env?: NodeJS.ProcessEnv } = {},
): Promise<AuditSealer> {
  const files = auditFiles(config, options.env);
  const key = await sealerKey(db, files.keyFile);
  let queue: Promise<unknown> = Promise.resolve();

  const sealAll = async (): Promise<SealSummary> => {
    let sealed = 0;
    let head: TreeHead | null = null;
    let afterId: number | null = null;
    for (;;) {
      const round = await sealRound(db, key, { afterId });
      if (round.busy) return { sealed, head, busy: true };
      sealed += round.sealed;
      if (round.head) {
        head = round.head;
        await appendCheckpoint(files.checkpointFile, round.head);
      }
      if (!round.drained)
        afterId = round.lastId; // a backlog: step on from the last id
      else if (afterId !== null)
        afterId = null; // the backlog is done: one round over everything left
      else return { sealed, head, busy: false };
    }
  };
  // Rounds never overlap: each call queues behind the one before.
  const sealNow = (): Promise<SealSummary> => {
    const next = queue.then(sealAll);
    queue = next.catch(() => {});
    return next;
  };

  const timer = setInterval(() => {
    sealNow().catch((err) => options.log?.warn({ err }, 'sealing the audit log failed'));
  }, options.intervalMs ?? 1000);
  timer.unref();

  let stopping: Promise<void> | undefined;
  return {
    key,
    sealNow,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(timer);
        await sealNow().catch((err) => options.log?.warn({ err }, 'sealing the audit log failed'));
      })()),
  };
}
