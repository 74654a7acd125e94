/**
 * Shapes of the JSON the server answers with, taken from the types generated from
 * docs/openapi.json (`npm run openapi` writes api-types.ts), so the web app is checked
 * against the API it talks to rather than against a copy typed by hand.
 */
import type { Locale, OrganisationType } from '../../shared/organisations.ts';
import type { components, paths } from './api-types';

export type { Locale, OrganisationType };

type Schemas = components['schemas'];
type Methods = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body that `method path` answers with when it succeeds (200 or 201). */
export type ApiAnswer<P extends keyof paths, M extends Methods & keyof paths[P] = 'get' & keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : never
  : never;

/** The JSON body that `method path` takes. */
export type ApiBody<P extends keyof paths, M extends Methods & keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The query parameters that `GET path` takes. */
export type ApiQuery<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? Q : never;

export type Me = Omit<Schemas['Me'], 'organisation'> & {
  organisation: Omit<Schemas['Me']['organisation'], 'type'> & { type: OrganisationType };
};
export type SessionResponse = Omit<ApiAnswer<'/api/auth/session'>, 'user'> & { user: Me };

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export type Organisation = Schemas['Organisation'];
export type User = Schemas['User'];
export type Role = Schemas['Role'];
export type RolesResponse = ApiAnswer<'/api/roles'>;
export type ApiToken = Schemas['ApiToken'];

export type AuditPage = ApiAnswer<'/api/audit'>;
export type AuditEntry = AuditPage['items'][number];
export type AuditVerification = ApiAnswer<'/api/audit/verify'>;
export type AuditFinding = AuditVerification['findings'][number];
export type AuditHeadSummary = NonNullable<AuditVerification['latestHead']>;
export type AuditCheckpoints = ApiAnswer<'/api/audit/checkpoints'>;
export type AuditTreeHead = AuditCheckpoints['items'][number];

export type AppConfig = ApiAnswer<'/api/config'>;
