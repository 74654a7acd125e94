/**
 * Every permission in Concord is one member of this enum; roles bundle them. The server
 * checks permissions on every route, and the web app uses the same list to decide what
 * to show. Descriptions are for the roles page.
 */
export const PERMISSIONS = {
  'organisations.read': 'See organisations',
  'organisations.manage': 'Create and change organisations',
  'users.read': 'See users',
  'users.manage': 'Create users, change their roles, disable them and reset passwords',
  'roles.read': 'See roles and their permissions',
  'roles.manage': 'Create roles and change their permissions',
  'audit.read': 'Read the audit trail and verify its seal (Merkle tree and signed tree heads)',
  'places.read': 'See places, crossings and sites on the map',
  'places.manage': 'Add and change places, crossings and sites',
  'conditions.read': 'See stakeholders, positions, conditions, commitments and what holds the mission back',
  'conditions.manage': 'Record stakeholders, positions, conditions, their evidence and commitments',
  'funding.read': 'See funding instruments, pledges, the budget, the ledger and reimbursement claims',
  'funding.manage': 'Record instruments, pledges and their tranches, agreements, budget lines and exchange rates',
  'funding.post': 'Post receipts, allocations, disbursements and reversals; verify, approve and pay reimbursement claims',
  'funding.report': "Report your organisation's expenditures and draft and submit its reimbursement claims",
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const PERMISSION_KEYS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

export interface RoleDefinition {
  key: string;
  nameEn: string;
  nameAr: string;
  description: string;
  permissions: Permission[];
}

const READ_ALL: Permission[] = ['organisations.read', 'users.read', 'roles.read', 'places.read', 'conditions.read', 'funding.read'];

/** The built-in roles seeded into every database. Admins may change them or add more. */
export const BUILTIN_ROLES: RoleDefinition[] = [
  {
    key: 'admin',
    nameEn: 'Administrator',
    nameAr: 'مسؤول النظام',
    description: 'Manages organisations, users and roles',
    permissions: [...PERMISSION_KEYS],
  },
  {
    key: 'auditor',
    nameEn: 'Auditor',
    nameAr: 'مدقق',
    description: 'Read-only access to everything and its history',
    permissions: [...READ_ALL, 'audit.read'],
  },
  {
    key: 'donor_officer',
    nameEn: 'Donor programme officer',
    nameAr: 'مسؤول برامج الجهة المانحة',
    description: 'Pledges, tranches, conditions on money and donor reports',
    permissions: [...READ_ALL, 'funding.manage'],
  },
  {
    key: 'finance_officer',
    nameEn: 'Finance officer',
    nameAr: 'مسؤول مالي',
    description: 'Receipts, allocations, disbursements, budget lines and reimbursement claims',
    permissions: [...READ_ALL, 'funding.post'],
  },
  {
    key: 'force_planner',
    nameEn: 'Force headquarters planner',
    nameAr: 'مخطط في قيادة القوة',
    description: 'Requirements, offers, readiness, deployment and sectors',
    permissions: [...READ_ALL, 'places.manage'],
  },
  {
    key: 'contributor_liaison',
    nameEn: 'Contributing-country liaison',
    nameAr: 'ضابط اتصال الدولة المساهمة',
    description: 'Own units, readiness, vetting and reimbursement claims',
    permissions: [...READ_ALL, 'funding.report'],
  },
  {
    key: 'humanitarian',
    nameEn: 'Humanitarian coordinator',
    nameAr: 'منسق إنساني',
    description: 'Consignments, crossings, movement requests, needs and deliveries',
    permissions: [...READ_ALL, 'places.manage', 'funding.report'],
  },
  {
    key: 'political_officer',
    nameEn: 'Political officer',
    nameAr: 'مسؤول سياسي',
    description: 'Stakeholders, positions, conditions and commitments',
    permissions: [...READ_ALL, 'conditions.manage'],
  },
  {
    key: 'field_reporter',
    nameEn: 'Field reporter',
    nameAr: 'مراسل ميداني',
    description: 'Incidents and site status, from a phone',
    permissions: ['places.read'],
  },
];
