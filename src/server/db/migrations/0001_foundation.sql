-- Foundation: organisations, users, roles, sessions, API tokens, sign-in attempts,
-- the hash-chained audit log, and places (the scenario's geography).

create table organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  name_ar text,
  type text not null check (type in ('donor', 'contributing_country', 'force_headquarters', 'humanitarian', 'authority', 'observer')),
  country_code text check (country_code ~ '^[A-Z]{2}$'),
  require_totp boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index organisations_name_key on organisations (lower(name));
create index organisations_type_idx on organisations (type);

create table roles (
  key text primary key check (key ~ '^[a-z][a-z0-9_]{1,39}$'),
  name_en text not null,
  name_ar text not null,
  description text not null default '',
  permissions text[] not null default '{}',
  builtin boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null check (email = lower(email) and email like '%_@_%'),
  name text not null,
  organisation_id uuid not null references organisations (id),
  locale text not null default 'en' check (locale in ('en', 'ar')),
  password_hash text not null,
  password_changed_at timestamptz not null default now(),
  totp_secret text,
  totp_enabled_at timestamptz,
  totp_last_step bigint,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (email);
create index users_organisation_idx on users (organisation_id, name);
create index users_name_idx on users (name, id);

create table user_roles (
  user_id uuid not null references users (id) on delete cascade,
  role_key text not null references roles (key) on update cascade,
  primary key (user_id, role_key)
);
create index user_roles_role_idx on user_roles (role_key);

-- Session tokens are never stored: the id is the SHA-256 of the cookie's value.
create table sessions (
  id text primary key,
  user_id uuid not null references users (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text
);
create index sessions_user_idx on sessions (user_id);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  scopes text[] not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);

create table sign_in_attempts (
  id bigint generated always as identity primary key,
  email text not null,
  ip text not null,
  succeeded boolean not null,
  at timestamptz not null default now()
);
create index sign_in_attempts_email_idx on sign_in_attempts (email, at);
create index sign_in_attempts_ip_idx on sign_in_attempts (ip, at);

-- The audit log. Rows are only ever inserted: a trigger refuses UPDATE, DELETE and
-- TRUNCATE. Each row's hash covers the previous row's hash and the row's own canonical
-- content, so any change to a past row breaks the chain at that row.
create table audit_log (
  id bigint primary key,
  at timestamptz not null default clock_timestamp(),
  actor_user_id uuid,
  actor_label text not null,
  organisation_id uuid,
  action text not null check (action ~ '^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$'),
  entity_type text not null,
  entity_id text,
  before jsonb,
  after jsonb,
  request_id text,
  prev_hash text not null,
  hash text not null
);
create sequence audit_log_id_seq owned by audit_log.id;
create index audit_log_at_idx on audit_log (at, id);
create index audit_log_actor_idx on audit_log (actor_user_id, id);
create index audit_log_org_idx on audit_log (organisation_id, id);
create index audit_log_entity_idx on audit_log (entity_type, entity_id, id);
create index audit_log_action_idx on audit_log (action, id);

-- The canonical content of a row: jsonb prints keys in one fixed order, and time is
-- written as integer microseconds so the text never depends on the session's time zone.
create function audit_log_content(r audit_log) returns text
language sql immutable as $$
  select jsonb_build_object(
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
  )::text
$$;

create function audit_log_hash(prev_hash text, r audit_log) returns text
language sql immutable as $$
  select encode(sha256(convert_to(prev_hash || audit_log_content(r), 'UTF8')), 'hex')
$$;

-- The lock serializes writers until commit, and the id is taken only once the lock is
-- held, so id order is chain order even when transactions commit out of order.
create function audit_log_chain() returns trigger
language plpgsql as $$
begin
  perform pg_advisory_xact_lock(7243001);
  new.id := nextval('audit_log_id_seq');
  new.at := clock_timestamp();
  new.prev_hash := coalesce((select hash from audit_log order by id desc limit 1), '');
  new.hash := audit_log_hash(new.prev_hash, new);
  return new;
end
$$;

create function audit_log_refuse() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_log is append-only' using errcode = 'P0001', hint = 'audit.append-only';
end
$$;

create trigger audit_log_chain before insert on audit_log for each row execute function audit_log_chain();
create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_log_refuse();
create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_refuse();

-- Places: governorates, crossings, ports, corridors and sites. Like every domain record,
-- a place has an owner organisation and a classification (see docs/security.md).
create table places (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('governorate', 'land_crossing', 'gate', 'port', 'corridor', 'site')),
  code text not null unique,
  name_en text not null,
  name_ar text not null,
  geometry jsonb not null,
  properties jsonb not null default '{}',
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index places_kind_idx on places (kind, name_en);

create table seeds (
  name text primary key,
  applied_at timestamptz not null default now()
);
