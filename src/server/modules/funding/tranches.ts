/**
 * Tranches are gated subjects of the conditions capability: a tranche's gate is an
 * AND/OR expression over conditions, its value in the analysis is the money not yet
 * received, and its state says whether it still waits (blocked), may be received
 * (open) or has been received in full.
 */
import sql from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import {
  buildModel,
  type ConditionStatus,
  type Expression,
  evaluateExpression,
  expressionConditions,
  truthOf,
} from '../conditions/expressions.ts';
import { registerGatedSubject } from '../conditions/gates.ts';
import { TRANCHE_SUBJECT, type TrancheRow } from './funding.repo.ts';
import { centsOf } from './money.ts';

interface ConditionRow {
  id: string;
  code: string;
  titleEn: string;
  titleAr: string;
  status: ConditionStatus;
  requires: Expression | null;
}

export interface TrancheState {
  state: 'blocked' | 'open' | 'received';
  waitsOn: { id: string; code: string; titleEn: string; titleAr: string; status: ConditionStatus }[];
  waitsOnHidden: boolean;
}

/**
 * The state of each tranche under the conditions' current statuses. Whether a gate is
 * open does not depend on who asks; which blocking conditions are named does.
 */
export async function trancheStates(
  db: Queryable,
  actor: Actor | null,
  tranches: readonly TrancheRow[],
): Promise<Map<string, TrancheState>> {
  const states = new Map<string, TrancheState>();
  const gated = tranches.filter((t) => t.gate);
  let truth: ((id: string) => boolean) | undefined;
  let conditions = new Map<string, ConditionRow>();
  let visible = new Set<string>();
  if (gated.length) {
    const rows = (
      await db.query<ConditionRow>(sql`select id, code, title_en as "titleEn", title_ar as "titleAr", status, requires from conditions`)
    ).rows;
    conditions = new Map(rows.map((c) => [c.id, c]));
    const model = buildModel({ conditions: rows.map((c) => ({ id: c.id, status: c.status, requires: c.requires })), gates: [] });
    const effective = truthOf(
      model,
      rows.map((c) => c.status),
    ).effective;
    truth = (id) => effective[model.indexOf.get(id) ?? -1] === 1;
    visible = new Set(
      (await db.query<{ id: string }>(sql`select c.id from conditions c where ${visibleTo(actor, 'c')}`)).rows.map((r) => r.id),
    );
  }
  for (const tranche of tranches) {
    const received = centsOf(tranche.receivedUsd) >= centsOf(tranche.amountUsd);
    if (!tranche.gate || !truth) {
      states.set(tranche.id, { state: received ? 'received' : 'open', waitsOn: [], waitsOnHidden: false });
      continue;
    }
    const blocking = blockingConditions(tranche.gate, conditions, truth);
    const open = blocking === null;
    const named = (blocking ?? []).filter((id) => visible.has(id));
    states.set(tranche.id, {
      state: received ? 'received' : open ? 'open' : 'blocked',
      waitsOn: named.map((id) => {
        const c = conditions.get(id)!;
        return { id, code: c.code, titleEn: c.titleEn, titleAr: c.titleAr, status: c.status };
      }),
      waitsOnHidden: named.length < (blocking ?? []).length,
    });
  }
  return states;
}

/**
 * Null when the expression holds; otherwise the conditions, named in it or required by
 * those, whose own status is not met or waived, in the order they are reached.
 */
function blockingConditions(
  expression: Expression,
  conditions: Map<string, ConditionRow>,
  truth: (id: string) => boolean,
): string[] | null {
  if (evaluateExpression(expression, truth)) return null;
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const c = conditions.get(id);
    if (!c) return;
    if (c.status !== 'met' && c.status !== 'waived') found.push(id);
    if (c.requires) for (const required of expressionConditions(c.requires)) if (!truth(required)) visit(required);
  };
  for (const id of expressionConditions(expression)) if (!truth(id)) visit(id);
  return found;
}

registerGatedSubject({
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
});
