-- Funding imports are all or nothing. Each import is a row of funding_imports; while the
-- file is read, its rows wait in funding_import_rows, where no figure sees them. At the end
-- one transaction moves them into reported_flows with the import's audit entry, or one
-- transaction deletes them and records (and audits) why the file was refused. A server that
-- stopped mid-import leaves a running import with staged rows; the next import marks it
-- abandoned and deletes them.
create table funding_imports (
  id uuid primary key default gen_random_uuid(),
  source text not null check (source in ('iati', 'fts')),
  mode text not null check (mode in ('strict', 'lenient')),
  file_name text not null default '',
  status text not null default 'running' check (status in ('running', 'imported', 'refused', 'abandoned')),
  started_by text not null,
  started_at timestamptz not null default now(),
  -- Moved forward with every batch staged, so a stale running import can be told from a slow one.
  touched_at timestamptz not null default now(),
  finished_at timestamptz,
  report jsonb,
  problem text
);
create index funding_imports_started_idx on funding_imports (started_at desc);

create table funding_import_rows (
  import_id uuid not null references funding_imports (id) on delete cascade,
  external_ref text not null,
  activity_identifier text,
  status text not null,
  direction text,
  transaction_type text,
  flow_date date,
  value_date date,
  amount numeric not null,
  currency text not null,
  amount_usd numeric,
  donor_name text,
  donor_ref text,
  recipient_name text,
  recipient_ref text,
  description text not null default '',
  line integer,
  primary key (import_id, external_ref)
);

-- Amounts as the file states them: numeric(24, 4) rounded a fifth decimal away and failed a
-- whole batch on a 21st digit. The reader refuses, naming the line, what is beyond
-- 30 digits before the point and 20 after.
alter table reported_flows alter column amount type numeric;
alter table reported_flows alter column amount_usd type numeric;
-- From the reporting organisation's side (FTS: relative to the place searched), so that money
-- received and money passed on are never summed together.
alter table reported_flows add column direction text check (direction in ('incoming', 'outgoing', 'internal'));
-- The date an amount in another currency is converted at (the value date, else the flow date).
alter table reported_flows add column value_date date;
alter table reported_flows add column import_id uuid references funding_imports (id);
create index reported_flows_import_idx on reported_flows (import_id);

update reported_flows set direction = case
    when source = 'iati' and transaction_type in ('1', '5', '6', '9', '11', '13') then 'incoming'
    when source = 'iati' then 'outgoing'
    -- FTS flows were read as the recipient's: incoming.
    else 'incoming'
  end;
