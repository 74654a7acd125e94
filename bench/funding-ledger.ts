/**
 * The funding ledger at scale: a million ledger entries (half a million balanced
 * transactions over 20 instruments, 50 budget lines, 200 payees and 24 months), then the
 * overview figures (GET /api/funding/overview and the public aggregate, and the same
 * query directly). Postings are measured by postings.ts.
 * The issue aims for overview queries under 100 ms on PostgreSQL; these are measurements.
 *
 * The entries are written set-based with the ledger's triggers switched off for the load
 * (session_replication_role = replica), balanced by construction; the account balances
 * and the monthly roll-up are then computed from the entries in two statements, and
 * checked: every transaction balanced and every balance equal to its entries' sum.
 */
import type { Db } from '../src/server/db/db.ts';
import { systemActor } from '../src/server/http/authenticate.ts';
import { overview } from '../src/server/modules/funding/figures.repo.ts';
import { BENCH_ADMIN_EMAIL, BENCH_PASSWORD } from './generate.ts';
import { directLoad, httpLoad, type RunningApp, signIn, timed } from './measure.ts';

export interface FundingBenchOptions {
  transactions: number;
  seconds: number;
  connections: number;
  onProgress?: (line: string) => void;
}

const INSTRUMENTS = 20;
const LINES = 50;
const PAYEES = 200;
const MONTHS = 24;

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n < 10 ? n.toFixed(1) : int(n));

async function generateLedger(db: Db, transactions: number): Promise<void> {
  await db.query(`
    insert into funding_instruments (donor_org_id, name, kind, owner_org_id, classification)
    select o.id, format('Bench instrument %s', g), 'grant', o.id, (array['public', 'mission', 'restricted'])[1 + g % 3]
    from generate_series(1, ${INSTRUMENTS}) g
    cross join lateral (select id from organisations where type = 'donor' order by name offset g limit 1) o`);
  await db.query(`
    insert into budget_lines (code, name_en, name_ar, category, period_start, period_end)
    select format('BENCH-%s', g), format('Bench line %s', g), format('بند %s', g),
      (array['personnel_reimbursement', 'contingent_equipment', 'logistics', 'training_equipment', 'aid_operations', 'reconstruction', 'headquarters'])[1 + g % 7],
      '2025-01-01', '2026-12-31'
    from generate_series(1, ${LINES}) g`);
  await db.query(`
    insert into budget_line_versions (budget_line_id, version, amount_usd, reason, recorded_by)
    select id, 1, 10000000000, 'bench', 'bench' from budget_lines where code like 'BENCH-%'`);

  // Quarter of each kind; receipts 1,000, allocations 500, disbursements 200, spending
  // 100 on the same (instrument, line, payee) cycle, so no balance can go below zero.
  await db.transaction(async (tx) => {
    await tx.query(`set local session_replication_role = replica`);
    await tx.query(`
      create temporary table bench_tx on commit drop as
      with i as (select id, row_number() over (order by name) - 1 as n from funding_instruments where name like 'Bench instrument %'),
           l as (select id, row_number() over (order by code) - 1 as n from budget_lines where code like 'BENCH-%'),
           p as (select id, row_number() over (order by name) - 1 as n from organisations where name like 'Bench organisation %' order by name limit ${PAYEES}),
           g as (select s, (s % 4) as k, (s / 4) as c from generate_series(0, ${transactions} - 1) s)
      select gen_random_uuid() as id, (array['receipt', 'allocation', 'disbursement', 'expenditure'])[1 + g.k] as kind,
             i.id as instrument_id, l.id as line_id, p.id as payee_id,
             (date '2025-01-01' + ((g.c % ${MONTHS}) * interval '1 month') + ((g.c % 27) * interval '1 day'))::date as value_date,
             (array[1000, 500, 200, 100])[1 + g.k]::numeric(20, 2) as amount
      from g join i on i.n = g.c % ${INSTRUMENTS} join l on l.n = g.c % ${LINES} join p on p.n = g.c % ${PAYEES}`);
    await tx.query(`
      insert into ledger_transactions (id, kind, instrument_id, budget_line_id, payee_org_id, value_date, currency, amount, usd_per_unit, amount_usd, posted_by, origin, illustrative)
      select id, kind, instrument_id, case when kind = 'receipt' then null else line_id end,
             case when kind in ('disbursement', 'expenditure') then payee_id end, value_date, 'USD', amount, 1, amount, 'bench', 'manual', true
      from bench_tx`);
    await tx.query(`
      insert into ledger_accounts (kind, instrument_id, budget_line_id, payee_org_id)
      select distinct a.kind, t.instrument_id,
             case when a.kind in ('line', 'payee', 'spent') then t.line_id end,
             case when a.kind in ('payee', 'spent') then t.payee_id end
      from bench_tx t cross join lateral (values ('donor'), ('fund'), ('line'), ('payee'), ('spent')) a(kind)
      on conflict do nothing`);
    await tx.query(`
      insert into ledger_entries (transaction_id, account_id, amount, amount_usd)
      select t.id, a.id, s.sign * t.amount, s.sign * t.amount
      from bench_tx t
      cross join lateral (values
        (1, case t.kind when 'receipt' then 'fund' when 'allocation' then 'line' when 'disbursement' then 'payee' else 'spent' end),
        (-1, case t.kind when 'receipt' then 'donor' when 'allocation' then 'fund' when 'disbursement' then 'line' else 'payee' end)) s(sign, kind)
      join ledger_accounts a on a.kind = s.kind and a.instrument_id = t.instrument_id
        and a.budget_line_id is not distinct from (case when s.kind in ('line', 'payee', 'spent') then t.line_id end)
        and a.payee_org_id is not distinct from (case when s.kind in ('payee', 'spent') then t.payee_id end)`);
  });
  // What the triggers would have kept, from the entries (written past the triggers' guard, as the load was).
  await db.transaction(async (tx) => {
    await tx.query('set local session_replication_role = replica');
    await tx.query(`
    insert into ledger_balance_parts (account_id, part, balance_usd)
    select account_id, 0, sum(amount_usd) from ledger_entries group by 1
    on conflict (account_id, part) do update set balance_usd = ledger_balance_parts.balance_usd + excluded.balance_usd`);
    await tx.query(`
    insert into ledger_monthly (month, kind, instrument_id, budget_line_id, payee_org_id, amount_usd, transactions)
    select date_trunc('month', value_date)::date, kind, instrument_id, budget_line_id, payee_org_id, sum(amount_usd), count(*)
    from ledger_transactions where posted_by = 'bench' group by 1, 2, 3, 4, 5
    on conflict (month, kind, instrument_id, budget_line_id, payee_org_id, part) do update
      set amount_usd = ledger_monthly.amount_usd + excluded.amount_usd, transactions = ledger_monthly.transactions + excluded.transactions`);
  });
  const check = await db.query<{ unbalanced: number; overdrawn: number; entries: number }>(`
    select (select count(*)::int from (select transaction_id from ledger_entries group by 1 having sum(amount_usd) <> 0) x) as unbalanced,
           (select count(*)::int from ledger_account_balances where kind not in ('donor', 'spent') and balance_usd < 0) as overdrawn,
           (select count(*)::int from ledger_entries) as entries`);
  const { unbalanced, overdrawn } = check.rows[0];
  if (unbalanced || overdrawn)
    throw new Error(`generated ledger is wrong: ${unbalanced} unbalanced transactions, ${overdrawn} overdrawn accounts`);
}

export async function runFundingBench(
  db: Db,
  running: RunningApp,
  options: FundingBenchOptions,
): Promise<{ label: string; value: string }[]> {
  const say = options.onProgress ?? (() => {});
  const rows: { label: string; value: string }[] = [];
  say(`generating ${int(options.transactions)} ledger transactions (${int(options.transactions * 2)} entries)...`);
  const generated = await timed(() => generateLedger(db, options.transactions));
  const entries = (await db.query<{ n: number }>('select count(*)::int as n from ledger_entries')).rows[0].n;
  rows.push({
    label: 'Funding: ledger entries generated (balanced, checked)',
    value: `${int(entries)} in ${generated.seconds.toFixed(0)} s`,
  });

  const { url, settled } = running;
  const cookie = await signIn(url, BENCH_ADMIN_EMAIL, BENCH_PASSWORD);
  const figures = await overview(db, systemActor('bench'), {});
  rows.push({
    label: 'Funding: overview size (donors / lines / months / flows)',
    value: `${figures.donors.length} / ${figures.lines.length} / ${figures.months.length} / ${figures.flows.length}`,
  });

  say('overview figures...');
  const direct = await directLoad(() => overview(db, systemActor('bench'), {}), { seconds: options.seconds, concurrency: 1 });
  rows.push({
    label: 'Funding: overview query on the database, one at a time',
    value: `p50 ${ms(direct.p50)} ms · p99 ${ms(direct.p99)} ms · ${direct.rate.toFixed(1)}/s`,
  });
  for (const [label, path, headers] of [
    ['GET /api/funding/overview', '/api/funding/overview', { cookie }],
    ['GET /api/funding/overview?from=2026-01-01&to=2026-06-30', '/api/funding/overview?from=2026-01-01&to=2026-06-30', { cookie }],
    ['GET /api/public/funding (no sign-in)', '/api/public/funding', {}],
  ] as const) {
    const load = await httpLoad({
      url,
      settled,
      connections: options.connections,
      seconds: options.seconds,
      requests: [{ path, headers }],
    });
    rows.push({
      label: `Funding: ${label} (${options.connections} connections)`,
      value: `${load.rate.toFixed(1)} req/s · p50 ${ms(load.p50)} ms · p99 ${ms(load.p99)} ms${load.failures ? ` · ⚠ ${load.failureDetail}` : ''}`,
    });
  }

  return rows;
}
