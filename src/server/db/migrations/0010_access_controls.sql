-- Access controls that hold: who moved a claim, separation of duties, second factor on
-- sessions and tokens, tokens that expire, the security log and its alerts, and a guard on
-- the ledger's monthly roll-up like the one on its balances (migration 0007).

-- Who moved a reimbursement claim, as a person and an organisation: separation of duties
-- compares people, not the labels written for reading. Earlier events keep only the label.
alter table claim_events add column actor_user_id uuid references users (id);
alter table claim_events add column actor_org_id uuid references organisations (id);

-- Separation of duties of this mission (one row): whoever submitted or approved a claim may
-- not pay it, and whoever verified one may not approve it, each rule on or off. That no
-- country's staff pays its own country's claim is not a setting: it always holds.
create table separation_of_duties (
  id boolean primary key default true check (id),
  claim_payer_not_submitter boolean not null default true,
  claim_payer_not_approver boolean not null default true,
  claim_approver_not_verifier boolean not null default false,
  updated_at timestamptz not null default now(),
  updated_by text not null default 'migration'
);
insert into separation_of_duties default values;

-- A session remembers whether it passed the second factor; a token, whether the session that
-- made it had. A token made without it stops working when the organisation requires one.
alter table sessions add column second_factor boolean not null default false;
alter table api_tokens add column second_factor boolean not null default false;

-- Every token expires: those made without an expiry get 90 days from their creation.
update api_tokens set expires_at = created_at + interval '90 days' where expires_at is null;
alter table api_tokens alter column expires_at set not null;

-- The security log: every refused request (401, 403, and 404 for a record that exists but
-- the caller may not see), with who and from where. Not part of the audit trail, which
-- records changes; rows are only ever added, and pruned after a year.
create table security_events (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  status smallint not null check (status in (401, 403, 404)),
  code text not null,
  detail text,
  actor_user_id uuid,
  actor_label text not null,
  organisation_id uuid,
  ip text not null,
  method text not null,
  route text not null,
  url text not null,
  request_id text
);
create index security_events_at_idx on security_events (at, id);
create index security_events_actor_idx on security_events (actor_label, at);
create index security_events_ip_idx on security_events (ip, at);

-- Repeated refusals of one actor or one address raise an alert, which stays open (and
-- counts on) until an administrator acknowledges it.
create table security_alerts (
  id uuid primary key default gen_random_uuid(),
  subject_kind text not null check (subject_kind in ('actor', 'address')),
  subject text not null,
  first_at timestamptz not null,
  last_at timestamptz not null,
  refusals integer not null check (refusals > 0),
  raised_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by text
);
create unique index security_alerts_open_key on security_alerts (subject_kind, subject) where acknowledged_at is null;
create index security_alerts_raised_idx on security_alerts (raised_at desc);

-- The monthly roll-up is written only by the ledger's own trigger, like the balances.
create function ledger_monthly_guard() returns trigger language plpgsql as $$
begin
  if pg_trigger_depth() < 2 then
    raise exception 'the monthly ledger figures change only by posting transactions' using errcode = 'P0001', hint = 'funding.ledger-immutable';
  end if;
  return coalesce(new, old);
end
$$;
create trigger ledger_monthly_guard before insert or update or delete on ledger_monthly
  for each row execute function ledger_monthly_guard();
create trigger ledger_monthly_no_truncate before truncate on ledger_monthly
  for each statement execute function ledger_refuse_change();
