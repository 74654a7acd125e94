/** The pages of the signed-in app, and the permission each one needs. */
export interface NavItem {
  key:
    | 'map'
    | 'conditions'
    | 'stakeholders'
    | 'funding'
    | 'claims'
    | 'organisations'
    | 'users'
    | 'roles'
    | 'audit'
    | 'security'
    | 'account';
  path: string;
  permission: string | null;
}

export const NAV_ITEMS: NavItem[] = [
  { key: 'map', path: '/map', permission: 'places.read' },
  { key: 'conditions', path: '/conditions', permission: 'conditions.read' },
  { key: 'stakeholders', path: '/stakeholders', permission: 'conditions.read' },
  { key: 'funding', path: '/funding', permission: 'funding.read' },
  { key: 'claims', path: '/funding/claims', permission: 'funding.read' },
  { key: 'organisations', path: '/organisations', permission: 'organisations.read' },
  { key: 'users', path: '/users', permission: 'users.read' },
  { key: 'roles', path: '/roles', permission: 'roles.read' },
  { key: 'audit', path: '/audit', permission: 'audit.read' },
  { key: 'security', path: '/security', permission: 'users.manage' },
  { key: 'account', path: '/account', permission: null },
];

export function allowedNavItems(can: (permission: string) => boolean): NavItem[] {
  return NAV_ITEMS.filter((item) => item.permission === null || can(item.permission));
}
