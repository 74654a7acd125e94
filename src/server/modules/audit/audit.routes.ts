import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import sql from 'sql-template-tag';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { run } from '../../http/context.ts';
import { Problem } from '../../http/problems.ts';
import { MAX_PAGE_SIZE, problemResponses } from '../../http/schemas.ts';
import { asBuffer, listAudit } from './audit.repo.ts';
import { consistencyProof, inclusionProof } from './proofs.ts';
import { readTreeState } from './sealer.ts';
import { AuditKeyError, auditFiles } from './signing-key.ts';
import { TREE_HEAD_FORMAT } from './tree-head.ts';
import { verifyAuditLog } from './verify.ts';

/** A moment in the trail's time: from 2000 to 2100, a plain message otherwise. */
const auditTime = z.coerce
  .date({ error: 'A date or a date and time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z.' })
  .refine((d) => d >= new Date('2000-01-01T00:00:00Z') && d < new Date('2101-01-01T00:00:00Z'), 'A time from 2000 to 2100.');

const auditQuery = z.object({
  actor: z.string().trim().max(200).optional(),
  organisationId: z.uuid().optional(),
  entityType: z.string().trim().max(100).optional(),
  entityId: z.string().trim().max(200).optional(),
  action: z.string().trim().max(200).optional(),
  from: auditTime.optional(),
  to: auditTime.optional(),
  cursor: z.coerce.number().int().positive().optional().describe('The `next` value of the previous page'),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});

const auditItem = z.object({
  id: z.number().int(),
  at: z.date(),
  actor: z.object({ id: z.uuid(), email: z.string(), name: z.string() }).nullable(),
  actorLabel: z.string(),
  organisation: z.object({ id: z.uuid(), name: z.string(), nameAr: z.string().nullable() }).nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  seq: z.number().int().nullable().describe("The record's place in the Merkle tree; null until the sealer has sealed it"),
  leafHash: z.string().nullable().describe('SHA-256(0x00 || canonical content), hex, as sealed'),
});

const hex = z.string().regex(/^[0-9a-f]{64}$/);

const finding = z.object({
  code: z.string().describe('What is wrong, e.g. record.changed, record.not-sealed-here, log.truncated, head.signature'),
  seq: z.number().int().nullable(),
  id: z.number().int().nullable(),
  treeSize: z.number().int().nullable(),
  detail: z.string(),
});

const headSummary = z.object({ treeSize: z.number().int(), rootHash: hex, timestamp: z.number().int() });

const verifyResponse = z.object({
  status: z.enum(['intact', 'broken']),
  mode: z.enum(['full', 'since-checkpoint']),
  logId: z.uuid(),
  records: z.number().int().describe('Records sealed into the tree'),
  checkedRecords: z.number().int().describe('Records whose content this run recomputed'),
  pending: z.number().int().describe('Records written but not sealed yet'),
  heads: z.number().int().describe('Signed tree heads whose signature was checked'),
  latestHead: headSummary.nullable(),
  checkpoint: headSummary.nullable().describe('The newest head in the checkpoint file outside the database'),
  since: z.object({ treeSize: z.number().int(), rootHash: hex, verifiedAt: z.string() }).nullable(),
  firstBad: finding.nullable().describe('The first bad record (lowest place), or else the first other finding'),
  findings: z.array(finding),
  seconds: z.number(),
});

const treeHeadItem = z.object({
  treeSize: z.number().int(),
  rootHash: hex,
  timestamp: z.number().int().describe('Milliseconds since 1970-01-01 UTC, as signed'),
  signedAt: z.date(),
  keyId: z.string(),
  signature: z.string().describe('Ed25519 signature, base64'),
});

const checkpointsResponse = z.object({
  logId: z.uuid(),
  algorithm: z.literal('Ed25519'),
  publicKey: z.string().nullable().describe('The signing key, SubjectPublicKeyInfo PEM'),
  signedFormat: z.string().describe('The exact text each signature covers'),
  records: z.number().int(),
  items: z.array(treeHeadItem),
  next: z.string().nullable(),
});

function keyProblem(error: unknown): never {
  if (error instanceof AuditKeyError) throw new Problem('audit.key-unavailable', error.message);
  throw error;
}

export function auditRoutes(app: FastifyInstance, config: Pick<Config, 'dataDir'>) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  const files = auditFiles(config);

  r.get('/api/audit', {
    config: { access: { permission: 'audit.read' } },
    schema: {
      tags,
      summary: 'The audit trail, newest first, filtered by actor, organisation, entity, action and time',
      querystring: auditQuery,
      response: { 200: z.object({ items: z.array(auditItem), next: z.string().nullable() }), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { cursor, pageSize, ...filter } = req.query;
        const rows = await listAudit(ctx.db, { ...filter, before: cursor, limit: pageSize + 1 });
        const page = rows.slice(0, pageSize);
        return {
          items: page.map((row) => ({
            id: row.id,
            at: row.at,
            actor:
              row.actor_user_id && row.actor_email ? { id: row.actor_user_id, email: row.actor_email, name: row.actor_name ?? '' } : null,
            actorLabel: row.actor_label,
            organisation:
              row.organisation_id && row.organisation_name
                ? { id: row.organisation_id, name: row.organisation_name, nameAr: row.organisation_name_ar }
                : null,
            action: row.action,
            entityType: row.entity_type,
            entityId: row.entity_id,
            before: row.before,
            after: row.after,
            requestId: row.request_id,
            seq: row.seq == null ? null : Number(row.seq),
            leafHash: row.leaf_hash ? asBuffer(row.leaf_hash).toString('hex') : null,
          })),
          next: rows.length > pageSize ? String(page[page.length - 1].id) : null,
        };
      }),
  });

  r.get('/api/audit/verify', {
    config: { access: { permission: 'audit.read' } },
    schema: {
      tags,
      summary: 'Check the audit log against its signed tree heads: intact, or the first bad record and what is wrong with it',
      description:
        'A full run recomputes every sealed record; `since=checkpoint` recomputes only those sealed after the tree this server last found intact, and checks that the newer heads extend it.',
      querystring: z.object({ since: z.enum(['checkpoint']).optional() }),
      response: { 200: verifyResponse, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) =>
        verifyAuditLog(ctx.db, files, { mode: req.query.since ? 'since-checkpoint' : 'full' }).catch(keyProblem),
      ),
  });

  r.get('/api/audit/checkpoints', {
    config: { access: { signedIn: true } },
    schema: {
      tags,
      summary: "The audit log's signed tree heads, newest first, with the public key that checks them",
      description: `Keep copies: a head you hold proves the log's state at its time. Each signature covers the text \`${TREE_HEAD_FORMAT}\\n<logId>\\n<treeSize>\\n<rootHash>\\n<timestamp>\\n\`.`,
      querystring: z.object({
        cursor: z.coerce.number().int().positive().optional().describe('The `next` value of the previous page'),
        pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
      }),
      response: { 200: checkpointsResponse, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const tree = await readTreeState(ctx.db);
        const { cursor, pageSize } = req.query;
        const { rows } = await ctx.db.query<{
          tree_size: number;
          root_hash: Uint8Array;
          timestamp_ms: number;
          signature: Uint8Array;
          key_id: string;
        }>(sql`select tree_size, root_hash, timestamp_ms, signature, key_id from audit_tree_heads
               where ${cursor ?? null}::bigint is null or tree_size < ${cursor ?? null}::bigint
               order by tree_size desc limit ${pageSize + 1}`);
        const page = rows.slice(0, pageSize);
        return {
          logId: tree.logId,
          algorithm: 'Ed25519' as const,
          publicKey: tree.publicKey,
          signedFormat: `${TREE_HEAD_FORMAT}\n<logId>\n<treeSize>\n<rootHash, hex>\n<timestamp>\n`,
          records: tree.treeSize,
          items: page.map((row) => ({
            treeSize: Number(row.tree_size),
            rootHash: asBuffer(row.root_hash).toString('hex'),
            timestamp: Number(row.timestamp_ms),
            signedAt: new Date(Number(row.timestamp_ms)),
            keyId: row.key_id,
            signature: asBuffer(row.signature).toString('base64'),
          })),
          next: rows.length > pageSize ? String(page[page.length - 1].tree_size) : null,
        };
      }),
  });

  r.get('/api/audit/checkpoints/consistency', {
    config: { access: { signedIn: true } },
    schema: {
      tags,
      summary: 'A consistency proof (RFC 9162 2.1.4) that the tree of `second` records extends the tree of `first`',
      querystring: z.object({ first: z.coerce.number().int().min(1), second: z.coerce.number().int().min(1) }),
      response: { 200: z.object({ first: z.number().int(), second: z.number().int(), proof: z.array(hex) }), ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { first, second } = req.query;
        const { treeSize } = await readTreeState(ctx.db);
        if (first > second || second > treeSize) {
          throw new Problem('request.invalid', `The log holds ${treeSize} records: ask for 1 ≤ first ≤ second ≤ ${treeSize}.`, {
            errors: [{ pointer: '/second', detail: `At most ${treeSize}, and not below first.`, in: 'querystring' }],
          });
        }
        const proof = await consistencyProof(ctx.db, first, second);
        return { first, second, proof: proof.map((h) => h.toString('hex')) };
      }),
  });

  r.get('/api/audit/:id/inclusion', {
    config: { access: { permission: 'audit.read' } },
    schema: {
      tags,
      summary: 'An inclusion proof (RFC 9162 2.1.3) that an audit record is in the tree of `treeSize` records',
      params: z.object({ id: z.coerce.number().int().positive() }),
      querystring: z.object({ treeSize: z.coerce.number().int().min(1).optional().describe('Default: the whole tree') }),
      response: {
        200: z.object({ id: z.number().int(), seq: z.number().int(), leafHash: hex, treeSize: z.number().int(), proof: z.array(hex) }),
        ...problemResponses,
      },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { rows } = await ctx.db.query<{ id: number; seq: number | null; leaf_hash: Uint8Array | null }>(sql`
          select a.id, l.seq, l.leaf_hash from audit_log a left join audit_leaves l on l.audit_id = a.id where a.id = ${req.params.id}`);
        const row = rows[0];
        if (!row) throw new Problem('resource.not-found', `No audit record ${req.params.id}.`);
        if (row.seq == null)
          throw new Problem('audit.not-sealed', 'The sealer gives new records their place within a second or so; try again.');
        const { treeSize: size } = await readTreeState(ctx.db);
        const treeSize = req.query.treeSize ?? size;
        const seq = Number(row.seq);
        if (treeSize <= seq || treeSize > size) {
          throw new Problem('request.invalid', `Record ${row.id} is at place ${seq}; ask for a tree of ${seq + 1} to ${size} records.`, {
            errors: [{ pointer: '/treeSize', detail: `Between ${seq + 1} and ${size}.`, in: 'querystring' }],
          });
        }
        const proof = await inclusionProof(ctx.db, seq, treeSize);
        return {
          id: Number(row.id),
          seq,
          leafHash: asBuffer(row.leaf_hash).toString('hex'),
          treeSize,
          proof: proof.map((h) => h.toString('hex')),
        };
      }),
  });
}
