/**
 * Bench data: organisations, users with roles, and a long audit trail, written with
 * set-based SQL (insert ... select ... from generate_series) so a million rows cost a
 * handful of statements, not a million round trips. The same SQL runs on both engines.
 *
 * Audit rows go through the real insert trigger, so every row is hash-chained exactly as
 * the application would chain it; /api/audit/verify can check the result afterwards.
 */
import type { Db } from '../src/server/db/db.ts';
import { hashPassword } from '../src/server/modules/auth/credentials.ts';

export const BENCH_PASSWORD = 'bench password 123';
export const BENCH_ADMIN_EMAIL = 'bench.admin@bench.example';

export interface GenerateOptions {
  organisations: number;
  usersPerOrganisation: number;
  auditRows: number;
  /** Audit rows per statement; each statement is its own transaction. */
  auditBatch: number;
  onProgress?: (line: string) => void;
}

export interface Generated {
  organisations: number;
  users: number;
  auditRows: number;
  peopleSeconds: number;
  auditSeconds: number;
}

const ORG_TYPES = ['donor', 'contributing_country', 'force_headquarters', 'humanitarian', 'authority', 'observer'];
const COUNTRIES = ['NO', 'DE', 'FR', 'JP', 'EG', 'JO', 'ID', 'PK', 'IT', 'GB', 'CA', 'NL'];
// 40 first names x 50 surnames: 2,000 distinct names, so the list sorted by name has many
// ties and the (name, id) order really has to break them, as with real people.
const FIRST = [
  'Ahmad',
  'Amal',
  'Anna',
  'Ayesha',
  'Bilal',
  'Carlos',
  'Chen',
  'Dina',
  'Elena',
  'Fatima',
  'Farid',
  'Grace',
  'Hana',
  'Hassan',
  'Ibrahim',
  'Ines',
  'Jamal',
  'Jonas',
  'Karim',
  'Laila',
  'Lars',
  'Maha',
  'Marco',
  'Mariam',
  'Nadia',
  'Noor',
  'Omar',
  'Paul',
  'Rania',
  'Rashid',
  'Salma',
  'Sami',
  'Sara',
  'Tariq',
  'Ulla',
  'Walid',
  'Yara',
  'Yusuf',
  'Zainab',
  'Ziad',
];
const LAST = [
  'Abbas',
  'Aziz',
  'Barakat',
  'Bauer',
  'Costa',
  'Darwish',
  'Dubois',
  'Eriksen',
  'Farouk',
  'Fischer',
  'Ghanem',
  'Haddad',
  'Hansen',
  'Hussein',
  'Ito',
  'Jaber',
  'Khalil',
  'Khoury',
  'Kowalski',
  'Larsen',
  'Mansour',
  'Martin',
  'Masri',
  'Meyer',
  'Moreau',
  'Nasser',
  'Nielsen',
  'Novak',
  'Okafor',
  'Omari',
  'Petrov',
  'Qasim',
  'Rahman',
  'Rossi',
  'Saleh',
  'Sato',
  'Schmidt',
  'Shami',
  'Silva',
  'Suleiman',
  'Tanaka',
  'Wagner',
  'Weber',
  'Yamamoto',
  'Yilmaz',
  'Younis',
  'Zahran',
  'Zaki',
  'Zimmer',
  'Zoubi',
];
// Pairs of action and entity type, as the application writes them.
const ACTIONS = [
  ['auth.sign-in', 'user'],
  ['auth.sign-out', 'user'],
  ['access.user.update', 'user'],
  ['access.user.create', 'user'],
  ['access.organisation.update', 'organisation'],
  ['access.role.update', 'role'],
  ['geo.place.update', 'place'],
  ['access.denied', 'route'],
];

const textArray = (values: string[]) => `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, (performance.now() - start) / 1000];
}

/** Organisations, users (all with one precomputed argon2id hash) and their roles. */
async function generatePeople(db: Db, options: GenerateOptions, passwordHash: string): Promise<number> {
  await db.query(
    `insert into organisations (name, type, country_code)
     select format('Bench organisation %s', lpad(g::text, 6, '0')),
            (${textArray(ORG_TYPES)})[1 + g % ${ORG_TYPES.length}],
            (${textArray(COUNTRIES)})[1 + g % ${COUNTRIES.length}]
     from generate_series(1, $1::int) g`,
    [options.organisations],
  );
  // i numbers the users 0..n-1; first name cycles fastest so neighbours differ.
  const users = await db.query(
    `with o as (select id, row_number() over (order by name) - 1 as n from organisations where name like 'Bench organisation %'),
     u as (select o.id as org, o.n, k, o.n * $2::int + k as i from o cross join generate_series(0, $2::int - 1) k)
     insert into users (email, name, organisation_id, locale, password_hash)
     select format('user%s.%s@bench.example', u.n + 1, u.k + 1),
            (${textArray(FIRST)})[1 + u.i % ${FIRST.length}] || ' ' || (${textArray(LAST)})[1 + (u.i / ${FIRST.length}) % ${LAST.length}],
            u.org, case when u.i % 4 = 0 then 'ar' else 'en' end, $1
     from u`,
    [passwordHash, options.usersPerOrganisation],
  );
  // Everyone gets one non-admin role; every fifth user a second one.
  await db.query(
    `with r as (select array_agg(key order by key) as keys from roles where key <> 'admin'),
     u as (select id, row_number() over (order by email) as n from users where email like 'user%@bench.example')
     insert into user_roles (user_id, role_key)
     select u.id, r.keys[1 + u.n % cardinality(r.keys)] from u, r
     union all
     select u.id, r.keys[1 + (u.n + 3) % cardinality(r.keys)] from u, r where u.n % 5 = 0`,
  );
  // The account the measurements sign in with: an administrator at headquarters, who is also
  // the mission's finance staff (money may be recorded in any donor's name).
  await db.query(
    `insert into users (email, name, organisation_id, password_hash)
     select $1, 'Bench Administrator', id, $2 from organisations where type = 'force_headquarters' order by name limit 1`,
    [BENCH_ADMIN_EMAIL, passwordHash],
  );
  await db.query(`insert into user_roles (user_id, role_key) select id, 'admin' from users where email = $1`, [BENCH_ADMIN_EMAIL]);
  return users.rowCount + 1;
}

/** One batch of audit rows, inserted as writers insert them: no ordering work, the sealer does that. */
async function insertAuditBatch(db: Db, from: number, to: number): Promise<void> {
  const actions = textArray(ACTIONS.map(([action]) => action));
  const entities = textArray(ACTIONS.map(([, entity]) => entity));
  await db.query(
    `with p as (
       select array_agg(id order by email) as ids, array_agg(email order by email) as emails,
              array_agg(organisation_id order by email) as orgs
       from users where email like '%@bench.example'
     ),
     g as (select g, (1 + (g * 7919) % cardinality(p.ids))::int as i, (1 + g % ${ACTIONS.length})::int as a,
                  (1 + (g * 104729) % cardinality(p.ids))::int as target
           from generate_series($1::bigint, $2::bigint) g, p)
     insert into audit_log (actor_user_id, actor_label, organisation_id, action, entity_type, entity_id, before, after, request_id)
     select p.ids[g.i], p.emails[g.i], p.orgs[g.i], (${actions})[g.a], (${entities})[g.a],
            case when g.a <= 4 then p.ids[g.target]::text else g.g::text end,
            case when g.a in (3, 5, 6, 7) then jsonb_build_object('name', 'before ' || g.g) end,
            jsonb_build_object('name', 'after ' || g.g, 'ip', '10.0.' || (g.g % 250) || '.' || (g.g % 199)),
            md5(g.g::text)
     from g, p
     order by g.g`,
    [from, to],
  );
}

export async function generate(db: Db, options: GenerateOptions): Promise<Generated> {
  const say = options.onProgress ?? (() => {});
  // One hash for everyone: argon2id is deliberately slow, 50,000 hashes would take minutes.
  const passwordHash = await hashPassword(BENCH_PASSWORD);

  const [users, peopleSeconds] = await timed(() => generatePeople(db, options, passwordHash));
  say(`${options.organisations} organisations and ${users} users in ${peopleSeconds.toFixed(1)} s`);

  const [, auditSeconds] = await timed(async () => {
    let lastReport = performance.now();
    for (let from = 1; from <= options.auditRows; from += options.auditBatch) {
      const to = Math.min(options.auditRows, from + options.auditBatch - 1);
      await insertAuditBatch(db, from, to);
      if (performance.now() - lastReport > 15_000 || to === options.auditRows) {
        say(`audit rows: ${to.toLocaleString('en')} of ${options.auditRows.toLocaleString('en')}`);
        lastReport = performance.now();
      }
    }
  });

  // Autovacuum would analyse tables this size soon after loading; the measurements should
  // not depend on whether it has yet.
  await db.exec('analyze');
  return { organisations: options.organisations, users, auditRows: options.auditRows, peopleSeconds, auditSeconds };
}
