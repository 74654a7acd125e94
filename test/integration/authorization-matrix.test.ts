/**
 * The authorization matrix: every /api route in the app's route table, called by an
 * anonymous client, by one signed-in user per built-in role (each in an organisation of
 * its own), by an administrator whose organisation requires a second factor they have
 * not enrolled, and by API tokens. The expected answer comes from the route's declared
 * access policy, so a new route without a sample request below fails this file, and so
 * does a route whose behaviour drifts from its declaration.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/server/app.ts';
import { totpCode } from '../../src/server/modules/auth/credentials.ts';
import type { OrganisationType } from '../../src/shared/organisations.ts';
import { BUILTIN_ROLES, PERMISSION_KEYS, type Permission } from '../../src/shared/permissions.ts';
import { Client, type Response, startTestApp, type TestUser } from '../support/test-app.ts';

// Built before the tests are collected: the route table decides which tests exist.
const t = await startTestApp();
afterAll(() => t.close());

type Access = RouteEntry['access'];
interface Route extends RouteEntry {
  key: string;
}
const routes: Route[] = t.app.routeTable.map((route) => ({ ...route, key: `${route.method} ${route.url}` }));

const READS = new Set(['GET', 'HEAD']);
const PASSWORD = 'correct horse battery';

// ---------------------------------------------------------------------------------------
// Callers

interface Caller {
  name: string;
  kind: 'anonymous' | 'session' | 'token';
  permissions: ReadonlySet<Permission>;
  /** Signed in, but their organisation requires a second factor they have not enrolled. */
  awaitingTotp: boolean;
  user: TestUser | null;
  /** The client that makes this caller's requests (a fresh one each time for anonymous). */
  client(): Client;
}

/** Where each built-in role's user works. A role not listed here sits in an observer organisation. */
const ORGANISATION_OF_ROLE: Record<string, OrganisationType> = {
  admin: 'force_headquarters',
  auditor: 'observer',
  donor_officer: 'donor',
  force_planner: 'force_headquarters',
  contributor_liaison: 'contributing_country',
  humanitarian: 'humanitarian',
  political_officer: 'authority',
  field_reporter: 'humanitarian',
  finance_officer: 'force_headquarters',
};

const AWAITING_TOTP = 'admin awaiting TOTP enrolment';

function sessionCaller(name: string, permissions: Iterable<Permission>, awaitingTotp = false): Caller {
  return {
    name,
    kind: 'session',
    permissions: new Set(permissions),
    awaitingTotp,
    user: null,
    client() {
      if (!this.user) throw new Error(`${name} is not signed in: the setup did not finish.`);
      return this.user.client;
    },
  };
}

// Known before the tests are collected, so each test's name can say what it expects; the
// users themselves are made and signed in once, in beforeAll.
const CALLERS: Caller[] = [
  { name: 'anonymous', kind: 'anonymous', permissions: new Set(), awaitingTotp: false, user: null, client: () => t.client() },
  ...BUILTIN_ROLES.map((role) => sessionCaller(role.key, role.permissions)),
  sessionCaller(AWAITING_TOTP, BUILTIN_ROLES.find((role) => role.key === 'admin')!.permissions, true),
];
const caller = (name: string): Caller => CALLERS.find((c) => c.name === name)!;

function tokenCaller(name: string, user: TestUser, token: string, scopes: Permission[]): Caller {
  const client = new Client(t.app);
  client.bearer = token;
  return { name, kind: 'token', permissions: new Set(scopes), awaitingTotp: false, user, client: () => client };
}

type Expectation = { outcome: 'admitted' } | { outcome: 'refused'; status: 401 | 403; code: string };

/** What the route's declared access policy says this caller gets. */
function expectationFor(who: Caller, access: Access): Expectation {
  if ('public' in access) return { outcome: 'admitted' };
  if (who.kind === 'anonymous') return { outcome: 'refused', status: 401, code: 'auth.unauthenticated' };
  if (who.awaitingTotp && !('signedIn' in access && access.duringTotpEnrolment)) {
    return { outcome: 'refused', status: 403, code: 'auth.totp-enrolment-required' };
  }
  if ('permission' in access && !who.permissions.has(access.permission)) return { outcome: 'refused', status: 403, code: 'auth.forbidden' };
  return { outcome: 'admitted' };
}

// ---------------------------------------------------------------------------------------
// Sample requests, one per route

interface Target {
  url: string;
  body?: unknown;
  /** Send from this client instead of the caller's own (e.g. a second session of the same user). */
  client?: Client;
  /** The body's media type when it is not JSON (a string body is sent as it is). */
  contentType?: string;
  cleanup?: () => Promise<void>;
}

interface Sample {
  /**
   * Builds a valid request. `admitted` says whether the caller passes access control:
   * only then does the handler run, so only then are fresh records made for it to change.
   */
  request?: (who: Caller, admitted: boolean) => Promise<Target> | Target;
  /** The status of a successful call; 200 unless given. */
  status?: number;
  /**
   * For routes that address one record: whose it is. Records owned by an organisation or
   * a user need cross-owner cases (CROSS_OWNER below); 'none' marks shared directories.
   */
  owner?: 'organisation' | 'user' | 'none';
  /**
   * A refusal by the handler of a caller that passes access control, where a domain rule
   * decides (e.g. only a contributing country drafts its claims): what that caller gets.
   */
  refusedFor?: (who: Caller) => { status: number; code: string } | undefined;
}

const RANDOM_ID = '6f1d2c3b-4a59-4e8f-9a7b-1c2d3e4f5a6b';

interface Fixtures {
  organisationId: string;
  userId: string;
  signInUser: TestUser;
  missionPlaceId: string;
  stakeholderId: string;
  conditionId: string;
  commitmentId: string;
  instrumentId: string;
  budgetLineId: string;
  pledgeId: string;
  trancheId: string;
  receiptId: string;
  claimId: string;
}
let fx: Fixtures;

function placeBody(code = t.unique('matrix-place').toLowerCase(), extra: Record<string, unknown> = {}) {
  return { kind: 'site', code, nameEn: 'Matrix site', nameAr: 'موقع', geometry: { type: 'Point', coordinates: [34.45, 31.5] }, ...extra };
}

function stakeholderBody(extra: Record<string, unknown> = {}) {
  return { name: t.unique('Matrix stakeholder'), kind: 'government', ...extra };
}

function conditionBody(extra: Record<string, unknown> = {}) {
  return { code: t.unique('matrix-condition').toLowerCase(), titleEn: 'Matrix condition', titleAr: 'شرط', ...extra };
}

function commitmentBody(extra: Record<string, unknown> = {}) {
  return { stakeholderId: fx.stakeholderId, titleEn: 'Matrix offer', titleAr: 'عرض', moneyUsd: '100.00', gate: fx.conditionId, ...extra };
}

function instrumentBody(who: Caller | TestUser, extra: Record<string, unknown> = {}) {
  const user = 'client' in who && typeof who.client === 'function' ? (who as Caller).user! : (who as TestUser);
  return { donorOrgId: user.organisationId, name: t.unique('Matrix instrument'), kind: 'grant', ...extra };
}

function pledgeBody(instrumentId: string, extra: Record<string, unknown> = {}) {
  return {
    instrumentId,
    title: 'Matrix pledge',
    amount: '100.00',
    currency: 'USD',
    pledgedOn: '2026-01-01',
    tranches: [{ amount: '100.00', gate: fx.conditionId }],
    ...extra,
  };
}

const posting = (extra: Record<string, unknown> = {}) => ({
  instrumentId: fx.instrumentId,
  amount: '1.00',
  valueDate: '2026-02-01',
  ...extra,
});

/** Finance at force headquarters, for money movements a sample needs before its own. */
const financeClient = () => caller('finance_officer').client();

const EVIDENCE = { datedOn: '2025-11-17', status: 'met', source: 'Matrix source' };
const POSITION = { topic: 'matrix', stance: 'supports', statedOn: '2025-11-17', source: 'Matrix source' };

async function okBody(response: Response, what: string) {
  if (response.status !== 201 && response.status !== 200) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

async function freshUser(): Promise<string> {
  return (await t.user(['field_reporter'], fx.organisationId, false)).id;
}

/** A second session of the caller's own user, so ending or replacing it leaves theirs alone. */
async function secondSession(who: Caller): Promise<Client> {
  const client = new Client(t.app);
  const response = await client.signIn(who.user!.email, who.user!.password);
  if (response.status !== 200) throw new Error(`second sign-in of ${who.name}: ${response.status} ${JSON.stringify(response.body)}`);
  return client;
}

async function resetTotp(userId: string) {
  await t.db.query('update users set totp_secret = null, totp_enabled_at = null, totp_last_step = null where id = $1', [userId]);
}

const FORBIDDEN = { status: 403, code: 'auth.forbidden' };

/** Whether a caller works at force headquarters (tokens here are all the administrator's). */
const atHeadquarters = (who: Caller) =>
  who.kind === 'token' || who.name === AWAITING_TOTP || ORGANISATION_OF_ROLE[who.name] === 'force_headquarters';
/** The mission's finance staff: funding.post at force headquarters (funding.policy.ts). */
const isFinanceStaff = (who: Caller) => who.kind !== 'anonymous' && who.permissions.has('funding.post') && atHeadquarters(who);

const instrumentOfOrganisation = new Map<string, string>();
/**
 * An instrument the caller may record money on: money is recorded in a donor's name only by
 * that donor or by the mission's finance staff, so a caller that is neither gets one of its
 * own organisation's, made once.
 */
async function moneyInstrument(who: Caller, admitted: boolean): Promise<string> {
  if (!admitted || !who.user || isFinanceStaff(who) || who.user.organisationId === caller('donor_officer').user!.organisationId)
    return fx.instrumentId;
  const org = who.user.organisationId;
  if (!instrumentOfOrganisation.has(org))
    instrumentOfOrganisation.set(
      org,
      (await okBody(await who.client().post('/api/funding/instruments', instrumentBody(who)), 'instrument')).id,
    );
  return instrumentOfOrganisation.get(org)!;
}

/** An open alert to acknowledge: ten refused requests from a user of its own. */
async function freshAlert(): Promise<string> {
  const user = await t.user(['field_reporter']);
  for (let i = 0; i < 10; i++) await user.client.get('/api/users');
  const alerts = await t.admin.client.get('/api/security/alerts?status=open&pageSize=100');
  return alerts.body.items.find((alert: { subject: string }) => alert.subject === user.email).id;
}

/** The liaison of a contributing country, signed in: it drafts and submits its own claims. */
const isCountry = (who: Caller) => who.name === 'contributor_liaison' && who.kind === 'session';

/** Strength figures and claims are a contributing country's, or entered for one by finance (funding.post). */
const unlessCountryOrFinance = (who: Caller) => (isCountry(who) || who.permissions.has('funding.post') ? undefined : FORBIDDEN);

/** Finance names the country it acts for; a country acts for itself. */
const countryIfFinance = (who: Caller): Record<string, string> =>
  isCountry(who) ? {} : { countryOrgId: caller('contributor_liaison').user!.organisationId };

function claimBody(extra: Record<string, unknown> = {}) {
  return {
    contingent: t.unique('Matrix contingent'),
    month: '2026-01',
    instrumentId: fx.instrumentId,
    budgetLineId: fx.budgetLineId,
    personnelDays: 30,
    ...extra,
  };
}

const docs: Sample = {};
const SAMPLES: Record<string, Sample> = {
  'GET /api/docs': docs,
  'GET /api/docs/static/index.html': { status: 302 },
  'GET /api/docs/static/swagger-initializer.js': docs,
  'GET /api/docs/json': docs,
  'GET /api/docs/yaml': docs,
  'GET /api/docs/static/*': { request: () => ({ url: '/api/docs/static/swagger-ui.css' }) },
  'GET /api/openapi.json': {},
  'GET /api/health': {},
  'GET /api/config': {},
  'GET /api/problems': {},
  'GET /api/geo/governorates': {},
  'GET /api/geo/crossings': {},

  'POST /api/auth/sign-in': {
    request: async (who) => {
      if (!who.user) return { url: '/api/auth/sign-in', body: { email: fx.signInUser.email, password: fx.signInUser.password } };
      // Signing in again from a session replaces that session; use a second one.
      return { url: '/api/auth/sign-in', body: { email: who.user.email, password: who.user.password }, client: await secondSession(who) };
    },
  },
  'POST /api/auth/sign-out': {
    status: 204,
    request: async (who, admitted) =>
      admitted && who.user ? { url: '/api/auth/sign-out', client: await secondSession(who) } : { url: '/api/auth/sign-out' },
  },
  'GET /api/auth/session': {},
  'PATCH /api/auth/me': { request: () => ({ url: '/api/auth/me', body: { locale: 'en' } }) },
  'POST /api/auth/password': {
    status: 204,
    // The same password again: a valid change that keeps the caller's credentials usable.
    request: (who) => ({
      url: '/api/auth/password',
      body: { currentPassword: who.user?.password ?? PASSWORD, newPassword: who.user?.password ?? PASSWORD },
    }),
  },
  'POST /api/auth/totp/enrol': {
    request: (who, admitted) => ({
      url: '/api/auth/totp/enrol',
      cleanup: admitted && who.user ? () => resetTotp(who.user!.id) : undefined,
    }),
  },
  'POST /api/auth/totp/confirm': {
    request: async (who, admitted) => {
      if (!admitted || !who.user) return { url: '/api/auth/totp/confirm', body: { code: '123456' } };
      const { secret } = await okBody(await who.client().post('/api/auth/totp/enrol'), 'enrol');
      // Confirming changes who needs a code at sign-in; later cases sign this user in again.
      return { url: '/api/auth/totp/confirm', body: { code: totpCode(secret) }, cleanup: () => resetTotp(who.user!.id) };
    },
  },
  'POST /api/auth/totp/disable': {
    request: async (who, admitted) => {
      if (!admitted || !who.user) return { url: '/api/auth/totp/disable', body: { code: '123456' } };
      const { secret } = await okBody(await who.client().post('/api/auth/totp/enrol'), 'enrol');
      await okBody(await who.client().post('/api/auth/totp/confirm', { code: totpCode(secret) }), 'confirm');
      // The next time step's code: the current one was just used, and codes are single-use.
      return {
        url: '/api/auth/totp/disable',
        body: { code: totpCode(secret, Date.now() + 30_000) },
        cleanup: () => resetTotp(who.user!.id),
      };
    },
  },

  'GET /api/tokens': {},
  'POST /api/tokens': { status: 201, request: () => ({ url: '/api/tokens', body: { name: 'matrix', scopes: ['places.read'] } }) },
  'DELETE /api/tokens/:id': {
    status: 204,
    owner: 'user',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/tokens/${RANDOM_ID}` };
      const token = await okBody(await who.client().post('/api/tokens', { name: 'to revoke', scopes: ['places.read'] }), 'token');
      return { url: `/api/tokens/${token.id}` };
    },
  },

  'GET /api/organisations': {},
  'GET /api/organisations/:id': { owner: 'none', request: () => ({ url: `/api/organisations/${fx.organisationId}` }) },
  'POST /api/organisations': {
    status: 201,
    request: () => ({ url: '/api/organisations', body: { name: t.unique('Matrix org'), type: 'observer' } }),
  },
  'PATCH /api/organisations/:id': {
    owner: 'none',
    request: async (_who, admitted) => ({
      url: `/api/organisations/${admitted ? (await t.organisation('observer')).id : fx.organisationId}`,
      body: { nameAr: 'منظمة' },
    }),
  },

  'GET /api/users': {},
  // Everyone sees the people of their own organisation: themselves, at least (who sees whom: the cross-owner cases).
  'GET /api/users/:id': { owner: 'organisation', request: (who) => ({ url: `/api/users/${who.user?.id ?? fx.userId}` }) },
  'POST /api/users': {
    status: 201,
    request: () => ({
      url: '/api/users',
      body: {
        email: `${t.unique('matrix')}@test.example`,
        name: 'Matrix user',
        organisationId: fx.organisationId,
        roles: ['field_reporter'],
        password: PASSWORD,
      },
    }),
  },
  'PATCH /api/users/:id': {
    owner: 'none',
    request: async (_who, admitted) => ({ url: `/api/users/${admitted ? await freshUser() : fx.userId}`, body: { locale: 'ar' } }),
  },
  'POST /api/users/:id/disable': {
    owner: 'none',
    request: async (_who, admitted) => ({ url: `/api/users/${admitted ? await freshUser() : fx.userId}/disable` }),
  },
  'POST /api/users/:id/enable': {
    owner: 'none',
    request: async (_who, admitted) => {
      if (!admitted) return { url: `/api/users/${fx.userId}/enable` };
      const id = await freshUser();
      await okBody(await t.admin.client.post(`/api/users/${id}/disable`), 'disable');
      return { url: `/api/users/${id}/enable` };
    },
  },
  'POST /api/users/:id/reset-password': {
    owner: 'none',
    request: async (_who, admitted) => ({ url: `/api/users/${admitted ? await freshUser() : fx.userId}/reset-password`, body: {} }),
  },

  'GET /api/roles': {},
  'POST /api/roles': {
    status: 201,
    request: () => ({
      url: '/api/roles',
      body: { key: t.unique('matrix').replaceAll('-', '_'), nameEn: 'Matrix', nameAr: 'مصفوفة', permissions: ['places.read'] },
    }),
  },
  'PATCH /api/roles/:key': {
    owner: 'none',
    request: async (_who, admitted) => {
      if (!admitted) return { url: '/api/roles/field_reporter', body: { description: 'changed' } };
      const role = await okBody(
        await t.admin.client.post('/api/roles', {
          key: t.unique('target').replaceAll('-', '_'),
          nameEn: 'Target',
          nameAr: 'هدف',
          permissions: [],
        }),
        'role',
      );
      return { url: `/api/roles/${role.key}`, body: { description: 'changed' } };
    },
  },

  'GET /api/audit': {},
  'GET /api/audit/verify': {},
  'GET /api/audit/checkpoints': {},
  // No sealer runs over this file's database: the tree is empty, so the handlers refuse these.
  'GET /api/audit/checkpoints/consistency': {
    request: () => ({ url: '/api/audit/checkpoints/consistency?first=1&second=1' }),
    refusedFor: () => ({ status: 400, code: 'request.invalid' }),
  },
  'GET /api/audit/:id/inclusion': {
    owner: 'none',
    request: async () => {
      const { rows } = await t.db.query<{ id: number }>('select max(id) as id from audit_log');
      return { url: `/api/audit/${rows[0].id}/inclusion` };
    },
    refusedFor: () => ({ status: 409, code: 'audit.not-sealed' }),
  },

  'GET /api/places': {},
  'GET /api/places/:id': { owner: 'organisation', request: () => ({ url: `/api/places/${fx.missionPlaceId}` }) },
  'POST /api/places': { status: 201, request: () => ({ url: '/api/places', body: placeBody() }) },
  'PATCH /api/places/:id': {
    owner: 'organisation',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/places/${fx.missionPlaceId}`, body: { nameEn: 'Renamed' } };
      // A place of the caller's own organisation: only its owner may change it.
      const place = await okBody(await who.client().post('/api/places', placeBody()), 'place');
      return { url: `/api/places/${place.id}`, body: { nameEn: 'Renamed' } };
    },
  },

  'GET /api/stakeholders': {},
  'GET /api/stakeholders/:id': { owner: 'organisation', request: () => ({ url: `/api/stakeholders/${fx.stakeholderId}` }) },
  'POST /api/stakeholders': { status: 201, request: () => ({ url: '/api/stakeholders', body: stakeholderBody() }) },
  'PATCH /api/stakeholders/:id': {
    owner: 'organisation',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/stakeholders/${fx.stakeholderId}`, body: { name: 'Renamed' } };
      const created = await okBody(await who.client().post('/api/stakeholders', stakeholderBody()), 'stakeholder');
      return { url: `/api/stakeholders/${created.id}`, body: { name: t.unique('Renamed') } };
    },
  },
  'GET /api/stakeholders/:id/positions': {
    owner: 'organisation',
    request: () => ({ url: `/api/stakeholders/${fx.stakeholderId}/positions?asOf=2026-01-01` }),
  },
  'POST /api/stakeholders/:id/positions': {
    status: 201,
    owner: 'organisation',
    request: () => ({ url: `/api/stakeholders/${fx.stakeholderId}/positions`, body: POSITION }),
  },
  'GET /api/conditions': {},
  'GET /api/conditions/analysis': { request: () => ({ url: '/api/conditions/analysis?asOf=2026-01-01' }) },
  'POST /api/conditions/what-if': { request: () => ({ url: '/api/conditions/what-if', body: { statuses: { [fx.conditionId]: 'met' } } }) },
  'GET /api/conditions/analysis/gates': { request: () => ({ url: '/api/conditions/analysis/gates?open=false&page=1' }) },
  'GET /api/conditions/earliest-opening': {},
  'GET /api/conditions/graph': { request: () => ({ url: '/api/conditions/graph?asOf=2026-01-01' }) },
  'GET /api/conditions/:id/gates': {
    owner: 'organisation',
    request: () => ({ url: `/api/conditions/${fx.conditionId}/gates?relation=unlocks` }),
  },
  'GET /api/conditions/:id': { owner: 'organisation', request: () => ({ url: `/api/conditions/${fx.conditionId}` }) },
  'POST /api/conditions': { status: 201, request: () => ({ url: '/api/conditions', body: conditionBody() }) },
  'PATCH /api/conditions/:id': {
    owner: 'organisation',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/conditions/${fx.conditionId}`, body: { titleEn: 'Renamed' } };
      const created = await okBody(await who.client().post('/api/conditions', conditionBody()), 'condition');
      return { url: `/api/conditions/${created.id}`, body: { titleEn: 'Renamed', requires: fx.conditionId } };
    },
  },
  'POST /api/conditions/:id/evidence': {
    status: 201,
    owner: 'organisation',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/conditions/${fx.conditionId}/evidence`, body: EVIDENCE };
      const created = await okBody(await who.client().post('/api/conditions', conditionBody()), 'condition');
      return { url: `/api/conditions/${created.id}/evidence`, body: EVIDENCE };
    },
  },
  'GET /api/commitments': {},
  'GET /api/commitments/:id': { owner: 'organisation', request: () => ({ url: `/api/commitments/${fx.commitmentId}` }) },
  'POST /api/commitments': { status: 201, request: () => ({ url: '/api/commitments', body: commitmentBody() }) },
  'PATCH /api/commitments/:id': {
    owner: 'organisation',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/commitments/${fx.commitmentId}`, body: { titleEn: 'Renamed' } };
      const created = await okBody(await who.client().post('/api/commitments', commitmentBody()), 'commitment');
      return { url: `/api/commitments/${created.id}`, body: { personnel: 800, gate: null } };
    },
  },

  'GET /api/funding/rates': {},
  'POST /api/funding/rates': {
    status: 201,
    request: () => ({ url: '/api/funding/rates', body: { currency: 'EUR', rateDate: uniqueDate(), usdPerUnit: '1.08', source: 'Matrix' } }),
  },
  'GET /api/funding/instruments': {},
  'GET /api/funding/instruments/:id': { owner: 'organisation', request: () => ({ url: `/api/funding/instruments/${fx.instrumentId}` }) },
  'POST /api/funding/instruments': {
    status: 201,
    request: (who) => ({ url: '/api/funding/instruments', body: instrumentBody(who.user ? who : caller('donor_officer')) }),
  },
  'PATCH /api/funding/instruments/:id': {
    owner: 'organisation',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/funding/instruments/${fx.instrumentId}`, body: { name: 'Renamed' } };
      const created = await okBody(await who.client().post('/api/funding/instruments', instrumentBody(who)), 'instrument');
      return { url: `/api/funding/instruments/${created.id}`, body: { restrictions: ['vetting'] } };
    },
  },
  'GET /api/funding/budget-lines': {},
  'GET /api/funding/budget-lines/:id': { owner: 'none', request: () => ({ url: `/api/funding/budget-lines/${fx.budgetLineId}` }) },
  'POST /api/funding/budget-lines': {
    status: 201,
    request: () => ({ url: '/api/funding/budget-lines', body: budgetLineBody() }),
  },
  'POST /api/funding/budget-lines/:id/revisions': {
    owner: 'none',
    status: 201,
    request: () => ({ url: `/api/funding/budget-lines/${fx.budgetLineId}/revisions`, body: { amountUsd: '2000000.00', reason: 'Matrix' } }),
  },
  'GET /api/funding/pledges': {},
  'GET /api/funding/pledges/:id': { owner: 'organisation', request: () => ({ url: `/api/funding/pledges/${fx.pledgeId}` }) },
  'POST /api/funding/pledges': {
    status: 201,
    request: async (who, admitted) => ({ url: '/api/funding/pledges', body: pledgeBody(await moneyInstrument(who, admitted)) }),
  },
  'PATCH /api/funding/pledges/:id': {
    owner: 'organisation',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/funding/pledges/${fx.pledgeId}`, body: { title: 'Renamed' } };
      const created = await okBody(
        await who.client().post('/api/funding/pledges', pledgeBody(await moneyInstrument(who, admitted))),
        'pledge',
      );
      return { url: `/api/funding/pledges/${created.id}`, body: { title: 'Renamed', classification: 'restricted' } };
    },
  },
  'GET /api/funding/tranches/:id': { owner: 'organisation', request: () => ({ url: `/api/funding/tranches/${fx.trancheId}` }) },
  'PATCH /api/funding/tranches/:id': {
    owner: 'organisation',
    request: async (who, admitted) => {
      if (!admitted) return { url: `/api/funding/tranches/${fx.trancheId}`, body: { note: 'Changed' } };
      const created = await okBody(
        await who.client().post('/api/funding/pledges', pledgeBody(await moneyInstrument(who, admitted))),
        'pledge',
      );
      return { url: `/api/funding/tranches/${created.tranches[0].id}`, body: { gate: null, expectedOn: '2026-06-01' } };
    },
  },
  'GET /api/funding/agreements': {},
  'POST /api/funding/agreements': {
    status: 201,
    request: async (who, admitted) => ({
      url: '/api/funding/agreements',
      body: {
        instrumentId: await moneyInstrument(who, admitted),
        reference: 'Matrix agreement',
        amount: '50.00',
        currency: 'USD',
        signedOn: '2026-01-05',
      },
    }),
  },
  'POST /api/funding/receipts': { status: 201, request: () => ({ url: '/api/funding/receipts', body: posting() }) },
  'POST /api/funding/allocations': {
    status: 201,
    request: () => ({ url: '/api/funding/allocations', body: posting({ budgetLineId: fx.budgetLineId }) }),
  },
  'POST /api/funding/disbursements': {
    status: 201,
    request: () => ({
      url: '/api/funding/disbursements',
      body: posting({ budgetLineId: fx.budgetLineId, payeeOrgId: fx.organisationId }),
    }),
  },
  'POST /api/funding/expenditures': {
    status: 201,
    request: async (who, admitted) => {
      const payeeOrgId = who.user?.organisationId ?? fx.organisationId;
      const body = posting({ budgetLineId: fx.budgetLineId, payeeOrgId });
      // The caller's organisation is first paid what it then reports spending.
      if (admitted) await okBody(await financeClient().post('/api/funding/disbursements', body), 'disbursement');
      return { url: '/api/funding/expenditures', body };
    },
  },
  'POST /api/funding/transactions/:id/reversal': {
    owner: 'none',
    status: 201,
    request: async (_who, admitted) => {
      if (!admitted) return { url: `/api/funding/transactions/${fx.receiptId}/reversal`, body: { reason: 'Matrix' } };
      const receipt = await okBody(await financeClient().post('/api/funding/receipts', posting()), 'receipt');
      return { url: `/api/funding/transactions/${receipt.id}/reversal`, body: { reason: 'Matrix' } };
    },
  },
  'GET /api/funding/transactions': {},
  'GET /api/funding/transactions/:id': { owner: 'none', request: () => ({ url: `/api/funding/transactions/${fx.receiptId}` }) },
  'GET /api/funding/overview': {},
  // Every organisation reads its own statement (another donor's is refused: funding-statement.test.ts).
  'GET /api/funding/statements': {
    request: (who) => ({ url: `/api/funding/statements?donorOrgId=${who.user?.organisationId ?? fx.organisationId}` }),
  },
  'GET /api/funding/ledger/check': {
    // The mission's finance staff and auditors check the ledger; other readers are refused.
    refusedFor: (who) => (isFinanceStaff(who) || who.permissions.has('audit.read') ? undefined : FORBIDDEN),
  },
  'GET /api/funding/separation-of-duties': {},
  'PATCH /api/funding/separation-of-duties': {
    // The same settings again: the rules stay as the other cases expect them.
    request: () => ({ url: '/api/funding/separation-of-duties', body: { claimPayerNotSubmitter: true } }),
  },
  'GET /api/security/alerts': { request: () => ({ url: '/api/security/alerts?status=open' }) },
  'GET /api/security/events': {},
  'POST /api/security/alerts/:id/acknowledge': {
    owner: 'none',
    request: async (_who, admitted) => ({ url: `/api/security/alerts/${admitted ? await freshAlert() : RANDOM_ID}/acknowledge` }),
  },
  'GET /api/public/funding': {},
  'POST /api/funding/imports/iati': {
    request: () => ({ url: '/api/funding/imports/iati', body: iatiSample(), contentType: 'application/xml' }),
  },
  'POST /api/funding/imports/fts': {
    request: () => ({
      url: '/api/funding/imports/fts',
      body: { data: { flows: [{ id: t.unique('matrix'), status: 'paid', amountUSD: 10, date: '2026-01-01' }] } },
    }),
  },
  'GET /api/funding/imports': {},
  'GET /api/funding/reported-flows': {},
  'GET /api/funding/exports/iati': {},
  'GET /api/funding/exports/hxl': {},
  'GET /api/funding/exports/xlsx': {},
  'GET /api/funding/strengths': {},
  'PUT /api/funding/strengths': {
    refusedFor: unlessCountryOrFinance,
    request: (who) => ({
      url: '/api/funding/strengths',
      body: { contingent: t.unique('Matrix contingent'), month: '2026-01', personnelDays: 100, ...countryIfFinance(who) },
    }),
  },
  'POST /api/funding/strengths/import': {
    refusedFor: unlessCountryOrFinance,
    request: (who) => ({
      url: '/api/funding/strengths/import',
      body: { csv: `contingent,month,personnel_days\n${t.unique('Matrix contingent')},2026-01,100\n`, ...countryIfFinance(who) },
    }),
  },
  'GET /api/funding/claims': {},
  'GET /api/funding/claims/:id': { owner: 'organisation', request: () => ({ url: `/api/funding/claims/${fx.claimId}` }) },
  'POST /api/funding/claims': {
    status: 201,
    refusedFor: unlessCountryOrFinance,
    request: (who) => ({ url: '/api/funding/claims', body: claimBody(countryIfFinance(who)) }),
  },
  'PATCH /api/funding/claims/:id': {
    owner: 'organisation',
    // Only the country that owns a drafted claim changes it; anyone else is refused its claim.
    refusedFor: (who) => (isCountry(who) ? undefined : FORBIDDEN),
    request: async (who, admitted) => {
      if (!admitted || !isCountry(who)) return { url: `/api/funding/claims/${fx.claimId}`, body: { personnelDays: 31 } };
      const created = await okBody(await who.client().post('/api/funding/claims', claimBody()), 'claim');
      return { url: `/api/funding/claims/${created.id}`, body: { personnelDays: 31 } };
    },
  },
  'POST /api/funding/claims/:id/transitions': {
    owner: 'organisation',
    // The country submits its own claim; finance (funding.post) verifies a submitted one; other readers are refused.
    refusedFor: unlessCountryOrFinance,
    request: async (who, admitted) => {
      const liaison = caller('contributor_liaison').client();
      if (admitted && isCountry(who)) {
        const created = await okBody(await liaison.post('/api/funding/claims', claimBody()), 'claim');
        return { url: `/api/funding/claims/${created.id}/transitions`, body: { to: 'submitted' } };
      }
      if (admitted && who.permissions.has('funding.post')) {
        const created = await okBody(await liaison.post('/api/funding/claims', claimBody()), 'claim');
        await okBody(await liaison.post(`/api/funding/claims/${created.id}/transitions`, { to: 'submitted' }), 'submit');
        return { url: `/api/funding/claims/${created.id}/transitions`, body: { to: 'verified' } };
      }
      return { url: `/api/funding/claims/${fx.claimId}/transitions`, body: { to: 'submitted' } };
    },
  },
};

/** A small IATI file with one transaction, different each time so it imports afresh. */
function iatiSample(): string {
  const id = t.unique('XM-MATRIX').replace(/[^A-Za-z0-9-]/g, '');
  return `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03"><iati-activity><iati-identifier>${id}</iati-identifier>
<reporting-org ref="XM-MATRIX" type="10"><narrative>Matrix</narrative></reporting-org>
<title><narrative>Matrix</narrative></title><description><narrative>Matrix</narrative></description>
<participating-org ref="XM-MATRIX" role="1"/><activity-status code="2"/><activity-date type="2" iso-date="2026-01-01"/>
<transaction ref="1"><transaction-type code="1"/><transaction-date iso-date="2026-01-01"/><value currency="USD" value-date="2026-01-01">10</value></transaction>
</iati-activity></iati-activities>`;
}

let dateCounter = 0;
/** A different date on every call, so exchange rates never collide. */
function uniqueDate(): string {
  dateCounter += 1;
  return new Date(Date.UTC(2000, 0, dateCounter)).toISOString().slice(0, 10);
}

function budgetLineBody() {
  return {
    code: t
      .unique('ML')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 30),
    nameEn: 'Matrix line',
    nameAr: 'بند',
    category: 'logistics',
    periodStart: '2026-01-01',
    periodEnd: '2026-12-31',
    amountUsd: '1000000.00',
  };
}

const sampleFor = (route: Route): Sample => {
  const sample = SAMPLES[route.key];
  if (!sample) throw new Error(`No sample request for ${route.key}: add one to SAMPLES in test/integration/authorization-matrix.test.ts.`);
  return sample;
};

async function send(who: Caller, route: Route, admitted: boolean): Promise<Response> {
  const sample = sampleFor(route);
  const target = (await sample.request?.(who, admitted)) ?? { url: route.url };
  try {
    const body = READS.has(route.method) ? undefined : target.body;
    const headers: Record<string, string> = route.idempotent ? { 'idempotency-key': randomUUID() } : {};
    if (target.contentType) headers['content-type'] = target.contentType;
    return await (target.client ?? who.client()).request(route.method, target.url, body, headers);
  } finally {
    await target.cleanup?.();
  }
}

/** The refusal the security log holds for a response: its code and detail, with who and from where. */
async function loggedRefusal(response: Response) {
  const rows = await t.db.query<{ code: string; detail: string | null; actor_label: string; ip: string }>(
    'select code, detail, actor_label, ip from security_events where request_id = $1',
    [response.headers['x-request-id']],
  );
  return rows.rows[0];
}

async function expectAnswer(who: Caller, route: Route, expected: Expectation, response: Response) {
  const context = `${route.key} as ${who.name} answered ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`;
  if (expected.outcome === 'admitted') {
    const refusal = sampleFor(route).refusedFor?.(who);
    if (refusal) {
      expect(response.status, context).toBe(refusal.status);
      expect(response.body?.code, context).toBe(refusal.code);
      return;
    }
    expect(response.status, context).toBe(sampleFor(route).status ?? 200);
    return;
  }
  expect(response.status, context).toBe(expected.status);
  expect(response.body?.code, context).toBe(expected.code);
  const logged = await loggedRefusal(response);
  if (route.sessionProbe && who.kind === 'anonymous') {
    expect(logged, `${context}: asking whether anyone is signed in is not a refusal to log`).toBeUndefined();
    return;
  }
  expect(logged, `${context}: the refusal is in the security log`).toMatchObject({ code: expected.code, ip: expect.any(String) });
  if (expected.code === 'auth.forbidden' && 'permission' in route.access) expect(logged.detail).toContain(route.access.permission);
}

// ---------------------------------------------------------------------------------------
// Cross-owner cases: a user of another organisation (or another user) addressing an owned record

interface Owned {
  owner: TestUser;
  otherOrg: TestUser;
  sharedOrg: TestUser;
  places: { mission: string; public: string; restricted: string; restrictedShared: string };
  tokenId: string;
  token: string;
}
let owned: Owned;

interface CrossCase {
  name: string;
  who: () => Client;
  place?: keyof Owned['places'];
  /** For records other than places: the address, and the body of a write. */
  url?: () => string;
  body?: unknown;
  status: number;
  code?: string;
  /** The owner's client, to read the record before and after (conditions records unless given). */
  owner?: () => Client;
}

type Level = 'mission' | 'restricted' | 'restrictedShared';
interface OwnedConditions {
  owner: TestUser;
  otherOrg: TestUser;
  sharedOrg: TestUser;
  stakeholders: Record<Level, string>;
  conditions: Record<Level, string>;
  commitments: Record<Level, string>;
}
let ownedConditions: OwnedConditions;

interface OwnedSet {
  owner: TestUser;
  otherOrg: TestUser;
  sharedOrg: TestUser;
}

/**
 * Cross-owner cases of a record kept at three levels (mission, restricted, restricted and
 * shared): `owners` and `ids` are read when the case runs; `path` builds the address.
 */
function ownerCases(
  owners: () => OwnedSet,
  ids: () => Record<Level, string>,
  path: (id: string) => string,
  write?: { body: unknown; status: number },
): CrossCase[] {
  const at = (level: Level) => () => path(ids()[level]);
  const other = () => owners().otherOrg.client;
  const owner = () => owners().owner.client;
  const hidden = { status: 404, code: 'resource.not-found' };
  const withOwner = (cases: CrossCase[]) => cases.map((c) => ({ ...c, owner }));
  if (!write) {
    return withOwner([
      { name: 'a user of another organisation sees a mission record', who: other, url: at('mission'), status: 200 },
      { name: 'a user of another organisation gets 404 for a restricted record', who: other, url: at('restricted'), ...hidden },
      {
        name: 'the organisation it is shared with sees it',
        who: () => owners().sharedOrg.client,
        url: at('restrictedShared'),
        status: 200,
      },
      { name: 'force headquarters sees a restricted record', who: () => caller('admin').client(), url: at('restricted'), status: 200 },
      { name: 'the owner sees its restricted record', who: () => owners().owner.client, url: at('restricted'), status: 200 },
    ]);
  }
  const forbidden = { status: 403, code: 'auth.forbidden' };
  return withOwner([
    {
      name: 'a manager of another organisation cannot change a mission record',
      who: other,
      url: at('mission'),
      body: write.body,
      ...forbidden,
    },
    {
      name: 'a manager of another organisation gets 404 for a restricted record',
      who: other,
      url: at('restricted'),
      body: write.body,
      ...hidden,
    },
    {
      name: 'the organisation a record is shared with cannot change it',
      who: () => owners().sharedOrg.client,
      url: at('restrictedShared'),
      body: write.body,
      ...forbidden,
    },
    {
      name: 'force headquarters sees a restricted record but cannot change it',
      who: () => caller('admin').client(),
      url: at('restricted'),
      body: write.body,
      ...forbidden,
    },
    {
      name: 'the owner changes its restricted record',
      who: () => owners().owner.client,
      url: at('restricted'),
      body: write.body,
      status: write.status,
    },
  ]);
}

const conditionsCases = (
  kind: 'stakeholders' | 'conditions' | 'commitments',
  path: (id: string) => string,
  write?: { body: unknown; status: number },
) =>
  ownerCases(
    () => ownedConditions,
    () => ownedConditions[kind],
    path,
    write,
  );

interface OwnedFunding {
  owner: TestUser;
  otherOrg: TestUser;
  sharedOrg: TestUser;
  instruments: Record<Level, string>;
  pledges: Record<Level, string>;
  tranches: Record<Level, string>;
}
let ownedFunding: OwnedFunding;

const fundingCases = (
  kind: 'instruments' | 'pledges' | 'tranches',
  path: (id: string) => string,
  write?: { body: unknown; status: number },
) =>
  ownerCases(
    () => ownedFunding,
    () => ownedFunding[kind],
    path,
    write,
  );

interface OwnedClaims extends OwnedSet {
  claims: Record<Level, string>;
  /** Drafted claims for the submission cases, kept apart so that changing the others stays possible. */
  toSubmit: Record<Level, string>;
}
let ownedClaims: OwnedClaims;

const claimCases = (path: (id: string) => string, write?: { body: unknown; status: number }) =>
  ownerCases(
    () => ownedClaims,
    () => ownedClaims.claims,
    path,
    write,
  );

function submissionCases(): CrossCase[] {
  const at = (level: Level) => () => `/api/funding/claims/${ownedClaims.toSubmit[level]}/transitions`;
  const owner = () => ownedClaims.owner.client;
  const body = { to: 'submitted' };
  return [
    {
      name: 'another country cannot submit a mission claim',
      who: () => ownedClaims.otherOrg.client,
      url: at('mission'),
      body,
      ...FORBIDDEN,
    },
    {
      name: 'another country gets 404 for a restricted claim',
      who: () => ownedClaims.otherOrg.client,
      url: at('restricted'),
      body,
      status: 404,
      code: 'resource.not-found',
    },
    {
      name: 'the country a claim is shared with cannot submit it',
      who: () => ownedClaims.sharedOrg.client,
      url: at('restrictedShared'),
      body,
      ...FORBIDDEN,
    },
    {
      name: 'force headquarters sees a restricted claim but cannot submit it for the country',
      who: () => caller('admin').client(),
      url: at('restricted'),
      body,
      ...FORBIDDEN,
    },
    { name: 'the country submits its restricted claim', who: owner, url: at('restricted'), body, status: 200 },
  ].map((c) => ({ ...c, owner }));
}

/** The directory: a person is seen by their own organisation and headquarters; headquarters staff by all; administrators see all. */
function directoryCases(): CrossCase[] {
  const person = () => `/api/users/${ownedFunding.otherOrg.id}`;
  const hqPerson = () => `/api/users/${caller('finance_officer').user!.id}`;
  const owner = () => ownedFunding.otherOrg.client;
  return [
    {
      name: 'a donor of another organisation gets 404 for a person it does not work with',
      who: () => ownedFunding.owner.client,
      url: person,
      status: 404,
      code: 'resource.not-found',
    },
    {
      name: 'a contributing country gets 404 for a donor’s person',
      who: () => caller('contributor_liaison').client(),
      url: person,
      status: 404,
      code: 'resource.not-found',
    },
    {
      name: 'an auditor of an observer organisation gets 404 for a donor’s person',
      who: () => caller('auditor').client(),
      url: person,
      status: 404,
      code: 'resource.not-found',
    },
    { name: 'a colleague of the same organisation sees the person', who: () => ownedFunding.otherOrg.client, url: person, status: 200 },
    { name: 'headquarters sees every person', who: () => caller('force_planner').client(), url: person, status: 200 },
    { name: 'an administrator sees every person', who: () => caller('admin').client(), url: person, status: 200 },
    { name: 'everyone sees the people of headquarters', who: () => ownedFunding.owner.client, url: hqPerson, status: 200 },
  ].map((c) => ({ ...c, owner }));
}

const CROSS_OWNER: Record<string, CrossCase[]> = {
  'GET /api/users/:id': directoryCases(),
  'GET /api/funding/claims/:id': claimCases((id) => `/api/funding/claims/${id}`),
  'PATCH /api/funding/claims/:id': claimCases((id) => `/api/funding/claims/${id}`, { body: { personnelDays: 31 }, status: 200 }),
  'POST /api/funding/claims/:id/transitions': submissionCases(),
  'GET /api/funding/instruments/:id': fundingCases('instruments', (id) => `/api/funding/instruments/${id}`),
  'PATCH /api/funding/instruments/:id': fundingCases('instruments', (id) => `/api/funding/instruments/${id}`, {
    body: { name: 'Changed' },
    status: 200,
  }),
  'GET /api/funding/pledges/:id': fundingCases('pledges', (id) => `/api/funding/pledges/${id}`),
  'PATCH /api/funding/pledges/:id': fundingCases('pledges', (id) => `/api/funding/pledges/${id}`, {
    body: { title: 'Changed' },
    status: 200,
  }),
  'GET /api/funding/tranches/:id': fundingCases('tranches', (id) => `/api/funding/tranches/${id}`),
  'PATCH /api/funding/tranches/:id': fundingCases('tranches', (id) => `/api/funding/tranches/${id}`, {
    body: { note: 'Changed' },
    status: 200,
  }),
  'GET /api/places/:id': [
    { name: 'a user of another organisation sees a mission place', who: () => owned.otherOrg.client, place: 'mission', status: 200 },
    { name: 'a user of another organisation sees a public place', who: () => owned.otherOrg.client, place: 'public', status: 200 },
    {
      name: 'a user of another organisation gets 404 for a restricted place',
      who: () => owned.otherOrg.client,
      place: 'restricted',
      status: 404,
      code: 'resource.not-found',
    },
    {
      name: 'a user of another organisation gets 404 for a place shared with someone else',
      who: () => owned.otherOrg.client,
      place: 'restrictedShared',
      status: 404,
      code: 'resource.not-found',
    },
    {
      name: 'a field reporter of another organisation gets 404 for a restricted place',
      who: () => caller('field_reporter').client(),
      place: 'restricted',
      status: 404,
      code: 'resource.not-found',
    },
    { name: 'force headquarters sees a restricted place', who: () => caller('force_planner').client(), place: 'restricted', status: 200 },
    {
      name: 'the organisation a restricted place is shared with sees it',
      who: () => owned.sharedOrg.client,
      place: 'restrictedShared',
      status: 200,
    },
    { name: 'the owner sees its restricted place', who: () => owned.owner.client, place: 'restricted', status: 200 },
  ],
  'PATCH /api/places/:id': [
    {
      name: 'a places manager of another organisation cannot change a mission place',
      who: () => owned.otherOrg.client,
      place: 'mission',
      status: 403,
      code: 'auth.forbidden',
    },
    {
      name: 'a places manager of another organisation cannot change a public place',
      who: () => owned.otherOrg.client,
      place: 'public',
      status: 403,
      code: 'auth.forbidden',
    },
    {
      name: 'a places manager of another organisation gets 404 for a restricted place',
      who: () => owned.otherOrg.client,
      place: 'restricted',
      status: 404,
      code: 'resource.not-found',
    },
    {
      name: 'force headquarters sees a restricted place but cannot change it',
      who: () => caller('force_planner').client(),
      place: 'restricted',
      status: 403,
      code: 'auth.forbidden',
    },
    {
      name: 'the organisation a place is shared with cannot change it',
      who: () => owned.sharedOrg.client,
      place: 'restrictedShared',
      status: 403,
      code: 'auth.forbidden',
    },
    {
      name: "an administrator of another organisation cannot change an organisation's place",
      who: () => caller('admin').client(),
      place: 'mission',
      status: 403,
      code: 'auth.forbidden',
    },
    { name: 'the owner changes its restricted place', who: () => owned.owner.client, place: 'restricted', status: 200 },
  ],
  'GET /api/stakeholders/:id': conditionsCases('stakeholders', (id) => `/api/stakeholders/${id}`),
  'PATCH /api/stakeholders/:id': conditionsCases('stakeholders', (id) => `/api/stakeholders/${id}`, {
    body: { name: 'Changed' },
    status: 200,
  }),
  'GET /api/stakeholders/:id/positions': conditionsCases('stakeholders', (id) => `/api/stakeholders/${id}/positions`),
  'POST /api/stakeholders/:id/positions': [
    {
      name: 'a user of another organisation records a position on a mission stakeholder',
      who: () => ownedConditions.otherOrg.client,
      url: () => `/api/stakeholders/${ownedConditions.stakeholders.mission}/positions`,
      body: POSITION,
      status: 201,
    },
    {
      name: 'a user of another organisation gets 404 for a restricted stakeholder',
      who: () => ownedConditions.otherOrg.client,
      url: () => `/api/stakeholders/${ownedConditions.stakeholders.restricted}/positions`,
      body: POSITION,
      status: 404,
      code: 'resource.not-found',
    },
  ],
  'GET /api/conditions/:id': conditionsCases('conditions', (id) => `/api/conditions/${id}`),
  'GET /api/conditions/:id/gates': conditionsCases('conditions', (id) => `/api/conditions/${id}/gates`),
  'PATCH /api/conditions/:id': conditionsCases('conditions', (id) => `/api/conditions/${id}`, {
    body: { titleEn: 'Changed' },
    status: 200,
  }),
  'POST /api/conditions/:id/evidence': conditionsCases('conditions', (id) => `/api/conditions/${id}/evidence`, {
    body: EVIDENCE,
    status: 201,
  }),
  'GET /api/commitments/:id': conditionsCases('commitments', (id) => `/api/commitments/${id}`),
  'PATCH /api/commitments/:id': conditionsCases('commitments', (id) => `/api/commitments/${id}`, {
    body: { titleEn: 'Changed' },
    status: 200,
  }),
  'DELETE /api/tokens/:id': [
    { name: "another user cannot revoke a user's token", who: () => owned.otherOrg.client, status: 404, code: 'resource.not-found' },
    {
      name: "an administrator cannot revoke another user's token",
      who: () => caller('admin').client(),
      status: 404,
      code: 'resource.not-found',
    },
  ],
};

// ---------------------------------------------------------------------------------------
// Setup: every user signs in once

beforeAll(async () => {
  for (const role of BUILTIN_ROLES) {
    const org = await t.organisation(ORGANISATION_OF_ROLE[role.key] ?? 'observer');
    caller(role.key).user = await t.user([role.key], org.id);
  }
  caller(AWAITING_TOTP).user = await t.user(['admin'], (await t.organisation('force_headquarters', { requireTotp: true })).id);

  const humanitarian = caller('humanitarian');
  const organisationId = (await t.organisation('observer')).id;
  fx = {
    organisationId,
    userId: (await t.user(['field_reporter'], organisationId, false)).id,
    signInUser: await t.user(['field_reporter'], organisationId, false),
    missionPlaceId: (await okBody(await humanitarian.user!.client.post('/api/places', placeBody()), 'place')).id,
    stakeholderId: '',
    conditionId: '',
    commitmentId: '',
    instrumentId: '',
    budgetLineId: '',
    pledgeId: '',
    trancheId: '',
    receiptId: '',
    claimId: '',
  };
  const political = caller('political_officer').user!;
  fx.stakeholderId = (await okBody(await political.client.post('/api/stakeholders', stakeholderBody()), 'stakeholder')).id;
  fx.conditionId = (await okBody(await political.client.post('/api/conditions', conditionBody()), 'condition')).id;
  fx.commitmentId = (await okBody(await political.client.post('/api/commitments', commitmentBody()), 'commitment')).id;

  const donorOfficer = caller('donor_officer').user!;
  fx.instrumentId = (
    await okBody(await donorOfficer.client.post('/api/funding/instruments', instrumentBody(donorOfficer)), 'instrument')
  ).id;
  fx.budgetLineId = (await okBody(await donorOfficer.client.post('/api/funding/budget-lines', budgetLineBody()), 'budget line')).id;
  const pledge = await okBody(await donorOfficer.client.post('/api/funding/pledges', pledgeBody(fx.instrumentId)), 'pledge');
  fx.pledgeId = pledge.id;
  fx.trancheId = pledge.tranches[0].id;
  // Enough money on the instrument and the line for every sample that moves some.
  fx.receiptId = (await okBody(await financeClient().post('/api/funding/receipts', posting({ amount: '1000000.00' })), 'receipt')).id;
  await okBody(
    await financeClient().post('/api/funding/allocations', posting({ amount: '500000.00', budgetLineId: fx.budgetLineId })),
    'allocation',
  );
  const donorOther = await t.user(['donor_officer'], (await t.organisation('donor')).id);
  const donorShared = await t.user(['donor_officer'], (await t.organisation('donor')).id);
  const fundingLevels = async (make: (extra: Record<string, unknown>) => Promise<string>): Promise<Record<Level, string>> => ({
    mission: await make({ classification: 'mission' }),
    restricted: await make({ classification: 'restricted' }),
    restrictedShared: await make({ classification: 'restricted', sharedWith: [donorShared.organisationId] }),
  });
  const instruments = await fundingLevels(
    async (extra) =>
      (await okBody(await donorOfficer.client.post('/api/funding/instruments', instrumentBody(donorOfficer, extra)), 'instrument')).id,
  );
  const pledges = await fundingLevels(
    async (extra) =>
      (await okBody(await donorOfficer.client.post('/api/funding/pledges', pledgeBody(fx.instrumentId, extra)), 'pledge')).id,
  );
  const tranches = Object.fromEntries(
    await Promise.all(
      Object.entries(pledges).map(async ([level, id]) => [
        level,
        (await okBody(await donorOfficer.client.get(`/api/funding/pledges/${id}`), 'pledge')).tranches[0].id,
      ]),
    ),
  ) as Record<Level, string>;
  ownedFunding = { owner: donorOfficer, otherOrg: donorOther, sharedOrg: donorShared, instruments, pledges, tranches };

  const liaison = caller('contributor_liaison').user!;
  fx.claimId = (await okBody(await liaison.client.post('/api/funding/claims', claimBody()), 'claim')).id;
  const liaisonShared = await t.user(['contributor_liaison'], (await t.organisation('contributing_country')).id);
  const claimLevels = async (): Promise<Record<Level, string>> => {
    const make = async (extra: Record<string, unknown>) =>
      (await okBody(await liaison.client.post('/api/funding/claims', claimBody(extra)), 'claim')).id as string;
    return {
      mission: await make({ classification: 'mission' }),
      restricted: await make({ classification: 'restricted' }),
      restrictedShared: await make({ classification: 'restricted', sharedWith: [liaisonShared.organisationId] }),
    };
  };
  ownedClaims = {
    owner: liaison,
    otherOrg: await t.user(['contributor_liaison'], (await t.organisation('contributing_country')).id),
    sharedOrg: liaisonShared,
    claims: await claimLevels(),
    toSubmit: await claimLevels(),
  };

  const politicalOther = await t.user(['political_officer'], (await t.organisation('donor')).id);
  const politicalShared = await t.user(['political_officer'], (await t.organisation('donor')).id);
  const levels = async (make: (extra: Record<string, unknown>) => Promise<string>): Promise<Record<Level, string>> => ({
    mission: await make({ classification: 'mission' }),
    restricted: await make({ classification: 'restricted' }),
    restrictedShared: await make({ classification: 'restricted', sharedWith: [politicalShared.organisationId] }),
  });
  const make = (url: string, body: (extra: Record<string, unknown>) => unknown) => async (extra: Record<string, unknown>) =>
    (await okBody(await political.client.post(url, body(extra)), url)).id as string;
  ownedConditions = {
    owner: political,
    otherOrg: politicalOther,
    sharedOrg: politicalShared,
    stakeholders: await levels(make('/api/stakeholders', stakeholderBody)),
    conditions: await levels(make('/api/conditions', conditionBody)),
    commitments: await levels(make('/api/commitments', commitmentBody)),
  };

  const otherOrg = await t.user(['humanitarian'], (await t.organisation('humanitarian')).id);
  const sharedOrg = await t.user(['humanitarian'], (await t.organisation('humanitarian')).id);
  // A user of its own holds the token: the matrix's callers change their passwords, which revokes their tokens.
  const tokenHolder = await t.user(['humanitarian'], (await t.organisation('humanitarian')).id);
  const token = await okBody(await tokenHolder.client.post('/api/tokens', { name: 'owned', scopes: ['places.read'] }), 'token');
  const ownedPlace = async (extra: Record<string, unknown>) =>
    (await okBody(await humanitarian.user!.client.post('/api/places', placeBody(undefined, extra)), 'place')).id as string;
  owned = {
    owner: humanitarian.user!,
    otherOrg,
    sharedOrg,
    places: {
      mission: await ownedPlace({ classification: 'mission' }),
      public: await ownedPlace({ classification: 'public' }),
      restricted: await ownedPlace({ classification: 'restricted' }),
      restrictedShared: await ownedPlace({ classification: 'restricted', sharedWith: [sharedOrg.organisationId] }),
    },
    tokenId: token.id,
    token: token.token,
  };
});

// ---------------------------------------------------------------------------------------
// The matrix

describe('the matrix covers every route', () => {
  it('has a sample request for every route in the route table', () => {
    const missing = routes.filter((route) => !SAMPLES[route.key]).map((route) => route.key);
    expect(missing, 'Routes without a sample request: add them to SAMPLES with a valid request').toEqual([]);
  });

  it('has no sample for a route that no longer exists', () => {
    const keys = new Set(routes.map((route) => route.key));
    expect(Object.keys(SAMPLES).filter((key) => !keys.has(key))).toEqual([]);
  });

  it('says whose record every route with a path parameter addresses', () => {
    const undecided = routes.filter((route) => /\/:/.test(route.url) && !SAMPLES[route.key]?.owner).map((route) => route.key);
    expect(undecided, "Set `owner` in these routes' samples").toEqual([]);
  });

  it('has cross-owner cases for every route that addresses an owned record', () => {
    const needed = routes.filter((route) => ['organisation', 'user'].includes(SAMPLES[route.key]?.owner ?? '')).map((route) => route.key);
    expect(
      needed.filter((key) => !CROSS_OWNER[key]?.length),
      'Add cases to CROSS_OWNER',
    ).toEqual([]);
    expect(
      Object.keys(CROSS_OWNER).filter((key) => !needed.includes(key)),
      'CROSS_OWNER names routes that are not owned',
    ).toEqual([]);
  });
});

function describeExpectation(route: Route, expected: Expectation): string {
  return expected.outcome === 'admitted' ? `admitted (${SAMPLES[route.key]?.status ?? 200})` : `${expected.status} ${expected.code}`;
}

describe.each(routes)('$key', (route) => {
  for (const who of CALLERS) {
    const expected = expectationFor(who, route.access);
    it(`as ${who.name}: ${describeExpectation(route, expected)}`, async () => {
      await expectAnswer(who, route, expected, await send(who, route, expected.outcome === 'admitted'));
    });
  }
});

describe('cross-owner access to owned records', () => {
  for (const [key, cases] of Object.entries(CROSS_OWNER)) {
    for (const crossCase of cases) {
      it(`${key}: ${crossCase.name} (${crossCase.status})`, () => crossOwner(key, crossCase));
    }
  }

  async function crossOwner(key: string, { who, place, url: urlOf, body, status, code, owner }: CrossCase) {
    const [method] = key.split(' ');
    const url = urlOf ? urlOf() : place ? `/api/places/${owned.places[place]}` : `/api/tokens/${owned.tokenId}`;
    // A write to a record's evidence or positions shows in the record itself.
    const readUrl = url.replace(/\/(evidence|positions)$/, '');
    const ownerClient = owner?.() ?? (urlOf ? ownedConditions.owner.client : owned.owner.client);
    const before = place || urlOf ? await ownerClient.get(readUrl) : undefined;
    const payload = method === 'GET' ? undefined : urlOf ? body : method === 'PATCH' ? { nameEn: `Changed ${status}` } : undefined;
    // A money write (a claim's transitions) needs an Idempotency-Key; other routes ignore it.
    const response = await who().request(method, url, payload, method === 'POST' ? { 'idempotency-key': randomUUID() } : {});
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (code) expect(response.body.code).toBe(code);

    if (status >= 400 && before) {
      const after = await ownerClient.get(readUrl);
      expect(after.body, 'a refused change leaves the record as it was').toEqual(before.body);
    }
    if (status >= 400 && !place) {
      const bearer = new Client(t.app);
      bearer.bearer = owned.token;
      expect((await bearer.get('/api/places')).status, 'the token still works').toBe(200);
    }
  }
});

describe('CSRF protection of cookie sessions', () => {
  const writes = routes.filter((route) => !READS.has(route.method) && !('public' in route.access));

  it('covers at least one write of each module', () => {
    expect(writes.length).toBeGreaterThan(10);
  });

  for (const route of writes) {
    it(`${route.key} refuses a session write without the x-csrf-token header`, () => refusedWithoutCsrf(route));
  }

  async function refusedWithoutCsrf(route: Route) {
    const admin = caller('admin');
    const target = await sampleFor(route).request?.(admin, false);
    const bare = new Client(t.app);
    bare.cookie = admin.user!.client.cookie;
    const response = await bare.request(route.method, target?.url ?? route.url, target?.body ?? {});
    expect(response.status, JSON.stringify(response.body)).toBe(403);
    expect(response.body.code).toBe('auth.csrf');
    expect(await loggedRefusal(response), 'the refusal is in the security log').toMatchObject({ code: 'auth.csrf' });

    const wrong = await bare.request(route.method, target?.url ?? route.url, target?.body ?? {}, { 'x-csrf-token': 'not-the-token' });
    expect(wrong.body.code).toBe('auth.csrf');
  }

  it('still accepts the administrator session afterwards', async () => {
    expect((await caller('admin').client().get('/api/auth/session')).status).toBe(200);
  });
});

describe('API tokens', () => {
  const permissionRoutes = routes.filter((route) => 'permission' in route.access);
  const tokenCallers = new Map<Permission, Caller>();

  beforeAll(async () => {
    const admin = caller('admin');
    for (const permission of PERMISSION_KEYS) {
      const token = await okBody(await admin.client().post('/api/tokens', { name: `only ${permission}`, scopes: [permission] }), 'token');
      tokenCallers.set(permission, tokenCaller(`a token scoped to ${permission}`, admin.user!, token.token, [permission]));
    }
  });

  for (const route of permissionRoutes) {
    const needed = (route.access as { permission: Permission }).permission;
    const other = PERMISSION_KEYS.find((permission) => permission !== needed)!;
    it(`${route.key} with a token scoped to ${needed}: admitted (${SAMPLES[route.key]?.status ?? 200})`, () =>
      withToken(route, needed, true));
    it(`${route.key} with a token scoped to ${other} only: 403 auth.forbidden`, () => withToken(route, other, false));
  }

  async function withToken(route: Route, scope: Permission, admitted: boolean) {
    const who = tokenCallers.get(scope)!;
    const expected = expectationFor(who, route.access);
    expect(expected.outcome === 'admitted').toBe(admitted);
    await expectAnswer(who, route, expected, await send(who, route, admitted));
  }

  it('works within its scopes without a CSRF header, is refused outside them, and stops at revocation', async () => {
    const user = caller('humanitarian').user!;
    const made = await user.client.post('/api/tokens', { name: 'script', scopes: ['places.read', 'places.manage'] });
    expect(made.status).toBe(201);
    const bearer = new Client(t.app);
    bearer.bearer = made.body.token;

    expect((await bearer.get('/api/places')).status).toBe(200);
    expect((await bearer.post('/api/places', placeBody())).status).toBe(201);
    const outside = await bearer.get('/api/organisations');
    expect(outside.status, 'the user holds organisations.read, the token does not').toBe(403);
    expect(outside.body.code).toBe('auth.forbidden');
    expect((await bearer.get('/api/tokens')).status, 'tokens are managed from a session only').toBe(403);

    expect((await user.client.delete(`/api/tokens/${made.body.id}`)).status).toBe(204);
    const revoked = await bearer.get('/api/places');
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('auth.unauthenticated');
  });

  it("cannot be given a scope its user does not hold, and shrinks with its user's roles", async () => {
    const user = await t.user(['humanitarian'], (await t.organisation('humanitarian')).id);
    const beyond = await user.client.post('/api/tokens', { name: 'greedy', scopes: ['users.manage'] });
    expect(beyond.status).toBe(400);
    expect(beyond.body.errors).toEqual([{ pointer: '/scopes/0', detail: expect.any(String) }]);

    const made = await user.client.post('/api/tokens', { name: 'script', scopes: ['places.manage'] });
    const bearer = new Client(t.app);
    bearer.bearer = made.body.token;
    expect((await bearer.post('/api/places', placeBody())).status).toBe(201);
    expect((await t.admin.client.patch(`/api/users/${user.id}`, { roles: ['field_reporter'] })).status).toBe(200);
    expect((await bearer.post('/api/places', placeBody())).status).toBe(403);
  });

  it('refuses an unknown bearer token', async () => {
    const bearer = new Client(t.app);
    bearer.bearer = 'cnc_not-a-token';
    const response = await bearer.get('/api/auth/session');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('auth.unauthenticated');
  });
});
