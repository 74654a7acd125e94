-- What changed for the conditions analysis, without a row that every write updates.
--
-- Migration 0005 kept one counter row that every write to the analysis's tables bumped:
-- writers queued on its lock, and any write threw the whole kept model away. Instead, each
-- statement that changes such a table appends a row here naming what it changed (which
-- conditions, stakeholders, gates or gated subjects), stamped with its transaction id. Rows
-- are only appended, so writers never wait on each other. A server that keeps a model
-- remembers the snapshot it was read under (pg_current_snapshot()); the rows committed since
-- are exactly those not visible in that snapshot, and they say which parts to read again.
--
-- A capability whose gated subjects carry values attaches record_analysis_change() to the
-- tables its values and labels come from, in its own migration (docs/database.md):
--   create trigger <table>_analysis_insert after insert on <table> referencing new table as changed_rows
--     for each statement execute function record_analysis_change('subject', '<subject type>', 'id');
-- (and the same after update, and after delete with old table), plus the truncate trigger.

drop trigger stakeholders_touch_analysis on stakeholders;
drop trigger conditions_touch_analysis on conditions;
drop trigger condition_stakeholders_touch_analysis on condition_stakeholders;
drop trigger condition_evidence_touch_analysis on condition_evidence;
drop trigger gates_touch_analysis on gates;
drop trigger commitments_touch_analysis on commitments;
drop trigger pledges_touch_analysis on pledges;
drop trigger tranches_touch_analysis on tranches;
drop trigger ledger_transactions_touch_analysis on ledger_transactions;
drop function touch_analysis_generation();
drop table analysis_generation;

create table analysis_changes (
  id bigint generated always as identity primary key,
  xid xid8 not null default pg_current_xact_id(),
  at timestamptz not null default now(),
  -- 'conditions', 'stakeholders', 'evidence', 'gates', 'subject', or 'all' (a truncate: read everything again)
  source text not null check (source in ('conditions', 'stakeholders', 'evidence', 'gates', 'subject', 'all')),
  -- for 'gates' and 'subject': the gated subject type the ids belong to
  subject_type text,
  ids uuid[] not null default '{}'
);
create index analysis_changes_xid_idx on analysis_changes (xid);
create index analysis_changes_at_idx on analysis_changes (at);

-- record_analysis_change(source, subject type or '', id column): one row per statement,
-- with the distinct non-null values of the id column among the rows the statement changed.
create function record_analysis_change() returns trigger language plpgsql as $$
declare
  changed uuid[];
begin
  execute format('select array_agg(distinct %I) from changed_rows where %I is not null', TG_ARGV[2], TG_ARGV[2]) into changed;
  if changed is not null then
    insert into analysis_changes (source, subject_type, ids) values (TG_ARGV[0], nullif(TG_ARGV[1], ''), changed);
  end if;
  return null;
end
$$;

create function record_analysis_truncate() returns trigger language plpgsql as $$
begin
  insert into analysis_changes (source) values ('all');
  return null;
end
$$;

-- Gates name their subject's type per row, so one row per type.
create function record_gate_change() returns trigger language plpgsql as $$
begin
  insert into analysis_changes (source, subject_type, ids)
  select 'gates', subject_type, array_agg(distinct subject_id) from changed_rows group by subject_type;
  return null;
end
$$;

-- A pledge's title and classification are its tranches' label and visibility.
create function record_pledge_change() returns trigger language plpgsql as $$
declare
  changed uuid[];
begin
  select array_agg(t.id) into changed from tranches t where t.pledge_id in (select id from changed_rows);
  if changed is not null then
    insert into analysis_changes (source, subject_type, ids) values ('subject', 'funding_tranche', changed);
  end if;
  return null;
end
$$;

create trigger conditions_analysis_insert after insert on conditions referencing new table as changed_rows
  for each statement execute function record_analysis_change('conditions', '', 'id');
create trigger conditions_analysis_update after update on conditions referencing new table as changed_rows
  for each statement execute function record_analysis_change('conditions', '', 'id');
create trigger conditions_analysis_delete after delete on conditions referencing old table as changed_rows
  for each statement execute function record_analysis_change('conditions', '', 'id');
create trigger conditions_analysis_truncate after truncate on conditions
  for each statement execute function record_analysis_truncate();

create trigger condition_stakeholders_analysis_insert after insert on condition_stakeholders referencing new table as changed_rows
  for each statement execute function record_analysis_change('conditions', '', 'condition_id');
create trigger condition_stakeholders_analysis_update after update on condition_stakeholders referencing new table as changed_rows
  for each statement execute function record_analysis_change('conditions', '', 'condition_id');
create trigger condition_stakeholders_analysis_delete after delete on condition_stakeholders referencing old table as changed_rows
  for each statement execute function record_analysis_change('conditions', '', 'condition_id');
create trigger condition_stakeholders_analysis_truncate after truncate on condition_stakeholders
  for each statement execute function record_analysis_truncate();

create trigger condition_evidence_analysis_insert after insert on condition_evidence referencing new table as changed_rows
  for each statement execute function record_analysis_change('evidence', '', 'condition_id');
create trigger condition_evidence_analysis_update after update on condition_evidence referencing new table as changed_rows
  for each statement execute function record_analysis_change('evidence', '', 'condition_id');
create trigger condition_evidence_analysis_delete after delete on condition_evidence referencing old table as changed_rows
  for each statement execute function record_analysis_change('evidence', '', 'condition_id');
create trigger condition_evidence_analysis_truncate after truncate on condition_evidence
  for each statement execute function record_analysis_truncate();

create trigger stakeholders_analysis_insert after insert on stakeholders referencing new table as changed_rows
  for each statement execute function record_analysis_change('stakeholders', '', 'id');
create trigger stakeholders_analysis_update after update on stakeholders referencing new table as changed_rows
  for each statement execute function record_analysis_change('stakeholders', '', 'id');
create trigger stakeholders_analysis_delete after delete on stakeholders referencing old table as changed_rows
  for each statement execute function record_analysis_change('stakeholders', '', 'id');
create trigger stakeholders_analysis_truncate after truncate on stakeholders
  for each statement execute function record_analysis_truncate();

create trigger gates_analysis_insert after insert on gates referencing new table as changed_rows
  for each statement execute function record_gate_change();
create trigger gates_analysis_update after update on gates referencing new table as changed_rows
  for each statement execute function record_gate_change();
create trigger gates_analysis_delete after delete on gates referencing old table as changed_rows
  for each statement execute function record_gate_change();
create trigger gates_analysis_truncate after truncate on gates
  for each statement execute function record_analysis_truncate();

-- Commitments are gated subjects of the conditions capability.
create trigger commitments_analysis_insert after insert on commitments referencing new table as changed_rows
  for each statement execute function record_analysis_change('subject', 'commitment', 'id');
create trigger commitments_analysis_update after update on commitments referencing new table as changed_rows
  for each statement execute function record_analysis_change('subject', 'commitment', 'id');
create trigger commitments_analysis_delete after delete on commitments referencing old table as changed_rows
  for each statement execute function record_analysis_change('subject', 'commitment', 'id');
create trigger commitments_analysis_truncate after truncate on commitments
  for each statement execute function record_analysis_truncate();

-- Funding tranches: their value is the money not yet received against them, their label and
-- visibility come from their pledge. Only postings against a tranche change a value, so most
-- postings record nothing.
create trigger tranches_analysis_insert after insert on tranches referencing new table as changed_rows
  for each statement execute function record_analysis_change('subject', 'funding_tranche', 'id');
create trigger tranches_analysis_update after update on tranches referencing new table as changed_rows
  for each statement execute function record_analysis_change('subject', 'funding_tranche', 'id');
create trigger tranches_analysis_delete after delete on tranches referencing old table as changed_rows
  for each statement execute function record_analysis_change('subject', 'funding_tranche', 'id');
create trigger tranches_analysis_truncate after truncate on tranches
  for each statement execute function record_analysis_truncate();
create trigger pledges_analysis_update after update on pledges referencing new table as changed_rows
  for each statement execute function record_pledge_change();
-- A receipt against a tranche, or the reversal of one (which names the receipt, not the
-- tranche). A row trigger whose condition PostgreSQL checks before calling it: a posting that
-- touches no tranche (most of them) costs nothing here.
create function record_ledger_change() returns trigger language plpgsql as $$
declare
  tranche uuid := coalesce(new.tranche_id, (select o.tranche_id from ledger_transactions o where o.id = new.reverses_id));
begin
  if tranche is not null then
    insert into analysis_changes (source, subject_type, ids) values ('subject', 'funding_tranche', array[tranche]);
  end if;
  return null;
end
$$;
create trigger ledger_transactions_analysis_insert after insert on ledger_transactions
  for each row when (new.tranche_id is not null or new.reverses_id is not null) execute function record_ledger_change();

-- Gated subject types and the table each one's subjects live in. A gate must name a subject
-- that exists, and deleting a subject deletes its gate; the server refuses to start when a
-- gate or a type here has no gated subject type registered where the app is composed.
create table gated_subject_types (
  type text primary key,
  subject_table regclass not null
);
insert into gated_subject_types (type, subject_table) values ('commitment', 'commitments'), ('funding_tranche', 'tranches');

create function gates_check_subject() returns trigger language plpgsql as $$
declare
  tbl regclass;
  found boolean;
begin
  select subject_table into tbl from gated_subject_types where type = new.subject_type;
  if tbl is null then
    raise exception 'no gated subject type "%"', new.subject_type using errcode = 'P0001', hint = 'conditions.unknown-subject-type';
  end if;
  execute format('select exists (select 1 from %s where id = $1)', tbl) into found using new.subject_id;
  if not found then
    raise exception 'no % with id %', new.subject_type, new.subject_id using errcode = 'P0001', hint = 'conditions.unknown-subject';
  end if;
  return new;
end
$$;
create trigger gates_check_subject before insert or update of subject_type, subject_id on gates
  for each row execute function gates_check_subject();

-- remove_gates(subject type): the gates of deleted subjects go with them.
create function remove_gates() returns trigger language plpgsql as $$
begin
  delete from gates where subject_type = TG_ARGV[0] and subject_id in (select id from changed_rows);
  return null;
end
$$;
create trigger commitments_remove_gates after delete on commitments referencing old table as changed_rows
  for each statement execute function remove_gates('commitment');
create trigger tranches_remove_gates after delete on tranches referencing old table as changed_rows
  for each statement execute function remove_gates('funding_tranche');
