/**
 * The ledger check: every account's balance and every monthly figure recomputed from the
 * entries and transactions themselves, and compared with what the ledger keeps
 * (ledger_balance_parts and ledger_monthly, written only by the ledger's triggers, whose
 * guards refuse any other write: migrations 0007 and 0010). A difference means someone
 * wrote behind the guards (a superuser, or triggers switched off); the check names each
 * account and month that differs, with both figures. It reads everything once: a full scan,
 * for an auditor's or finance officer's occasional look, not for every page.
 */
import sql from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';

export interface BalanceDifference {
  accountId: string;
  kind: string;
  instrumentId: string;
  budgetLineId: string | null;
  payeeOrgId: string | null;
  keptUsd: string;
  fromEntriesUsd: string;
}

export interface MonthlyDifference {
  month: string;
  kind: string;
  instrumentId: string;
  budgetLineId: string | null;
  payeeOrgId: string | null;
  keptUsd: string;
  fromTransactionsUsd: string;
  keptTransactions: number;
  fromTransactions: number;
}

export interface LedgerCheck {
  status: 'consistent' | 'different';
  checkedAt: Date;
  accounts: number;
  months: number;
  balances: BalanceDifference[];
  monthly: MonthlyDifference[];
}

/** Recomputes the balances and monthly figures of the instruments `actor` may see and reports every difference. */
export async function checkLedger(db: Queryable, actor: Actor | null): Promise<LedgerCheck> {
  const instruments = sql`select i.id from funding_instruments i where ${visibleTo(actor, 'i')}`;
  const balances = await db.query<{ total: number; differences: BalanceDifference[] }>(sql`
    with kept as (
      select p.account_id, sum(p.balance_usd) as usd from ledger_balance_parts p group by p.account_id
    ), computed as (
      select e.account_id, sum(e.amount_usd) as usd from ledger_entries e group by e.account_id
    ), compared as (
      select a.id, a.kind, a.instrument_id, a.budget_line_id, a.payee_org_id,
             coalesce(k.usd, 0)::numeric(20, 2) as kept, coalesce(c.usd, 0)::numeric(20, 2) as computed
      from ledger_accounts a left join kept k on k.account_id = a.id left join computed c on c.account_id = a.id
      where a.instrument_id in (${instruments})
    )
    select (select count(*) from compared) as total,
           coalesce((select json_agg(json_build_object('accountId', id, 'kind', kind, 'instrumentId', instrument_id,
                       'budgetLineId', budget_line_id, 'payeeOrgId', payee_org_id, 'keptUsd', kept::text, 'fromEntriesUsd', computed::text)
                       order by instrument_id, kind, id)
                     from compared where kept <> computed), '[]') as differences`);
  const monthly = await db.query<{ total: number; differences: MonthlyDifference[] }>(sql`
    with counted as (
      -- A reversal counts against the kind, instrument, line and payee of what it reverses, in its own month.
      select date_trunc('month', t.value_date)::date as month, coalesce(o.kind, t.kind) as kind,
             coalesce(o.instrument_id, t.instrument_id) as instrument_id,
             case when o.id is null then t.budget_line_id else o.budget_line_id end as budget_line_id,
             case when o.id is null then t.payee_org_id else o.payee_org_id end as payee_org_id,
             case when o.id is null then 1 else -1 end as sign, t.amount_usd
      from ledger_transactions t left join ledger_transactions o on o.id = t.reverses_id
    ), computed as (
      select month, kind, instrument_id, budget_line_id, payee_org_id, sum(sign * amount_usd) as usd, sum(sign)::int as transactions
      from counted group by month, kind, instrument_id, budget_line_id, payee_org_id
    ), kept as (
      select month, kind, instrument_id, budget_line_id, payee_org_id, sum(amount_usd) as usd, sum(transactions)::int as transactions
      from ledger_monthly group by month, kind, instrument_id, budget_line_id, payee_org_id
    ), compared as (
      select coalesce(k.month, c.month) as month, coalesce(k.kind, c.kind) as kind, coalesce(k.instrument_id, c.instrument_id) as instrument_id,
             coalesce(k.budget_line_id, c.budget_line_id) as budget_line_id, coalesce(k.payee_org_id, c.payee_org_id) as payee_org_id,
             coalesce(k.usd, 0)::numeric(20, 2) as kept, coalesce(c.usd, 0)::numeric(20, 2) as computed,
             coalesce(k.transactions, 0) as kept_transactions, coalesce(c.transactions, 0) as computed_transactions
      from kept k full join computed c
        on k.month = c.month and k.kind = c.kind and k.instrument_id = c.instrument_id
       and k.budget_line_id is not distinct from c.budget_line_id and k.payee_org_id is not distinct from c.payee_org_id
    ), visible as (
      select * from compared where instrument_id in (${instruments})
    )
    select (select count(*) from visible) as total,
           coalesce((select json_agg(json_build_object('month', to_char(month, 'YYYY-MM'), 'kind', kind, 'instrumentId', instrument_id,
                       'budgetLineId', budget_line_id, 'payeeOrgId', payee_org_id, 'keptUsd', kept::text,
                       'fromTransactionsUsd', computed::text, 'keptTransactions', kept_transactions,
                       'fromTransactions', computed_transactions) order by month, instrument_id, kind)
                     from visible where kept <> computed or kept_transactions <> computed_transactions), '[]') as differences`);
  const [b, m] = [balances.rows[0], monthly.rows[0]];
  return {
    status: b.differences.length || m.differences.length ? 'different' : 'consistent',
    checkedAt: new Date(),
    accounts: b.total,
    months: m.total,
    balances: b.differences,
    monthly: m.differences,
  };
}
