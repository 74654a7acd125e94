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

/** A page reached from another page (its tabs or a button) rather than from the navigation. */
export interface SubPage {
  key: string;
  path: string;
  permission: string | null;
}

/** The funding pages' tabs, in their order; the first is the funding entry of the navigation. */
export const FUNDING_TABS = [
  { key: 'overview', path: '/funding', permission: 'funding.read' },
  { key: 'flow', path: '/funding/flow', permission: 'funding.read' },
  { key: 'pledges', path: '/funding/pledges', permission: 'funding.read' },
  { key: 'ledger', path: '/funding/ledger', permission: 'funding.read' },
  { key: 'imports', path: '/funding/imports', permission: 'funding.read' },
] as const satisfies readonly SubPage[];

export const SUB_PAGES: SubPage[] = [
  ...FUNDING_TABS.filter((tab) => tab.path !== '/funding').map((tab) => ({ ...tab, key: `funding-${tab.key}` })),
  { key: 'conditions-graph', path: '/conditions/graph', permission: 'conditions.read' },
];

/** Every page without an id in its address that a person with these permissions may open. */
export function allowedPages(can: (permission: string) => boolean): SubPage[] {
  return [...allowedNavItems(can), ...SUB_PAGES.filter((page) => page.permission === null || can(page.permission))];
}
