/**
 * Tranches are gated subjects of the conditions capability: a tranche's gate is an
 * AND/OR expression over conditions, its value in the analysis is the money not yet
 * received, and its state says whether it still waits (blocked, or expected to open on a
 * date), may be received (open) or has been received in full. Whether it waits is the
 * conditions capability's gate state (ctx.gates), never worked out here.
 */
import sql from 'sql-template-tag';
import { centsOf } from '../../../shared/money.ts';
import { visibleTo } from '../../http/actor.ts';
import type { Ctx } from '../../http/context.ts';
import type { SubjectGateState } from '../conditions/gate-state.ts';
import type { GatedSubjectType } from '../conditions/gates.ts';
import { TRANCHE_SUBJECT, type TrancheRow } from './funding.repo.ts';

export interface TrancheState extends Omit<SubjectGateState, 'state'> {
  state: SubjectGateState['state'] | 'received';
}

/** The state of each tranche, for the caller: received in full, or its gate state. */
export async function trancheStates(ctx: Ctx, tranches: readonly TrancheRow[]): Promise<Map<string, TrancheState>> {
  const gates = await ctx.gates.states(tranches.map((t) => ({ type: TRANCHE_SUBJECT, id: t.id })));
  const states = new Map<string, TrancheState>();
  for (const tranche of tranches) {
    const gate = gates.get(tranche.id)!;
    const received = centsOf(tranche.receivedUsd) >= centsOf(tranche.amountUsd);
    states.set(tranche.id, received ? { ...gate, state: 'received' } : gate);
  }
  return states;
}

/** Tranches as gated subjects: the money not yet received against each, labelled by its pledge. */
export const trancheSubject: GatedSubjectType = {
  type: TRANCHE_SUBJECT,
  async valuesFor(db, actor, ids) {
    const rows = await db.query<{ id: string; cents: string }>(sql`
      select tr.id, greatest(0, (tr.amount_usd - coalesce((select sum(t.amount_usd) from ledger_transactions t
        where t.tranche_id = tr.id and t.kind = 'receipt'
          and not exists (select 1 from ledger_transactions r where r.reverses_id = t.id)), 0)) * 100)::numeric(22, 0)::text as cents
      from tranches tr join pledges p on p.id = tr.pledge_id
      where tr.id = any(${ids}::uuid[]) and ${visibleTo(actor, 'p')}`);
    return new Map(rows.rows.map((r) => [r.id, { money_usd: BigInt(r.cents) }]));
  },
  async labelsFor(db, actor, ids) {
    const rows = await db.query<{ id: string; label: string }>(sql`
      select tr.id, p.title || ' — tranche ' || tr.seq as label
      from tranches tr join pledges p on p.id = tr.pledge_id
      where tr.id = any(${ids}::uuid[]) and ${visibleTo(actor, 'p')}`);
    return new Map(rows.rows.map((r) => [r.id, r.label]));
  },
};
