/**
 * Commitments: a stakeholder's conditional offers, each gated by an AND/OR expression over
 * conditions. Their gates are shown with the conditions the reader may not see as "hidden"
 * (hidden-conditions.ts); the audit trail keeps them whole.
 */
import type { z } from 'zod';
import type { Ctx } from '../../http/context.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import * as repo from './commitments.repo.ts';
import { recordOwner, requireMayChangeCommitment } from './conditions.policy.ts';
import type * as s from './conditions.schema.ts';
import { checkStakeholders } from './conditions.service.ts';
import { setGate } from './gates.ts';
import { expressionMasker, expressionToStore } from './hidden-conditions.ts';

/** Commitments as their reader may see them. */
export async function presentCommitments(ctx: Ctx, rows: repo.Commitment[]): Promise<repo.Commitment[]> {
  const mask = await expressionMasker(
    ctx.db,
    ctx.actor,
    rows.map((row) => row.gate),
  );
  return rows.map((row) => ({ ...row, gate: mask(row.gate) }));
}

async function visibleCommitment(ctx: Ctx, id: string): Promise<repo.Commitment> {
  return (
    (await repo.getCommitment(ctx.db, ctx.actor, id)) ?? Promise.reject(await notFoundOrHidden(ctx.db, 'commitments', id, 'commitment'))
  );
}

export async function listCommitments(ctx: Ctx, query: Parameters<typeof repo.listCommitments>[2]) {
  const page = await repo.listCommitments(ctx.db, ctx.actor, query);
  return { ...page, items: await presentCommitments(ctx, page.items) };
}

export async function getCommitment(ctx: Ctx, id: string) {
  return (await presentCommitments(ctx, [await visibleCommitment(ctx, id)]))[0];
}

export async function createCommitment(ctx: Ctx, body: z.output<typeof s.commitmentCreate>) {
  const actor = ctx.requireActor();
  const ownerOrgId = recordOwner(actor, 'Commitments');
  await checkStakeholders(ctx, [body.stakeholderId], '/stakeholderId');
  const gate = (await expressionToStore(ctx.db, actor, body.gate, null, '/gate')) ?? null;
  const id = await repo.insertCommitment(ctx.db, { ...body, ownerOrgId });
  await setGate(ctx.db, repo.COMMITMENT_SUBJECT, id, gate);
  const created = (await repo.getCommitment(ctx.db, actor, id))!;
  ctx.auditDetails({ after: created });
  return (await presentCommitments(ctx, [created]))[0];
}

export async function updateCommitment(ctx: Ctx, id: string, body: z.output<typeof s.commitmentUpdate>) {
  const actor = ctx.requireActor();
  const before = await visibleCommitment(ctx, id);
  requireMayChangeCommitment(actor, before);
  if (body.stakeholderId !== undefined) await checkStakeholders(ctx, [body.stakeholderId], '/stakeholderId');
  const gate = await expressionToStore(ctx.db, actor, body.gate, before.gate, '/gate');
  await repo.updateCommitment(ctx.db, before.id, body);
  if (gate !== undefined) await setGate(ctx.db, repo.COMMITMENT_SUBJECT, before.id, gate);
  const after = (await repo.getCommitment(ctx.db, actor, before.id))!;
  ctx.auditDetails({ before, after });
  return (await presentCommitments(ctx, [after]))[0];
}
