-- The audit hash with the canonical content written inline. Same text, same hash as
-- migration 0001 (a test checks a chain written before this migration stays intact),
-- but PostgreSQL 15 no longer calls one SQL function inside another for every row, which
-- made inserts and verification several times slower there.
create or replace function audit_log_hash(prev_hash text, r audit_log) returns text
language sql immutable as $$
  select encode(sha256(convert_to(prev_hash || jsonb_build_object(
    'id', r.id,
    'at', floor(extract(epoch from r.at) * 1000000)::bigint,
    'actor_user_id', r.actor_user_id,
    'actor_label', r.actor_label,
    'organisation_id', r.organisation_id,
    'action', r.action,
    'entity_type', r.entity_type,
    'entity_id', r.entity_id,
    'before', r.before,
    'after', r.after,
    'request_id', r.request_id
  )::text, 'UTF8')), 'hex')
$$;
