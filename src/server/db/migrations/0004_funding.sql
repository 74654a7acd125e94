-- Funding: instruments, budget lines with versions, exchange rates, pledges split into
-- gated tranches, agreements, and a double-entry ledger of money movements.
--
-- Visibility follows the instrument: a donor's instrument is public, mission or
-- restricted, and every money movement on it is seen with it. Budget lines are
-- mission-wide. Pledges and agreements are classified records of their own.
--
-- The ledger rules live here, so that no code path and no concurrency can break them:
--  * every transaction is balanced (its entries sum to zero, in USD and in its currency),
--    checked when the database transaction commits;
--  * posted transactions and entries are never changed or deleted; a correction is a
--    reversal, and a transaction can be reversed once;
--  * account balances are kept by trigger, under the row lock of the account, and the
--    funds on hand, a line's unspent allocation and a payee's unspent advance never go
--    below zero: nothing allocated beyond what was received, nothing disbursed beyond what
--    a line holds, nothing reported spent beyond what was disbursed;
--  * a reimbursement claim is paid at most once (a unique claim reference).

create table exchange_rates (
  currency text not null check (currency ~ '^[A-Z]{3}$' and currency <> 'USD'),
  rate_date date not null,
  usd_per_unit numeric(24, 12) not null check (usd_per_unit > 0),
  source text not null,
  created_at timestamptz not null default now(),
  primary key (currency, rate_date)
);

create table funding_instruments (
  id uuid primary key default gen_random_uuid(),
  donor_org_id uuid not null references organisations (id),
  name text not null,
  name_ar text not null default '',
  kind text not null check (kind in ('appropriation', 'security_assistance', 'trust_fund', 'grant', 'in_kind', 'other')),
  restrictions text[] not null default '{}',
  reimbursement_rate_usd numeric(20, 2) not null default 1428.00 check (reimbursement_rate_usd >= 0),
  source text not null default '',
  illustrative boolean not null default false,
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (donor_org_id, name)
);

create table budget_lines (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name_en text not null,
  name_ar text not null,
  category text not null check (category in ('personnel_reimbursement', 'contingent_equipment', 'logistics',
    'training_equipment', 'aid_operations', 'reconstruction', 'headquarters')),
  period_start date not null,
  period_end date not null,
  created_at timestamptz not null default now(),
  check (period_end >= period_start)
);

-- The original budget is version 1; each revision adds a version, and the latest counts.
create table budget_line_versions (
  budget_line_id uuid not null references budget_lines (id),
  version integer not null check (version >= 1),
  amount_usd numeric(20, 2) not null check (amount_usd >= 0),
  reason text not null default '',
  recorded_by text not null,
  recorded_at timestamptz not null default clock_timestamp(),
  primary key (budget_line_id, version)
);

create table pledges (
  id uuid primary key default gen_random_uuid(),
  instrument_id uuid not null references funding_instruments (id),
  title text not null,
  amount numeric(24, 4) not null check (amount > 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  amount_usd numeric(20, 2) not null check (amount_usd > 0),
  pledged_on date not null,
  earmarks uuid[] not null default '{}',
  source text not null default '',
  illustrative boolean not null default false,
  external_ref text unique,
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index pledges_instrument_idx on pledges (instrument_id);

-- A pledge's tranches; each can be gated by conditions (gates.subject_type 'funding_tranche').
create table tranches (
  id uuid primary key default gen_random_uuid(),
  pledge_id uuid not null references pledges (id),
  seq integer not null check (seq >= 1),
  amount numeric(24, 4) not null check (amount > 0),
  amount_usd numeric(20, 2) not null check (amount_usd > 0),
  expected_on date,
  note text not null default '',
  created_at timestamptz not null default now(),
  unique (pledge_id, seq)
);

-- Agreements (commitments in OCHA FTS terms): signed, but not yet money received.
create table funding_agreements (
  id uuid primary key default gen_random_uuid(),
  instrument_id uuid not null references funding_instruments (id),
  pledge_id uuid references pledges (id),
  reference text not null,
  amount numeric(24, 4) not null check (amount > 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  amount_usd numeric(20, 2) not null check (amount_usd > 0),
  signed_on date not null,
  source text not null default '',
  illustrative boolean not null default false,
  external_ref text unique,
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default now()
);
create index funding_agreements_instrument_idx on funding_agreements (instrument_id);

-- Accounts, one per (kind, instrument, line, payee):
--   donor   the donor's contributions to an instrument (a credit balance: negative)
--   fund    received on an instrument and not yet allocated
--   line    allocated to a budget line and not yet disbursed
--   payee   disbursed to a payee from a line and not yet reported spent
--   spent   reported spent
create table ledger_accounts (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('donor', 'fund', 'line', 'payee', 'spent')),
  instrument_id uuid not null references funding_instruments (id),
  budget_line_id uuid references budget_lines (id),
  payee_org_id uuid references organisations (id),
  balance_usd numeric(20, 2) not null default 0,
  constraint ledger_accounts_no_overdraw check (kind in ('donor', 'spent') or balance_usd >= 0),
  check ((kind in ('donor', 'fund')) = (budget_line_id is null)),
  check ((kind in ('payee', 'spent')) = (payee_org_id is not null)),
  unique nulls not distinct (kind, instrument_id, budget_line_id, payee_org_id)
);

create table ledger_transactions (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('receipt', 'allocation', 'disbursement', 'expenditure', 'reversal')),
  instrument_id uuid not null references funding_instruments (id),
  budget_line_id uuid references budget_lines (id),
  payee_org_id uuid references organisations (id),
  tranche_id uuid references tranches (id),
  claim_id uuid unique,
  reverses_id uuid unique references ledger_transactions (id),
  value_date date not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  amount numeric(24, 4) not null check (amount > 0),
  usd_per_unit numeric(24, 12) not null check (usd_per_unit > 0),
  amount_usd numeric(20, 2) not null check (amount_usd > 0),
  reference text not null default '',
  description text not null default '',
  origin text not null default 'manual' check (origin in ('manual', 'scenario', 'iati', 'fts', 'claim')),
  external_ref text unique,
  illustrative boolean not null default false,
  posted_by text not null,
  posted_at timestamptz not null default clock_timestamp(),
  check ((kind = 'reversal') = (reverses_id is not null))
);
create index ledger_transactions_instrument_idx on ledger_transactions (instrument_id, value_date);
create index ledger_transactions_posted_idx on ledger_transactions (posted_at, id);

create table ledger_entries (
  id bigint generated always as identity primary key,
  transaction_id uuid not null references ledger_transactions (id),
  account_id uuid not null references ledger_accounts (id),
  amount numeric(24, 4) not null check (amount <> 0),
  amount_usd numeric(20, 2) not null
);
create index ledger_entries_transaction_idx on ledger_entries (transaction_id);
create index ledger_entries_account_idx on ledger_entries (account_id);

-- Money moved per month, kind, instrument, line and payee, net of reversals (a reversal
-- counts against the kind it reverses, in its own month): the figures and charts read
-- this, never the entries, so they cost the same at a thousand entries or a million.
create table ledger_monthly (
  month date not null,
  kind text not null check (kind in ('receipt', 'allocation', 'disbursement', 'expenditure')),
  instrument_id uuid not null references funding_instruments (id),
  budget_line_id uuid references budget_lines (id),
  payee_org_id uuid references organisations (id),
  amount_usd numeric(20, 2) not null default 0,
  transactions integer not null default 0,
  unique nulls not distinct (month, kind, instrument_id, budget_line_id, payee_org_id)
);

create function ledger_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception '% rows are never changed or deleted; post a reversal instead', tg_table_name
    using errcode = 'P0001', hint = 'funding.ledger-immutable';
end $$;

create trigger ledger_transactions_immutable before update or delete on ledger_transactions
  for each row execute function ledger_refuse_change();
create trigger ledger_entries_immutable before update or delete on ledger_entries
  for each row execute function ledger_refuse_change();
create trigger ledger_transactions_no_truncate before truncate on ledger_transactions
  for each statement execute function ledger_refuse_change();
create trigger ledger_entries_no_truncate before truncate on ledger_entries
  for each statement execute function ledger_refuse_change();

-- Each entry moves its account's balance under the account's row lock; a balance that
-- would go below zero refuses the whole transaction and says which account ran short.
create function ledger_apply_entry() returns trigger
language plpgsql as $$
declare
  account_kind text;
  old_balance numeric(20, 2);
begin
  select kind, balance_usd into account_kind, old_balance from ledger_accounts where id = new.account_id for update;
  if account_kind not in ('donor', 'spent') and old_balance + new.amount_usd < 0 then
    raise exception 'not enough money in the % account: it would be short by % USD', account_kind, -(old_balance + new.amount_usd)
      using errcode = 'P0001', hint = 'funding.insufficient-funds', detail = account_kind;
  end if;
  update ledger_accounts set balance_usd = balance_usd + new.amount_usd where id = new.account_id;
  return new;
end $$;

create trigger ledger_entries_apply after insert on ledger_entries
  for each row execute function ledger_apply_entry();

-- At commit, every transaction posted in it must be balanced and have at least two entries.
create function ledger_check_balanced() returns trigger
language plpgsql as $$
declare
  entry_count integer;
  usd_sum numeric;
  amount_sum numeric;
begin
  select count(*), coalesce(sum(amount_usd), 0), coalesce(sum(amount), 0)
    into entry_count, usd_sum, amount_sum
    from ledger_entries where transaction_id = new.id;
  if entry_count < 2 or usd_sum <> 0 or amount_sum <> 0 then
    raise exception 'ledger transaction % is not balanced (% entries, USD sum %, amount sum %)', new.id, entry_count, usd_sum, amount_sum
      using errcode = 'P0001', hint = 'funding.unbalanced';
  end if;
  return null;
end $$;

create constraint trigger ledger_transactions_balanced after insert on ledger_transactions
  deferrable initially deferred for each row execute function ledger_check_balanced();

-- Keeps ledger_monthly, in the same transaction as the posting.
create function ledger_roll_up() returns trigger
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
  insert into ledger_monthly (month, kind, instrument_id, budget_line_id, payee_org_id, amount_usd, transactions)
    values (date_trunc('month', new.value_date)::date, counted.kind, counted.instrument_id, counted.budget_line_id,
            counted.payee_org_id, sign * new.amount_usd, sign)
    on conflict (month, kind, instrument_id, budget_line_id, payee_org_id) do update
      set amount_usd = ledger_monthly.amount_usd + excluded.amount_usd,
          transactions = ledger_monthly.transactions + excluded.transactions;
  return null;
end $$;

create trigger ledger_transactions_roll_up after insert on ledger_transactions
  for each row execute function ledger_roll_up();

-- Reimbursement of contributing countries: a monthly claim per contingent.
create table contingent_strengths (
  country_org_id uuid not null references organisations (id),
  contingent text not null,
  month date not null check (extract(day from month) = 1),
  personnel_days integer not null check (personnel_days >= 0),
  source text not null default 'entered',
  recorded_at timestamptz not null default now(),
  primary key (country_org_id, contingent, month)
);

create table reimbursement_claims (
  id uuid primary key default gen_random_uuid(),
  country_org_id uuid not null references organisations (id),
  contingent text not null,
  month date not null check (extract(day from month) = 1),
  instrument_id uuid not null references funding_instruments (id),
  budget_line_id uuid not null references budget_lines (id),
  personnel_days integer not null check (personnel_days >= 0),
  rate_usd numeric(20, 2) not null check (rate_usd >= 0),
  personnel_usd numeric(20, 2) not null check (personnel_usd >= 0),
  equipment_usd numeric(20, 2) not null default 0 check (equipment_usd >= 0),
  total_usd numeric(20, 2) not null check (total_usd >= 0),
  status text not null default 'drafted' check (status in ('drafted', 'submitted', 'verified', 'approved', 'paid', 'rejected')),
  paid_transaction_id uuid unique references ledger_transactions (id),
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (country_org_id, contingent, month),
  check ((status = 'paid') = (paid_transaction_id is not null))
);

create table claim_equipment_lines (
  id uuid primary key default gen_random_uuid(),
  claim_id uuid not null references reimbursement_claims (id),
  description text not null,
  lease text not null check (lease in ('wet', 'dry')),
  quantity integer not null check (quantity > 0),
  monthly_rate_usd numeric(20, 2) not null check (monthly_rate_usd >= 0),
  amount_usd numeric(20, 2) not null check (amount_usd >= 0)
);
create index claim_equipment_lines_claim_idx on claim_equipment_lines (claim_id);

create table claim_events (
  id uuid primary key default gen_random_uuid(),
  claim_id uuid not null references reimbursement_claims (id),
  status text not null,
  note text not null default '',
  recorded_by text not null,
  recorded_at timestamptz not null default clock_timestamp()
);
create index claim_events_claim_idx on claim_events (claim_id, recorded_at);

-- Flows that donors report in the public registries (IATI activity files, OCHA FTS), imported
-- as they are: the donors' own account of their money, shown beside the mission's ledger,
-- never posted into it. The external reference makes a second import of the same file a no-op.
create table reported_flows (
  id uuid primary key default gen_random_uuid(),
  source text not null check (source in ('iati', 'fts')),
  external_ref text not null,
  activity_identifier text,
  status text not null check (status in ('pledge', 'commitment', 'paid', 'expenditure', 'other')),
  transaction_type text,
  flow_date date,
  amount numeric(24, 4) not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  amount_usd numeric(20, 2),
  donor_name text,
  donor_ref text,
  recipient_name text,
  recipient_ref text,
  description text not null default '',
  imported_by text not null,
  imported_at timestamptz not null default now(),
  unique (source, external_ref)
);
create index reported_flows_status_idx on reported_flows (source, status);

-- Idempotency keys of money writes: the first response is kept and replayed for a retry.
create table idempotency_keys (
  principal text not null,
  key text not null,
  request_hash text not null,
  status integer,
  response text,
  created_at timestamptz not null default now(),
  primary key (principal, key)
);

-- Existing databases get the new permissions in their built-in roles, as a fresh one does.
update roles set permissions = permissions || array['funding.read', 'funding.manage', 'funding.post', 'funding.report']
  where builtin and key = 'admin' and not ('funding.read' = any (permissions));
update roles set permissions = permissions || array['funding.read', 'funding.manage']
  where builtin and key = 'donor_officer' and not ('funding.read' = any (permissions));
update roles set permissions = permissions || array['funding.read', 'funding.report']
  where builtin and key in ('contributor_liaison', 'humanitarian') and not ('funding.read' = any (permissions));
update roles set permissions = permissions || array['funding.read']
  where builtin and key in ('auditor', 'force_planner', 'political_officer') and not ('funding.read' = any (permissions));
