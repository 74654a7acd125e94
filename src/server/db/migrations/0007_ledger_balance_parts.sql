-- Postings to one account no longer queue on one row.
--
-- Under migration 0004 every entry locked its account's row and updated its balance, and
-- every posting updated its month's roll-up row: all postings to one instrument (a donor
-- that funds most of the mission, say) waited for each other, even money coming in, which
-- needs no check at all. Now:
-- - an account's balance is the sum of a few parts (ledger_balance_parts); an entry adds to
--   the part of its database connection, so concurrent postings add to different rows;
-- - only an entry that takes money out of an account that must not go below zero (fund,
--   line, payee) locks the account (FOR NO KEY UPDATE, which the foreign-key checks of other
--   postings do not wait for), reads the whole balance under that lock, and refuses an
--   overdraft. Money going out of one account is still checked one posting at a time, as
--   it must be; money coming in waits for nothing;
-- - the monthly roll-up is kept in parts in the same way; every figure sums them.

create table ledger_balance_parts (
  account_id uuid not null references ledger_accounts (id),
  part smallint not null check (part between 0 and 63),
  balance_usd numeric(20, 2) not null default 0,
  primary key (account_id, part)
);
insert into ledger_balance_parts (account_id, part, balance_usd) select id, 0, balance_usd from ledger_accounts where balance_usd <> 0;
alter table ledger_accounts drop column balance_usd;

-- An account's balance: what every reader asks for.
create view ledger_account_balances as
  select a.id as account_id, a.kind, a.instrument_id, a.budget_line_id, a.payee_org_id,
         coalesce((select sum(p.balance_usd) from ledger_balance_parts p where p.account_id = a.id), 0)::numeric(20, 2) as balance_usd
  from ledger_accounts a;

-- Parts are only ever written by the ledger's own trigger.
create function ledger_balance_parts_guard() returns trigger language plpgsql as $$
begin
  if pg_trigger_depth() < 2 then
    raise exception 'ledger balances change only by posting entries' using errcode = 'P0001', hint = 'funding.ledger-immutable';
  end if;
  return coalesce(new, old);
end
$$;
create trigger ledger_balance_parts_guard before insert or update or delete on ledger_balance_parts
  for each row execute function ledger_balance_parts_guard();
create trigger ledger_balance_parts_no_truncate before truncate on ledger_balance_parts
  for each statement execute function ledger_refuse_change();

create or replace function ledger_apply_entry() returns trigger
language plpgsql as $$
declare
  account_kind text;
  balance numeric(20, 2);
begin
  select kind into account_kind from ledger_accounts where id = new.account_id;
  if new.amount_usd < 0 and account_kind not in ('donor', 'spent') then
    -- Under the lock, a new statement sees every posting committed before it was granted.
    perform 1 from ledger_accounts where id = new.account_id for no key update;
    select coalesce(sum(balance_usd), 0) into balance from ledger_balance_parts where account_id = new.account_id;
    if balance + new.amount_usd < 0 then
      raise exception 'not enough money in the % account: it would be short by % USD', account_kind, -(balance + new.amount_usd)
        using errcode = 'P0001', hint = 'funding.insufficient-funds', detail = account_kind;
    end if;
  end if;
  insert into ledger_balance_parts (account_id, part, balance_usd) values (new.account_id, pg_backend_pid() % 64, new.amount_usd)
    on conflict (account_id, part) do update set balance_usd = ledger_balance_parts.balance_usd + excluded.balance_usd;
  return new;
end $$;

-- The monthly roll-up in parts too.
alter table ledger_monthly add column part smallint not null default 0 check (part between 0 and 63);
alter table ledger_monthly drop constraint ledger_monthly_month_kind_instrument_id_budget_line_id_paye_key;
alter table ledger_monthly add constraint ledger_monthly_key unique nulls not distinct (month, kind, instrument_id, budget_line_id, payee_org_id, part);

create or replace function ledger_roll_up() returns trigger
language plpgsql as $$
declare
  counted ledger_transactions;
  sign integer := 1;
begin
  counted := new;
  if new.kind = 'reversal' then
    select * into counted from ledger_transactions where id = new.reverses_id;
    sign := -1;
  end if;
  insert into ledger_monthly (month, kind, instrument_id, budget_line_id, payee_org_id, part, amount_usd, transactions)
    values (date_trunc('month', new.value_date)::date, counted.kind, counted.instrument_id, counted.budget_line_id,
            counted.payee_org_id, pg_backend_pid() % 64, sign * new.amount_usd, sign)
    on conflict (month, kind, instrument_id, budget_line_id, payee_org_id, part) do update
      set amount_usd = ledger_monthly.amount_usd + excluded.amount_usd,
          transactions = ledger_monthly.transactions + excluded.transactions;
  return null;
end $$;

-- The account of a kind, instrument, line and payee, made on first use: a posting finds or
-- makes both its accounts in the statement that posts it.
create function ledger_account(account_kind text, instrument uuid, line uuid, payee uuid) returns uuid
language plpgsql as $$
declare
  found uuid;
begin
  select id into found from ledger_accounts where kind = account_kind and instrument_id = instrument
    and budget_line_id is not distinct from line and payee_org_id is not distinct from payee;
  if found is null then
    insert into ledger_accounts (kind, instrument_id, budget_line_id, payee_org_id) values (account_kind, instrument, line, payee)
      on conflict do nothing returning id into found;
    if found is null then
      select id into found from ledger_accounts where kind = account_kind and instrument_id = instrument
        and budget_line_id is not distinct from line and payee_org_id is not distinct from payee;
    end if;
  end if;
  return found;
end $$;

-- One leg of a posting as the posting statement carries it: the account and what it is.
create type ledger_leg as (account_id uuid, sign int, kind text, budget_line_id uuid, payee_org_id uuid);
