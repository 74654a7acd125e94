/**
 * Property tests over every write route (POST, PUT, PATCH, DELETE) in the app's route
 * table, called as an administrator (who holds every permission) with arbitrary JSON
 * bodies, bodies built from the route's own fields (read from the OpenAPI document) with
 * plausible or arbitrary values, and path parameters that are ids of existing records,
 * random uuids or junk. Whatever arrives:
 *  - the server never answers 5xx;
 *  - a 4xx writes nothing: the content of the access-control, places, conditions and funding tables and the
 *    number of audit rows are as they were (refusals go to the security log, not the trail); the one exception
 *    is a failed sign-in, which records the attempt and its audit row on purpose;
 *  - a 2xx is audited: an audit row carries the request's id.
 * POSTs declared read-only (the what-if) must write nothing at all, whatever they answer.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/server/app.ts';
import { totpCode } from '../../src/server/modules/auth/credentials.ts';
import { BUILTIN_ROLES } from '../../src/shared/permissions.ts';
import { Client, type Response, startTestApp, type TestUser } from '../support/test-app.ts';

// Built before the tests are collected: the route table decides which tests exist.
const t = await startTestApp();
afterAll(() => t.close());

const NUM_RUNS = 25;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const writes = t.app.routeTable.filter((route) => WRITE_METHODS.has(route.method) && !route.readOnly);
/** POSTs that only compute (a what-if): they must write nothing at all. */
const readOnlyPosts = t.app.routeTable.filter((route) => WRITE_METHODS.has(route.method) && route.readOnly);
const keyOf = (route: RouteEntry) => `${route.method} ${route.url}`;

// ---------------------------------------------------------------------------------------
// Existing records, for path parameters and id fields

interface Pools {
  organisations: string[];
  users: string[];
  places: string[];
  tokens: string[];
  roles: string[];
  stakeholders: string[];
  conditions: string[];
  commitments: string[];
  instruments: string[];
  'budget-lines': string[];
  pledges: string[];
  tranches: string[];
  transactions: string[];
  claims: string[];
  /** Contributing countries, for strength figures and claims the administrator enters for one. */
  countries: string[];
  /** Security alerts, to acknowledge. */
  security: string[];
}
let pools: Pools;
/** Signs in during the sign-in property; never a target of the other routes. */
let signInUser: TestUser;
/** Signed in afresh for every run of the sign-out property. */
let signOutUser: TestUser;
let adminPasswordHash: string;

/** Instruments, lines, pledges with tranches, and money on them, at each classification. */
async function fundingPools(donorOrgId: string, conditions: string[]) {
  const ok = (response: Response) => {
    if (response.status >= 300) throw new Error(`funding pool: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const post = (url: string, body: unknown) => t.admin.client.post(url, body).then(ok);
  const line = await post('/api/funding/budget-lines', {
    code: t.unique('PL').replace(/[^A-Za-z0-9]/g, ''),
    nameEn: 'Line',
    nameAr: 'بند',
    category: 'logistics',
    periodStart: '2026-01-01',
    periodEnd: '2026-12-31',
    amountUsd: '1000.00',
  });
  await post('/api/funding/rates', { currency: 'EUR', rateDate: '2020-01-01', usdPerUnit: '1.1', source: 'pool' });
  const instruments: string[] = [];
  const pledges: string[] = [];
  const tranches: string[] = [];
  const transactions: string[] = [];
  for (const classification of ['public', 'mission', 'restricted']) {
    const instrument = await post('/api/funding/instruments', {
      donorOrgId,
      name: t.unique('Pool instrument'),
      kind: 'grant',
      classification,
    });
    instruments.push(instrument.id);
    const pledge = await post('/api/funding/pledges', {
      instrumentId: instrument.id,
      title: 'Pool pledge',
      amount: '100.00',
      currency: 'USD',
      pledgedOn: '2026-01-01',
      tranches: [{ amount: '60.00' }, { amount: '40.00', gate: conditions[0] }],
      classification,
    });
    pledges.push(pledge.id);
    tranches.push(...pledge.tranches.map((tr: { id: string }) => tr.id));
    const money = { instrumentId: instrument.id, valueDate: '2026-02-01' };
    transactions.push((await post('/api/funding/receipts', { ...money, amount: '50.00' })).id);
    transactions.push((await post('/api/funding/allocations', { ...money, amount: '30.00', budgetLineId: line.id })).id);
    transactions.push(
      (await post('/api/funding/disbursements', { ...money, amount: '20.00', budgetLineId: line.id, payeeOrgId: donorOrgId })).id,
    );
  }
  // Reimbursement claims of a contributing country at each classification, and in each status
  // a payment can start from; USD 1.00 each, so a payment fits what the line holds.
  const country = (await t.organisation('contributing_country')).id;
  const liaison = await t.user(['contributor_liaison'], country);
  const claims: string[] = [];
  const moves = [[], ['submitted'], ['submitted', 'verified', 'approved']];
  for (const [i, classification] of ['public', 'mission', 'restricted'].entries()) {
    const claim = await post('/api/funding/claims', {
      countryOrgId: country,
      contingent: t.unique('Pool contingent'),
      month: '2026-02',
      instrumentId: instruments[i],
      budgetLineId: line.id,
      personnelDays: 0,
      equipment: [{ description: 'Tent', lease: 'dry', quantity: 1, monthlyRateUsd: '1.00' }],
      classification,
    });
    for (const to of moves[i]) {
      const client = to === 'submitted' ? liaison.client : t.admin.client;
      ok(await client.post(`/api/funding/claims/${claim.id}/transitions`, { to }));
    }
    claims.push(claim.id);
  }
  return { instruments, 'budget-lines': [line.id], pledges, tranches, transactions, claims, countries: [country] };
}

/** Which pool a path parameter draws existing ids from, by the route's first segment. */
function poolFor(url: string): string[] | undefined {
  const parts = url.split('/');
  const resource = (parts[2] === 'funding' ? parts[3] : parts[2]) as keyof Pools;
  return pools[resource];
}

beforeAll(async () => {
  const organisations = [
    (await t.organisation('donor')).id,
    (await t.organisation('humanitarian', { requireTotp: true })).id,
    (await t.organisation('observer')).id,
  ];
  const users: string[] = [];
  for (const roles of [['field_reporter'], ['humanitarian'], []]) users.push((await t.user(roles, organisations[users.length], false)).id);
  const places: string[] = [];
  for (const classification of ['public', 'mission', 'restricted']) {
    const response = await t.admin.client.post('/api/places', {
      kind: 'site',
      code: t.unique('prop-place').toLowerCase(),
      nameEn: 'Site',
      nameAr: 'موقع',
      geometry: { type: 'Point', coordinates: [34.4, 31.4] },
      classification,
    });
    places.push(response.body.id);
  }
  const tokens: string[] = [];
  for (const scopes of [['places.read'], ['users.read', 'users.manage']])
    tokens.push((await t.admin.client.post('/api/tokens', { name: 'pool', scopes })).body.id);
  const role = await t.admin.client.post('/api/roles', {
    key: 'prop_role',
    nameEn: 'Prop',
    nameAr: 'خاصية',
    description: 'For the properties',
    permissions: ['places.read'],
  });
  const stakeholders: string[] = [];
  const conditions: string[] = [];
  const commitments: string[] = [];
  for (const classification of ['public', 'mission', 'restricted']) {
    const stakeholder = await t.admin.client.post('/api/stakeholders', {
      name: t.unique('Prop stakeholder'),
      kind: 'party',
      classification,
    });
    stakeholders.push(stakeholder.body.id);
    const condition = await t.admin.client.post('/api/conditions', {
      code: t.unique('prop-condition').toLowerCase(),
      titleEn: 'Condition',
      titleAr: 'شرط',
      classification,
      stakeholderIds: [stakeholder.body.id],
      ...(conditions.length ? { requires: conditions[conditions.length - 1] } : {}),
    });
    conditions.push(condition.body.id);
    const commitment = await t.admin.client.post('/api/commitments', {
      stakeholderId: stakeholder.body.id,
      titleEn: 'Offer',
      titleAr: 'عرض',
      moneyUsd: '12.34',
      gate: condition.body.id,
      classification,
    });
    commitments.push(commitment.body.id);
  }
  const funding = await fundingPools(organisations[0], conditions);
  // Alerts to acknowledge: a user refused ten times raises one; a few users, a few alerts.
  const alerts: string[] = [];
  for (let i = 0; i < 3; i++) {
    const refused = await t.user(['field_reporter']);
    for (let n = 0; n < 10; n++) await refused.client.get('/api/users');
    const open = await t.admin.client.get('/api/security/alerts?status=open&pageSize=100');
    alerts.push(open.body.items.find((a: { subject: string }) => a.subject === refused.email).id);
  }
  pools = {
    ...funding,
    security: alerts,
    organisations,
    users,
    places,
    tokens,
    roles: [role.body.key, ...BUILTIN_ROLES.map((r) => r.key)],
    stakeholders,
    conditions,
    commitments,
  };

  const own = (await t.organisation('observer')).id;
  signInUser = await t.user(['field_reporter'], own, false);
  signOutUser = await t.user(['field_reporter'], own, false);
  adminPasswordHash = (await t.db.query<{ password_hash: string }>('select password_hash from users where id = $1', [t.admin.id])).rows[0]
    .password_hash;
});

// ---------------------------------------------------------------------------------------
// Arbitraries

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '%00',
  "'; drop table users; --",
  '../../etc/passwd',
  'ي'.repeat(201),
  'x'.repeat(1001),
  '__proto__',
  'null',
];

const text = (minLength = 0, maxLength = 40) =>
  fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ unit: 'grapheme', minLength, maxLength }),
    // Any code point, NUL included.
    fc.string({ unit: 'binary', minLength, maxLength }),
    fc.constantFrom(...NASTY_STRINGS),
  );

const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }));

/** Stand for the administrator's one-time code of this time step or the next, worked out when the request is sent. */
const CURRENT_CODE = '<current TOTP code>';
const NEXT_CODE = '<next TOTP code>';

/** Values that get past validation more often than chance, by field name. */
const HINTS: Record<string, () => fc.Arbitrary<unknown>> = {
  email: () =>
    fc.oneof(
      fc.constantFrom(signInUser.email, signInUser.email.toUpperCase(), ` ${signInUser.email} `),
      fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,20}$/).map((local) => `${local}@example.org`),
      fc.emailAddress(),
    ),
  password: () => fc.constant(signInUser.password),
  currentPassword: () => fc.constant(t.admin.password),
  // A password that passes NIST's rules (the administrator's own is restored after each run), and ones that do not.
  newPassword: () => fc.constantFrom('olive trees by the crossing at dawn', 'password1234', 'short'),
  // The next step's code is accepted too (clock drift), and is the one left after the current one was used.
  code: () => fc.constantFrom(CURRENT_CODE, NEXT_CODE),
  organisationId: () => fc.constantFrom(...pools.organisations),
  sharedWith: () => fc.subarray(pools.organisations),
  roles: () => fc.subarray(pools.roles),
  key: () => fc.constantFrom(...pools.roles),
  stakeholderId: () => fc.constantFrom(...pools.stakeholders),
  stakeholderIds: () => fc.subarray(pools.stakeholders),
  conditionId: () => fc.constantFrom(...pools.conditions),
  requires: () => fc.oneof(fc.constantFrom(...pools.conditions, null), fc.constant({ op: 'or', args: pools.conditions })),
  gate: () => fc.oneof(fc.constantFrom(...pools.conditions, null), fc.constant({ op: 'and', args: pools.conditions })),
  instrumentId: () => fc.constantFrom(...pools.instruments),
  donorOrgId: () => fc.constantFrom(...pools.organisations),
  payeeOrgId: () => fc.constantFrom(...pools.organisations),
  budgetLineId: () => fc.constantFrom(...pools['budget-lines']),
  earmarks: () => fc.subarray(pools['budget-lines']),
  pledgeId: () => fc.constantFrom(...pools.pledges, null),
  trancheId: () => fc.constantFrom(...pools.tranches, null),
  countryOrgId: () => fc.constantFrom(...pools.countries, ...pools.organisations),
  contingent: () => fc.constantFrom('Battalion 1', 'Engineers', 'Field hospital, level 2'),
  month: () => fc.constantFrom('2026-01', '2026-02', '2028-02', '2026-13'),
  to: () => fc.constantFrom('submitted', 'verified', 'approved', 'paid', 'rejected', 'drafted'),
  csv: () =>
    fc.constantFrom(
      'contingent,month,personnel_days\nBattalion 1,2026-01,24800\nBattalion 1,2026-13,5\n',
      'month,personnel_days\n2026-01,3\n',
      '"unclosed,2026-01,1\n',
    ),
  amount: () => fc.oneof(fc.constantFrom('1.00', '10', '0.5', '1000000.00', '0', '-1', '1e3'), fc.stringMatching(/^\d{1,4}(\.\d{1,3})?$/)),
  amountUsd: () => fc.oneof(fc.constantFrom('1.00', '0', '-5'), fc.stringMatching(/^\d{1,6}\.\d{2}$/)),
  currency: () => fc.constantFrom('USD', 'EUR', 'JPY', 'XXY', 'usd'),
  usdPerUnit: () => fc.constantFrom('1.1', '0', '0.000001', 'abc'),
  tranches: () => fc.constantFrom(undefined, [{ amount: '1.00' }], [{ amount: '10' }, { amount: '0.5', gate: null }]),
  statuses: () =>
    fc.dictionary(fc.constantFrom(...pools.conditions), fc.constantFrom('unmet', 'partially_met', 'met', 'failed', 'waived'), {
      maxKeys: 3,
    }),
};

type Schema = Record<string, any>;

const openApi = () => t.app.swagger() as Schema;

/** Follows a local `$ref` (#/components/schemas/...) to the schema it names. */
function deref(schema: Schema): Schema {
  if (typeof schema.$ref !== 'string' || !schema.$ref.startsWith('#/')) return schema;
  const target = schema.$ref
    .slice(2)
    .split('/')
    .reduce((node: Schema | undefined, part: string) => node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], openApi());
  return target ? deref(target) : {};
}

/** Values the JSON Schema of a field allows, mixed with hints for well-known fields. */
function plausible(schema: Schema | boolean | undefined, field?: string): fc.Arbitrary<unknown> {
  const bySchema = fromSchema(schema);
  return field && HINTS[field] ? fc.oneof({ arbitrary: HINTS[field](), weight: 2 }, { arbitrary: bySchema, weight: 1 }) : bySchema;
}

function fromSchema(ref: Schema | boolean | undefined): fc.Arbitrary<unknown> {
  if (!ref || ref === true) return anyJson;
  const schema = deref(ref);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s: Schema) => fromSchema(s)));
  const size = (min = 0, max = 5) => ({ minLength: min, maxLength: Math.max(min, Math.min(max, 5)) });
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'string':
      if (schema.format === 'uuid') return fc.oneof(fc.constantFrom(...Object.values(pools).flat()), fc.uuid());
      // Dates the fields can mean, their edges, and ones no field can mean (every date field is bounded).
      if (schema.format === 'date')
        return fc.oneof(
          { arbitrary: fc.constantFrom('2026-01-15', '2025-06-30', '2026-02-01', '2010-03-31'), weight: 3 },
          { arbitrary: fc.constantFrom('0001-01-01', '9999-12-31', '2026-02-30', '2100-12-31', '1944-12-31'), weight: 1 },
        );
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return text(schema.minLength ?? 0, Math.min(schema.maxLength ?? 40, 40));
    case 'array':
      if (schema.prefixItems) return fc.tuple(...schema.prefixItems.map((s: Schema) => fromSchema(s)));
      return fc.array(fromSchema(schema.items), size(schema.minItems, schema.maxItems));
    case 'object':
      if (schema.properties) {
        const fields = Object.fromEntries(Object.entries<Schema>(schema.properties).map(([name, s]) => [name, plausible(s, name)]));
        return fc.record(fields, { requiredKeys: schema.required ?? [] });
      }
      return fc.dictionary(text(0, 20), fromSchema(schema.additionalProperties), { maxKeys: 4 });
    default:
      return anyJson;
  }
}

const NO_BODY = Symbol('no body');

function bodyArbitrary(route: RouteEntry): fc.Arbitrary<unknown> {
  const path = route.url.replace(/:(\w+)/g, '{$1}');
  const found: Schema | undefined =
    openApi().paths?.[path]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
  const schema = found && deref(found);
  const fields = Object.entries<Schema>(schema?.properties ?? {});
  // The route's own field names, each with a plausible or an arbitrary value, any subset.
  const knownFields = fc.record(Object.fromEntries(fields.map(([name, s]) => [name, fc.oneof(plausible(s, name), anyJson)])), {
    requiredKeys: [],
  });
  return fc.oneof(
    { arbitrary: anyJson, weight: 2 },
    { arbitrary: knownFields, weight: 3 },
    { arbitrary: schema ? fromSchema(schema) : fc.constant({}), weight: 4 },
    { arbitrary: fc.constant(NO_BODY), weight: 1 },
  );
}

function paramsArbitrary(route: RouteEntry): fc.Arbitrary<Record<string, string>> {
  const names = [...route.url.matchAll(/:(\w+)/g)].map((match) => match[1]);
  const pool = poolFor(route.url);
  if (names.length && !pool?.length) throw new Error(`${keyOf(route)}: add a pool of existing ids for its path parameters to Pools.`);
  const value = fc.oneof(
    { arbitrary: fc.constantFrom(...(pool ?? ['unused'])), weight: 4 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: text(0, 60), weight: 1 },
  );
  return fc.record(Object.fromEntries(names.map((name) => [name, value])));
}

// ---------------------------------------------------------------------------------------
// What the database looks like, as far as writes are concerned

const FINGERPRINT = `
  select
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from organisations x) as organisations,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from users x) as users,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from user_roles x) as user_roles,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from roles x) as roles,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from places x) as places,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from stakeholders x) as stakeholders,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from positions x) as positions,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from conditions x) as conditions,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from condition_stakeholders x) as condition_stakeholders,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from condition_evidence x) as condition_evidence,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from gates x) as gates,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from commitments x) as commitments,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from exchange_rates x) as exchange_rates,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from funding_instruments x) as funding_instruments,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from budget_lines x) as budget_lines,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from budget_line_versions x) as budget_line_versions,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from pledges x) as pledges,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from tranches x) as tranches,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from funding_agreements x) as funding_agreements,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ledger_accounts x) as ledger_accounts,
    (select count(*)::int from ledger_transactions) as ledger_transactions,
    (select count(*)::int from ledger_entries) as ledger_entries,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ledger_monthly x) as ledger_monthly,
    (select count(*)::int from idempotency_keys) as idempotency_keys,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from reported_flows x) as reported_flows,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from contingent_strengths x) as contingent_strengths,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from reimbursement_claims x) as reimbursement_claims,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from claim_equipment_lines x) as claim_equipment_lines,
    (select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from claim_events x) as claim_events,
    -- last_used_at moves whenever a token is used, which is a read, not a write.
    (select md5(coalesce(string_agg((x.id, x.user_id, x.name, x.token_hash, x.scopes, x.created_at, x.expires_at, x.revoked_at)::text, '|' order by x.id), ''))
       from api_tokens x) as api_tokens,
    (select count(*)::int from sign_in_attempts) as sign_in_attempts,
    (select count(*)::int from audit_log) as audit_rows`;

type Fingerprint = Record<string, string | number>;
const fingerprint = async () => (await t.db.query<Fingerprint>(FINGERPRINT)).rows[0];

async function auditedActions(response: Response): Promise<string[]> {
  const rows = await t.db.query<{ action: string }>(`select action from audit_log where request_id = $1 order by id`, [
    response.headers['x-request-id'],
  ]);
  return rows.rows.map((row) => row.action);
}

// ---------------------------------------------------------------------------------------
// Sending

async function resolvePlaceholders(body: unknown): Promise<unknown> {
  if (body === CURRENT_CODE || body === NEXT_CODE) {
    const row = await t.db.query<{ totp_secret: string | null }>('select totp_secret from users where id = $1', [t.admin.id]);
    const secret = row.rows[0].totp_secret;
    return secret ? totpCode(secret, Date.now() + (body === NEXT_CODE ? 30_000 : 0)) : '000000';
  }
  if (Array.isArray(body)) return Promise.all(body.map(resolvePlaceholders));
  if (body && typeof body === 'object') {
    return Object.fromEntries(await Promise.all(Object.entries(body).map(async ([k, v]) => [k, await resolvePlaceholders(v)])));
  }
  return body;
}

/** Gets a request ready; what it needs beforehand (a session to end) happens before the fingerprint. */
async function prepare(route: RouteEntry, params: Record<string, string>, rawBody: unknown): Promise<() => Promise<Response>> {
  const url = route.url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name]));
  const resolved = rawBody === NO_BODY ? undefined : await resolvePlaceholders(rawBody);
  // The client sends a string body as it is; everything here is JSON.
  const payload = resolved === undefined ? undefined : JSON.stringify(resolved);
  const key = keyOf(route);
  if (key === 'POST /api/auth/sign-in') {
    // A new address each time, so failed attempts never lock the address out for the rest.
    const remoteAddress = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    return async () => {
      const response = await t.app.inject({
        method: 'POST',
        url,
        remoteAddress,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        payload,
      });
      let body: unknown = response.body;
      try {
        body = response.body ? JSON.parse(response.body) : null;
      } catch {}
      return { status: response.statusCode, body, headers: response.headers as Response['headers'] };
    };
  }
  if (key === 'POST /api/auth/sign-out') {
    // Signing out ends the session that sends it: a session of its own each time, not the administrator's.
    const client = new Client(t.app);
    const signedIn = await client.signIn(signOutUser.email, signOutUser.password);
    if (signedIn.status !== 200) throw new Error(`sign-in before sign-out: ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
    return () => client.request(route.method, url, payload);
  }
  const headers: Record<string, string> = route.idempotent ? { 'idempotency-key': randomUUID() } : {};
  return () => t.admin.client.request(route.method, url, payload, headers);
}

/** A failed sign-in is recorded on purpose: one attempt and one audit row, nothing else. */
function allowedFailureWrites(route: RouteEntry, response: Response): { audit: string[]; signInAttempts: number } {
  const failedSignIn =
    keyOf(route) === 'POST /api/auth/sign-in' && ['auth.invalid-credentials', 'auth.totp-invalid'].includes(response.body?.code);
  if (failedSignIn) return { audit: ['auth.sign-in.fail'], signInAttempts: 1 };
  // A refused import keeps nothing but is recorded and audited, as every import is.
  if (response.body?.code === 'funding.import-refused') return { audit: ['funding.import.refused'], signInAttempts: 0 };
  return { audit: [], signInAttempts: 0 };
}

async function restoreAdmin() {
  // A generated body may guess the administrator's password and change it: put it back so
  // later runs can guess it too. Likewise forget the last one-time code used, so a later
  // run's current code is accepted. Nothing here is compared across runs.
  await t.db.query('update users set password_hash = $1, totp_last_step = null where id = $2', [adminPasswordHash, t.admin.id]);
}

// ---------------------------------------------------------------------------------------
// The properties

describe('writes with arbitrary input, as the administrator', () => {
  it('has write routes to test', () => {
    expect(writes.length).toBeGreaterThan(10);
  });

  const seen = new Map<string, Set<number>>();

  for (const route of writes) {
    const key = keyOf(route);
    it(`${key}: never answers 5xx, writes nothing when it answers 4xx, and audits every 2xx`, { timeout: 120_000 }, async () => {
      const statuses = new Set<number>();
      seen.set(key, statuses);
      await fc.assert(
        fc.asyncProperty(paramsArbitrary(route), bodyArbitrary(route), async (params, body) => {
          const fire = await prepare(route, params, body);
          const before = await fingerprint();
          const response = await fire();
          const context = `${key} ${JSON.stringify(params)} ${body === NO_BODY ? '(no body)' : JSON.stringify(body)?.slice(0, 400)} → ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`;
          statuses.add(response.status);
          try {
            expect(response.status, context).toBeLessThan(500);
            expect(response.status, context).toBeGreaterThanOrEqual(200);
            const actions = await auditedActions(response);
            if (response.status < 300) {
              expect(actions.length, `${context}: a successful write is audited`).toBeGreaterThan(0);
              return;
            }
            const allowed = allowedFailureWrites(route, response);
            const after = await fingerprint();
            expect(actions, `${context}: a refused write is not audited`).toEqual(allowed.audit);
            expect(after, `${context}: a refused write changes nothing`).toEqual({
              ...before,
              audit_rows: Number(before.audit_rows) + allowed.audit.length,
              sign_in_attempts: Number(before.sign_in_attempts) + allowed.signInAttempts,
            });
          } finally {
            await restoreAdmin();
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }

  it('reached both successes and refusals across the routes', () => {
    // Guards against a property that holds only because every request was refused
    // (or every one accepted); each route alone may legitimately see one kind only.
    // Meaningful only when every route above ran (not under a name filter).
    if (seen.size !== writes.length) return;
    const all = [...seen.values()].flatMap((statuses) => [...statuses]);
    expect(all.some((status) => status < 300)).toBe(true);
    expect(all.some((status) => status >= 400)).toBe(true);
    const alwaysRefused = [...seen].filter(([, statuses]) => [...statuses].every((status) => status >= 400)).map(([key]) => key);
    expect(alwaysRefused.length, `routes that never succeeded: ${alwaysRefused.join(', ')}`).toBeLessThanOrEqual(writes.length / 3);
  });
});

describe('read-only POSTs with arbitrary input, as the administrator', () => {
  it('has the what-if among them', () => {
    expect(readOnlyPosts.map(keyOf)).toContain('POST /api/conditions/what-if');
  });

  for (const route of readOnlyPosts) {
    const key = keyOf(route);
    it(`${key}: never answers 5xx and writes nothing, not even an audit row`, { timeout: 120_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(paramsArbitrary(route), bodyArbitrary(route), async (params, body) => {
          const fire = await prepare(route, params, body);
          const before = await fingerprint();
          const response = await fire();
          const context = `${key} ${body === NO_BODY ? '(no body)' : JSON.stringify(body)?.slice(0, 400)} → ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`;
          expect(response.status, context).toBeLessThan(500);
          expect(await fingerprint(), context).toEqual(before);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }
});

describe('a PATCH changes only the fields it names', () => {
  // In zod 4 a field with .default() keeps its default under .partial(): update schemas
  // must be built without defaults, or a PATCH resets what it leaves out.
  it('renaming a restricted place keeps it restricted, with its properties and sharing', async () => {
    const place = await t.admin.client.post('/api/places', {
      kind: 'site',
      code: t.unique('partial').toLowerCase(),
      nameEn: 'Depot',
      nameAr: 'مستودع',
      geometry: { type: 'Point', coordinates: [34.4, 31.4] },
      classification: 'restricted',
      properties: { capacity: 40 },
      sharedWith: [pools.organisations[0]],
    });
    const renamed = await t.admin.client.patch(`/api/places/${place.body.id}`, { nameEn: 'Depot 2' });
    expect([place.status, renamed.status]).toEqual([201, 200]);
    expect(renamed.body).toMatchObject({
      nameEn: 'Depot 2',
      classification: 'restricted',
      properties: { capacity: 40 },
      sharedWith: [pools.organisations[0]],
    });
  });

  it("changing an organisation's Arabic name keeps its second-factor requirement", async () => {
    const organisation = await t.organisation('donor', { requireTotp: true });
    const changed = await t.admin.client.patch(`/api/organisations/${organisation.id}`, { nameAr: 'مانح' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ nameAr: 'مانح', requireTotp: true });
  });

  it('renaming a role keeps its description', async () => {
    const key = t.unique('partial').replaceAll('-', '_');
    const role = await t.admin.client.post('/api/roles', {
      key,
      nameEn: 'Partial',
      nameAr: 'جزئي',
      description: 'Keeps this',
      permissions: [],
    });
    const changed = await t.admin.client.patch(`/api/roles/${key}`, { nameEn: 'Partial 2' });
    expect([role.status, changed.status]).toEqual([201, 200]);
    expect(changed.body).toMatchObject({ nameEn: 'Partial 2', description: 'Keeps this' });
  });

  it("changing a user's locale keeps their name, organisation and roles", async () => {
    const user = await t.admin.client.get(`/api/users/${pools.users[1]}`);
    const changed = await t.admin.client.patch(`/api/users/${pools.users[1]}`, { locale: user.body.locale === 'en' ? 'ar' : 'en' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: user.body.name, organisation: user.body.organisation, roles: user.body.roles });
  });
});
