-- Conditions and commitments: stakeholders and their dated positions, conditions with
-- their requirements, stakeholders and evidence log, generic gates over conditions, and
-- commitments, the first gated subject. Stakeholders, positions, conditions and
-- commitments are classified domain records; stakeholder links and evidence belong to
-- their condition, a gate to its subject, and each is seen with it.

create table stakeholders (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  name_ar text not null default '',
  kind text not null check (kind in ('government', 'party', 'international_organisation', 'coalition', 'group')),
  organisation_id uuid references organisations (id),
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index stakeholders_name_idx on stakeholders (lower(name));

create table conditions (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  title_en text not null,
  title_ar text not null,
  description_en text not null default '',
  description_ar text not null default '',
  status text not null default 'unmet' check (status in ('unmet', 'partially_met', 'met', 'failed', 'waived')),
  target_date date,
  requires jsonb,
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index conditions_status_idx on conditions (status, code);

create table condition_stakeholders (
  condition_id uuid not null references conditions (id),
  stakeholder_id uuid not null references stakeholders (id),
  primary key (condition_id, stakeholder_id)
);
create index condition_stakeholders_stakeholder_idx on condition_stakeholders (stakeholder_id);

-- Append-only history: the latest entry by date (then by when it was recorded) sets the
-- condition's current status.
create table condition_evidence (
  id uuid primary key default gen_random_uuid(),
  condition_id uuid not null references conditions (id),
  dated_on date not null,
  status text not null check (status in ('unmet', 'partially_met', 'met', 'failed', 'waived')),
  source text not null,
  source_url text,
  note text not null default '',
  recorded_by text not null,
  recorded_at timestamptz not null default clock_timestamp()
);
create index condition_evidence_condition_idx on condition_evidence (condition_id, dated_on, recorded_at);

-- Rows are never updated: a new stance is a new row, so any date's stance can be read back.
create table positions (
  id uuid primary key default gen_random_uuid(),
  stakeholder_id uuid not null references stakeholders (id),
  condition_id uuid references conditions (id),
  topic text,
  stance text not null check (stance in ('supports', 'opposes', 'conditional', 'undecided')),
  stated_on date not null,
  source text not null,
  source_url text,
  note text not null default '',
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default clock_timestamp(),
  check ((condition_id is null) <> (topic is null))
);
create index positions_stakeholder_idx on positions (stakeholder_id, stated_on);

-- Any capability's object can be gated; subject_type names the capability's registered type.
create table gates (
  id uuid primary key default gen_random_uuid(),
  subject_type text not null,
  subject_id uuid not null,
  expression jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (subject_type, subject_id)
);

create table commitments (
  id uuid primary key default gen_random_uuid(),
  stakeholder_id uuid not null references stakeholders (id),
  title_en text not null,
  title_ar text not null,
  description text not null default '',
  money_usd numeric(20, 2) not null default 0 check (money_usd >= 0),
  personnel integer not null default 0 check (personnel >= 0),
  aid_trucks_per_day integer not null default 0 check (aid_trucks_per_day >= 0),
  projects integer not null default 0 check (projects >= 0),
  source text not null default '',
  illustrative boolean not null default false,
  owner_org_id uuid not null references organisations (id),
  classification text not null default 'mission' check (classification in ('public', 'mission', 'restricted')),
  shared_with uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index commitments_stakeholder_idx on commitments (stakeholder_id);

-- Existing databases get the new permissions in their built-in roles, as a fresh one does.
update roles set permissions = permissions || array['conditions.read', 'conditions.manage']
  where builtin and key in ('admin', 'political_officer') and not ('conditions.read' = any (permissions));
update roles set permissions = permissions || array['conditions.read']
  where builtin and key in ('auditor', 'donor_officer', 'force_planner', 'contributor_liaison', 'humanitarian')
    and not ('conditions.read' = any (permissions));
