-- The audit log becomes a verifiable log, as Certificate Transparency (RFC 9162) and
-- Trillian keep one. Writers only append: no lock, no reading of the row before. One
-- sealer (src/server/modules/audit/sealer.ts) takes committed rows that have no place
-- yet, gives them consecutive sequence numbers, appends their leaf hashes to a Merkle
-- tree and signs the tree head with an Ed25519 key kept outside the database. The
-- signed heads also go to a file outside the database. See docs/database.md and
-- decision 0012.

-- The hash chain's state when it ends is kept as an audit record of its own (sealed
-- into the tree like any other): how many rows it held, whether it verified, the first
-- row that did not, and its last hash, which committed to every row before it.
drop trigger audit_log_chain on audit_log;
drop function audit_log_chain();
alter table audit_log alter column id set default nextval('audit_log_id_seq');

insert into audit_log (actor_label, action, entity_type, after, prev_hash, hash)
select 'system', 'audit.log.convert', 'audit_log',
       jsonb_build_object('chainRows', c.n, 'chainIntact', c.first_broken is null,
                          'firstBrokenId', c.first_broken, 'lastHash', c.last_hash,
                          'to', 'merkle-tree (RFC 9162)'),
       '', ''
from (
  select count(*) as n,
         (select hash from audit_log order by id desc limit 1) as last_hash,
         (select min(id) from (
            select a.id, a.hash = audit_log_hash(a.prev_hash, a)
                     and a.prev_hash = coalesce(lag(a.hash) over (order by a.id), '') as ok
            from audit_log a
          ) chain where not ok) as first_broken
  from audit_log
) c
where c.n > 0;

alter table audit_log drop column prev_hash, drop column hash;
drop function audit_log_hash(text, audit_log);
drop function audit_log_content(audit_log);

-- The writing transaction's id. A transaction id below the oldest one still running is
-- finished, so the sealer knows which rows can no longer appear behind it (its
-- watermark) without any lock on the writers' side. Rows written before this migration
-- all take the migration's transaction id and are sealed in the first rounds.
alter table audit_log add column xid xid8 not null default pg_current_xact_id();
create index audit_log_xid_idx on audit_log (xid);

-- The tree's state, one row, changed only by the sealer: the log's identity (signed
-- into every head), the sealer's watermark, the current size and the compact range
-- (the root hashes of the perfect subtrees that make up the tree, left to right), so a
-- round appends in O(log n) without reading old leaves. public_key is the signing key's
-- public half, for anyone who reads the heads; the private key never enters the database.
create table audit_tree (
  id boolean primary key default true check (id),
  log_id uuid not null default gen_random_uuid(),
  watermark xid8 not null default '0',
  tree_size bigint not null default 0 check (tree_size >= 0),
  frontier bytea[] not null default '{}',
  public_key text,
  updated_at timestamptz not null default now()
);
insert into audit_tree default values;

-- A sealed record's place in the tree: its sequence number (0, 1, 2... without gaps),
-- its leaf hash SHA-256(0x00 || canonical content), and a MAC over both made with a key
-- derived from the signing key, so a verifier holding the key names the exact record
-- that was changed, moved or slipped in, even when every stored hash was recomputed.
create table audit_leaves (
  seq bigint primary key check (seq >= 0),
  audit_id bigint not null unique references audit_log (id),
  leaf_hash bytea not null check (length(leaf_hash) = 32),
  mac bytea not null check (length(mac) = 32)
);

-- Signed tree heads, one per sealing round that grew the tree. The signature covers
-- the log id, the size, the root hash and the time (see sth.ts for the exact bytes).
create table audit_tree_heads (
  tree_size bigint primary key check (tree_size > 0),
  root_hash bytea not null check (length(root_hash) = 32),
  timestamp_ms bigint not null,
  signature bytea not null check (length(signature) = 64),
  key_id text not null
);

-- Like the log itself, its seal is append-only. These triggers stop mistakes; the tree
-- and the signatures catch edits made by someone who switches them off.
create trigger audit_leaves_append_only before update or delete on audit_leaves
  for each row execute function audit_log_refuse();
create trigger audit_leaves_no_truncate before truncate on audit_leaves
  for each statement execute function audit_log_refuse();
create trigger audit_tree_heads_append_only before update or delete on audit_tree_heads
  for each row execute function audit_log_refuse();
create trigger audit_tree_heads_no_truncate before truncate on audit_tree_heads
  for each statement execute function audit_log_refuse();
