/** Stakeholders and their dated positions: who may add and change them is in conditions.policy.ts. */
import type { z } from 'zod';
import type { Ctx } from '../../http/context.ts';
import { invalid } from '../../http/problems.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import { recordOwner, requireMayChangeStakeholder } from './conditions.policy.ts';
import * as repo from './conditions.repo.ts';
import type * as s from './conditions.schema.ts';

/** A stakeholder the caller may see, or 404. */
export async function getStakeholder(ctx: Ctx, id: string): Promise<repo.Stakeholder> {
  return (
    (await repo.getStakeholder(ctx.db, ctx.actor, id)) ?? Promise.reject(await notFoundOrHidden(ctx.db, 'stakeholders', id, 'stakeholder'))
  );
}

export async function createStakeholder(ctx: Ctx, body: z.output<typeof s.stakeholderCreate>) {
  return repo.insertStakeholder(ctx.db, { ...body, ownerOrgId: recordOwner(ctx.requireActor(), 'Stakeholders') });
}

export async function updateStakeholder(ctx: Ctx, id: string, body: z.output<typeof s.stakeholderUpdate>) {
  const before = await getStakeholder(ctx, id);
  requireMayChangeStakeholder(ctx.requireActor(), before);
  ctx.auditDetails({ before });
  return repo.updateStakeholder(ctx.db, id, body);
}

export async function listPositions(ctx: Ctx, stakeholderId: string, query: Parameters<typeof repo.listPositions>[3]) {
  await getStakeholder(ctx, stakeholderId);
  return repo.listPositions(ctx.db, ctx.actor, stakeholderId, query);
}

export async function createPosition(ctx: Ctx, stakeholderId: string, body: z.output<typeof s.positionCreate>) {
  const actor = ctx.requireActor();
  await getStakeholder(ctx, stakeholderId);
  if (body.conditionId && !(await repo.getCondition(ctx.db, actor, body.conditionId)))
    throw invalid([{ pointer: '/conditionId', detail: 'No such condition.' }]);
  return repo.insertPosition(ctx.db, stakeholderId, { ...body, ownerOrgId: recordOwner(actor, 'Positions') });
}
