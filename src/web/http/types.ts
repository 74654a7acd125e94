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
  /** The record's place in the audit log's Merkle tree; null until the sealer has sealed it. */
  seq: number | null;
  leafHash: string | null;
}

export interface AuditPage {
  items: AuditEntry[];
  next: string | null;
}

export interface AuditFinding {
  code: string;
  seq: number | null;
  id: number | null;
  treeSize: number | null;
  detail: string;
}

export interface AuditHeadSummary {
  treeSize: number;
  rootHash: string;
  timestamp: number;
}

export interface AuditVerification {
  status: 'intact' | 'broken';
  mode: 'full' | 'since-checkpoint';
  records: number;
  checkedRecords: number;
  pending: number;
  heads: number;
  latestHead: AuditHeadSummary | null;
  checkpoint: AuditHeadSummary | null;
  since: { treeSize: number; rootHash: string; verifiedAt: string } | null;
  firstBad: AuditFinding | null;
  findings: AuditFinding[];
  seconds: number;
}

export interface AuditTreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: number;
  signedAt: string;
  keyId: string;
  signature: string;
}

export interface AuditCheckpoints {
  logId: string;
  algorithm: 'Ed25519';
  publicKey: string | null;
  records: number;
  items: AuditTreeHead[];
  next: string | null;
}

export interface AppConfig {
  version: string;
  basemap: { styleUrl: string | null; pmtilesUrl: string | null };
}
