-- The conditions analysis keeps the model it builds between requests. This counter says
-- when that model is stale: any write to a table the model reads bumps it, in the writing
-- transaction, so the new value becomes visible exactly when the write does. A server
-- reads the counter at the start of an analysis request and rebuilds only when it moved,
-- whichever process (another server, the CLI, a migration, plain SQL) wrote.
--
-- A capability whose gated subjects carry values attaches the same function to its own
-- tables, in its own migration:
--   create trigger <table>_touch_analysis after insert or update or delete or truncate on <table>
--     for each statement execute function touch_analysis_generation();
--
-- The update takes the counter row's lock until the writing transaction ends, so writes
-- to these tables queue one after another (the audit trail's lock already orders every
-- audited write the same way).

create table analysis_generation (
  id boolean primary key default true check (id),
  generation bigint not null
);
insert into analysis_generation (generation) values (1);

create function touch_analysis_generation() returns trigger language plpgsql as $$
begin
  update analysis_generation set generation = generation + 1;
  return null;
end
$$;

create trigger stakeholders_touch_analysis after insert or update or delete or truncate on stakeholders
  for each statement execute function touch_analysis_generation();
create trigger conditions_touch_analysis after insert or update or delete or truncate on conditions
  for each statement execute function touch_analysis_generation();
create trigger condition_stakeholders_touch_analysis after insert or update or delete or truncate on condition_stakeholders
  for each statement execute function touch_analysis_generation();
create trigger condition_evidence_touch_analysis after insert or update or delete or truncate on condition_evidence
  for each statement execute function touch_analysis_generation();
create trigger gates_touch_analysis after insert or update or delete or truncate on gates
  for each statement execute function touch_analysis_generation();
create trigger commitments_touch_analysis after insert or update or delete or truncate on commitments
  for each statement execute function touch_analysis_generation();

-- Funding tranches are gated subjects: their value is the money not yet received against
-- them, and their label names the pledge.
create trigger pledges_touch_analysis after insert or update or delete or truncate on pledges
  for each statement execute function touch_analysis_generation();
create trigger tranches_touch_analysis after insert or update or delete or truncate on tranches
  for each statement execute function touch_analysis_generation();
create trigger ledger_transactions_touch_analysis after insert on ledger_transactions
  for each statement execute function touch_analysis_generation();
