/**
 * The Gaza scenario: the mission's organisations, demo users for each role, and the
 * geography (governorates and entry points). Loaded once; a marker row in `seeds` makes a
 * second load change nothing. The stakeholders, conditions, positions and commitments
 * follow in gaza-conditions.ts under a marker of their own. Organisations follow public
 * reporting (UN Security Council resolution 2803 of 17 Nov 2025, the Civil-Military
 * Coordination Center opened on 17 Oct 2025, the contributors named in Feb 2026); the demo
 * users are illustrative.
 */
import { readFile } from 'node:fs/promises';
import sql from 'sql-template-tag';
import type { OrganisationType } from '../../shared/organisations.ts';
import { BUILTIN_ROLES } from '../../shared/permissions.ts';
import type { Db, Queryable } from '../db/db.ts';
import { systemActor } from '../http/authenticate.ts';
import { insertOrganisation } from '../modules/access/organisations.repo.ts';
import { insertRole } from '../modules/access/roles.repo.ts';
import { insertUser, setUserRoles } from '../modules/access/users.repo.ts';
import { insertAudit } from '../modules/audit/audit.repo.ts';
import { hashPassword } from '../modules/auth/credentials.ts';
import { insertPlace, type PlaceKind } from '../modules/geo/geo.repo.ts';
import { seedGazaConditions } from './gaza-conditions.ts';
import { FINANCE_USER, seedGazaFunding } from './gaza-funding.ts';

export const DEMO_PASSWORD = 'concord-demo-2026';

const ORGANISATIONS: { key: string; name: string; nameAr: string; type: OrganisationType; countryCode?: string }[] = [
  {
    key: 'cmcc',
    name: 'Civil-Military Coordination Center (CMCC)',
    nameAr: 'مركز التنسيق المدني العسكري',
    type: 'force_headquarters',
    countryCode: 'US',
  },
  { key: 'isf', name: 'International Stabilization Force HQ', nameAr: 'قيادة قوة الاستقرار الدولية', type: 'force_headquarters' },
  { key: 'bop', name: 'Board of Peace', nameAr: 'مجلس السلام', type: 'authority' },
  { key: 'dod', name: 'US Department of Defense', nameAr: 'وزارة الدفاع الأمريكية', type: 'donor', countryCode: 'US' },
  { key: 'eu', name: 'European Union', nameAr: 'الاتحاد الأوروبي', type: 'donor' },
  { key: 'uae', name: 'United Arab Emirates', nameAr: 'الإمارات العربية المتحدة', type: 'donor', countryCode: 'AE' },
  { key: 'indonesia', name: 'Indonesia', nameAr: 'إندونيسيا', type: 'contributing_country', countryCode: 'ID' },
  { key: 'morocco', name: 'Morocco', nameAr: 'المغرب', type: 'contributing_country', countryCode: 'MA' },
  { key: 'kazakhstan', name: 'Kazakhstan', nameAr: 'كازاخستان', type: 'contributing_country', countryCode: 'KZ' },
  { key: 'kosovo', name: 'Kosovo', nameAr: 'كوسوفو', type: 'contributing_country', countryCode: 'XK' },
  { key: 'albania', name: 'Albania', nameAr: 'ألبانيا', type: 'contributing_country', countryCode: 'AL' },
  { key: 'egypt', name: 'Egypt', nameAr: 'مصر', type: 'contributing_country', countryCode: 'EG' },
  { key: 'jordan', name: 'Jordan', nameAr: 'الأردن', type: 'contributing_country', countryCode: 'JO' },
  { key: 'ocha', name: 'UN OCHA', nameAr: 'مكتب الأمم المتحدة لتنسيق الشؤون الإنسانية', type: 'humanitarian' },
  { key: 'wfp', name: 'World Food Programme', nameAr: 'برنامج الأغذية العالمي', type: 'humanitarian' },
  { key: 'pa', name: 'Palestinian Authority', nameAr: 'السلطة الفلسطينية', type: 'authority', countryCode: 'PS' },
  { key: 'israel', name: 'Israel (COGAT)', nameAr: 'إسرائيل (منسق أعمال الحكومة في المناطق)', type: 'authority', countryCode: 'IL' },
  { key: 'oversight', name: 'Mission Audit Office', nameAr: 'مكتب تدقيق البعثة', type: 'observer' },
];

const USERS: { email: string; name: string; org: string; roles: string[]; locale?: 'en' | 'ar' }[] = [
  { email: 'admin@concord.example', name: 'Alex Admin', org: 'cmcc', roles: ['admin'] },
  { email: 'planner@concord.example', name: 'Dana Planner', org: 'isf', roles: ['force_planner'] },
  { email: 'donor@concord.example', name: 'Morgan Donor', org: 'dod', roles: ['donor_officer'] },
  { email: 'liaison@concord.example', name: 'Rizal Liaison', org: 'indonesia', roles: ['contributor_liaison'] },
  { email: 'aid@concord.example', name: 'Lina Logistician', org: 'wfp', roles: ['humanitarian'], locale: 'ar' },
  { email: 'political@concord.example', name: 'Samir Political', org: 'bop', roles: ['political_officer'], locale: 'ar' },
  { email: 'reporter@concord.example', name: 'Yusuf Reporter', org: 'ocha', roles: ['field_reporter'], locale: 'ar' },
  { email: 'auditor@concord.example', name: 'Ada Auditor', org: 'oversight', roles: ['auditor'] },
];

export const DEMO_SIGN_INS = [
  ...USERS.map(({ email, roles }) => ({ email, role: roles[0] })),
  { email: FINANCE_USER.email, role: 'finance_officer' },
];

interface GovernorateFeature {
  geometry: unknown;
  properties: { code: string; nameEn: string; nameAr: string } & Record<string, unknown>;
}

interface EntryPoint {
  code: string;
  nameEn: string;
  nameAr: string;
  kind: PlaceKind;
  geometry: unknown;
  [key: string]: unknown;
}

async function readData<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(new URL(`../modules/geo/data/${name}`, import.meta.url), 'utf8'));
}

/** The roles every database needs, scenario or not. */
export async function seedRoles(db: Queryable): Promise<void> {
  for (const role of BUILTIN_ROLES) {
    const exists = await db.query(sql`select 1 from roles where key = ${role.key}`);
    if (!exists.rowCount) await insertRole(db, role, true);
  }
}

/** Loads the scenario unless it is already there. Returns whether it loaded anything. */
export async function seedGaza(db: Db): Promise<boolean> {
  // Hashing runs before the transaction, which must stay short.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const governorates = (await readData<{ features: GovernorateFeature[] }>('governorates.geojson')).features;
  const entryPoints = await readData<EntryPoint[]>('crossings.json');
  const actor = systemActor('seed');

  const loaded = await db.transaction(async (tx) => {
    const marker = await tx.query(sql`insert into seeds (name) values ('gaza') on conflict do nothing returning name`);
    if (!marker.rowCount) return false;
    await seedRoles(tx);
    const orgIds = new Map<string, string>();
    for (const { key, ...org } of ORGANISATIONS) orgIds.set(key, (await insertOrganisation(tx, org)).id);
    for (const user of USERS) {
      const id = await insertUser(tx, {
        email: user.email,
        name: user.name,
        organisationId: orgIds.get(user.org)!,
        locale: user.locale ?? 'en',
        passwordHash,
      });
      await setUserRoles(tx, id, user.roles);
    }
    const owner = orgIds.get('cmcc')!;
    for (const { geometry, properties } of governorates) {
      const { code, nameEn, nameAr, ...rest } = properties;
      await insertPlace(tx, {
        kind: 'governorate',
        code: code.toLowerCase(),
        nameEn,
        nameAr,
        geometry,
        properties: rest,
        ownerOrgId: owner,
        classification: 'public',
      });
    }
    for (const { code, nameEn, nameAr, kind, geometry, ...rest } of entryPoints) {
      await insertPlace(tx, { kind, code, nameEn, nameAr, geometry, properties: rest, ownerOrgId: owner, classification: 'public' });
    }
    await insertAudit(tx, actor, null, {
      action: 'scenario.gaza.load',
      entityType: 'scenario',
      entityId: 'gaza',
      after: { organisations: ORGANISATIONS.length, users: USERS.length, places: governorates.length + entryPoints.length },
    });
    return true;
  });
  // The conditions part has its own marker, so a database loaded before it existed gets it now.
  const conditions = await seedGazaConditions(db);
  // Funding gates its tranches on those conditions, so it follows them, under its own marker too.
  const funding = await seedGazaFunding(db, passwordHash);
  return loaded || conditions || funding;
}
