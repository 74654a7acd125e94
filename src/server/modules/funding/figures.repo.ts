/**
 * The funding figures: pledged, committed, received, allocated, disbursed and spent, by
 * donor, budget line and month, the funding gap, burn rate and runway. Money moved is
 * read from ledger_monthly (kept by trigger), so the cost does not grow with the number
 * of ledger entries. Pledges are shown but, as in OCHA FTS, not counted as funding: the
 * gap is the budget less what was received. Periods are whole months.
 */
import sql, { empty, raw, type Sql } from 'sql-template-tag';
import { centsOf, usdOf } from '../../../shared/money.ts';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import type { BUDGET_CATEGORIES } from './funding.schema.ts';

type PostingKind = 'receipt' | 'allocation' | 'disbursement' | 'expenditure';

interface FlowRow {
  donorOrgId: string;
  instrumentId: string;
  budgetLineId: string | null;
  payeeOrgId: string | null;
  kind: PostingKind;
  amountUsd: string;
}

interface MonthRow {
  month: string;
  kind: PostingKind;
  amountUsd: string;
}

export interface Period {
  from?: string;
  to?: string;
}

const monthOf = (date: string) => `${date.slice(0, 7)}-01`;

function monthRange(alias: string, period: Period): Sql {
  const t = raw(alias);
  const from = period.from ? sql` and ${t}.month >= ${monthOf(period.from)}::date` : empty;
  const to = period.to ? sql` and ${t}.month <= ${monthOf(period.to)}::date` : empty;
  return sql`${from}${to}`;
}

function dateRange(column: string, period: Period): Sql {
  const c = raw(column);
  const from = period.from ? sql` and ${c} >= ${period.from}::date` : empty;
  const to = period.to ? sql` and ${c} <= ${period.to}::date` : empty;
  return sql`${from}${to}`;
}

const KIND_FIGURE: Record<PostingKind, 'received' | 'allocated' | 'disbursed' | 'spent'> = {
  receipt: 'received',
  allocation: 'allocated',
  disbursement: 'disbursed',
  expenditure: 'spent',
};

interface Sums {
  pledged: bigint;
  committed: bigint;
  received: bigint;
  allocated: bigint;
  disbursed: bigint;
  spent: bigint;
}
const zero = (): Sums => ({ pledged: 0n, committed: 0n, received: 0n, allocated: 0n, disbursed: 0n, spent: 0n });
const present = (s: Sums) => ({
  pledged: usdOf(s.pledged),
  committed: usdOf(s.committed),
  received: usdOf(s.received),
  allocated: usdOf(s.allocated),
  disbursed: usdOf(s.disbursed),
  spent: usdOf(s.spent),
});

export async function overview(db: Queryable, actor: Actor | null, period: Period) {
  const [flows, months, pledges, agreements, lines, names] = await Promise.all([
    db.query<FlowRow>(sql`
      select i.donor_org_id as "donorOrgId", m.instrument_id as "instrumentId", m.budget_line_id as "budgetLineId",
             m.payee_org_id as "payeeOrgId", m.kind, sum(m.amount_usd)::text as "amountUsd"
      from ledger_monthly m join funding_instruments i on i.id = m.instrument_id
      where ${visibleTo(actor, 'i')}${monthRange('m', period)}
      group by 1, 2, 3, 4, 5 having sum(m.amount_usd) <> 0`),
    // Every month up to the end of the period: the cash on hand is cumulative.
    db.query<MonthRow>(sql`
      select m.month::text as month, m.kind, sum(m.amount_usd)::text as "amountUsd"
      from ledger_monthly m join funding_instruments i on i.id = m.instrument_id
      where ${visibleTo(actor, 'i')}${monthRange('m', { to: period.to })}
      group by 1, 2 order by 1`),
    db.query<{ donorOrgId: string; amountUsd: string }>(sql`
      select i.donor_org_id as "donorOrgId", sum(p.amount_usd)::text as "amountUsd"
      from pledges p join funding_instruments i on i.id = p.instrument_id
      where ${visibleTo(actor, 'p')} and ${visibleTo(actor, 'i')}${dateRange('p.pledged_on', period)}
      group by 1`),
    db.query<{ donorOrgId: string; amountUsd: string }>(sql`
      select i.donor_org_id as "donorOrgId", sum(a.amount_usd)::text as "amountUsd"
      from funding_agreements a join funding_instruments i on i.id = a.instrument_id
      where ${visibleTo(actor, 'a')} and ${visibleTo(actor, 'i')}${dateRange('a.signed_on', period)}
      group by 1`),
    db.query<{
      id: string;
      code: string;
      nameEn: string;
      nameAr: string;
      category: (typeof BUDGET_CATEGORIES)[number];
      budget: string;
    }>(sql`
      select b.id, b.code, b.name_en as "nameEn", b.name_ar as "nameAr", b.category,
        coalesce((select v.amount_usd from budget_line_versions v where v.budget_line_id = b.id order by v.version desc limit 1), 0)::text as budget
      from budget_lines b order by b.code`),
    db.query<{ id: string; name: string; country: string | null }>(sql`
      select o.id, o.name, o.country_code as country from organisations o
      where o.id in (select i.donor_org_id from funding_instruments i where ${visibleTo(actor, 'i')})
         or o.id in (select m.payee_org_id from ledger_monthly m join funding_instruments i on i.id = m.instrument_id
                     where m.payee_org_id is not null and ${visibleTo(actor, 'i')})
      union all
      select i.id, i.name, null from funding_instruments i where ${visibleTo(actor, 'i')}`),
  ]);

  const totals = zero();
  const donors = new Map<string, Sums>();
  const donor = (id: string) => donors.get(id) ?? donors.set(id, zero()).get(id)!;
  const byLine = new Map<string, Sums>();
  const line = (id: string) => byLine.get(id) ?? byLine.set(id, zero()).get(id)!;
  for (const row of pledges.rows) donor(row.donorOrgId).pledged += centsOf(row.amountUsd);
  for (const row of agreements.rows) donor(row.donorOrgId).committed += centsOf(row.amountUsd);
  for (const flow of flows.rows) {
    const figure = KIND_FIGURE[flow.kind];
    const cents = centsOf(flow.amountUsd);
    donor(flow.donorOrgId)[figure] += cents;
    if (flow.budgetLineId) line(flow.budgetLineId)[figure] += cents;
  }
  for (const sums of donors.values()) for (const key of Object.keys(totals) as (keyof Sums)[]) totals[key] += sums[key];

  const nameOf = new Map(names.rows.map((n) => [n.id, n.name]));
  const countryOf = new Map(names.rows.map((n) => [n.id, n.country]));
  let budget = 0n;
  const lineFigures = lines.rows.map((l) => {
    const sums = byLine.get(l.id) ?? zero();
    const lineBudget = centsOf(l.budget);
    budget += lineBudget;
    nameOf.set(l.id, l.nameEn);
    return {
      budgetLineId: l.id,
      code: l.code,
      nameEn: l.nameEn,
      nameAr: l.nameAr,
      category: l.category,
      budget: usdOf(lineBudget),
      allocated: usdOf(sums.allocated),
      disbursed: usdOf(sums.disbursed),
      spent: usdOf(sums.spent),
      gap: usdOf(lineBudget > sums.allocated ? lineBudget - sums.allocated : 0n),
    };
  });

  // Month by month, with the cash on hand (received less disbursed) carried forward.
  const monthSums = new Map<string, Record<'received' | 'allocated' | 'disbursed' | 'spent', bigint>>();
  for (const row of months.rows) {
    const entry = monthSums.get(row.month) ?? { received: 0n, allocated: 0n, disbursed: 0n, spent: 0n };
    entry[KIND_FIGURE[row.kind]] += centsOf(row.amountUsd);
    monthSums.set(row.month, entry);
  }
  let cash = 0n;
  const series = [...monthSums.entries()].map(([month, m]) => {
    cash += m.received - m.disbursed;
    return { month, cashCents: cash, ...m };
  });
  const cashOnHand = series.at(-1)?.cashCents ?? 0n;
  // Burn: disbursements over the three months ending with the latest month that has any.
  const latest = series.at(-1)?.month;
  const recent = latest ? series.filter((m) => m.month > shiftMonths(latest, -3)) : [];
  const burn = recent.reduce((sum, m) => sum + m.disbursed, 0n) / 3n;
  const inPeriod = series.filter((m) => !period.from || m.month >= monthOf(period.from));

  return {
    from: period.from ?? null,
    to: period.to ?? null,
    currency: 'USD' as const,
    totals: {
      ...present(totals),
      budget: usdOf(budget),
      gap: usdOf(budget > totals.received ? budget - totals.received : 0n),
      cashOnHand: usdOf(cashOnHand),
    },
    donors: [...donors.entries()]
      .map(([id, sums]) => ({
        donorOrgId: id,
        donorName: nameOf.get(id) ?? '',
        donorCountryCode: countryOf.get(id) ?? null,
        ...present(sums),
        order: sums.pledged + sums.received,
      }))
      .sort((a, b) => (b.order > a.order ? 1 : b.order < a.order ? -1 : a.donorName.localeCompare(b.donorName)))
      .map(({ order: _order, ...rest }) => rest),
    lines: lineFigures,
    months: inPeriod.map((m) => ({
      month: m.month,
      received: usdOf(m.received),
      allocated: usdOf(m.allocated),
      disbursed: usdOf(m.disbursed),
      spent: usdOf(m.spent),
      cashOnHand: usdOf(m.cashCents),
    })),
    burnRate: usdOf(burn),
    runwayMonths: burn > 0n && cashOnHand > 0n ? Number((cashOnHand * 10n) / burn) / 10 : null,
    flows: flows.rows,
    names: Object.fromEntries(nameOf),
  };
}

/** The first day of the month `months` away from `month` (YYYY-MM-01). */
function shiftMonths(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}
