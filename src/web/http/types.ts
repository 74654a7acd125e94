/** Shapes of the JSON the server answers with, as the web app relies on them. */
import type { Locale, OrganisationType } from '../../shared/organisations.ts';

export type { Locale, OrganisationType };

export interface Me {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  organisation: { id: string; name: string; nameAr: string | null; type: OrganisationType };
  roles: string[];
  permissions: string[];
  totpEnabled: boolean;
  mustEnrolTotp: boolean;
}

export interface SessionResponse {
  user: Me;
  /** Null when the request was authenticated by a bearer token rather than a cookie. */
  csrfToken: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Organisation {
  id: string;
  name: string;
  nameAr: string | null;
  type: OrganisationType;
  countryCode: string | null;
  requireTotp: boolean;
  createdAt: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  organisation: { id: string; name: string; nameAr: string | null };
  roles: string[];
  disabled: boolean;
  totpEnabled: boolean;
  createdAt: string;
}

export interface Role {
  key: string;
  nameEn: string;
  nameAr: string;
  description: string;
  permissions: string[];
  builtin: boolean;
}

export interface RolesResponse {
  items: Role[];
  permissions: { key: string; description: string }[];
}

export interface ApiToken {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: string | number;
  at: string;
  actor: { id: string; email: string; name: string } | null;
  actorLabel: string;
  organisation: { id: string; name: string } | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  hash: string;
}

export interface AuditPage {
  items: AuditEntry[];
  next: string | null;
}

export type AuditVerification =
  | { status: 'intact'; rows: number }
  | { status: 'broken'; rows: number; firstBrokenId: string | number; reason: string };

export interface AppConfig {
  version: string;
  basemap: { styleUrl: string | null; pmtilesUrl: string | null };
}
