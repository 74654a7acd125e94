/** The security log: alerts raised by repeated refusals, and the refusals behind one. */
import { queryOptions } from '@tanstack/react-query';
import { api, type QueryParams } from '../api-client';
import { queryKeys } from '../query-keys';
import type { ApiAnswer } from '../types';

const security = queryKeys('security');
const openAlertCount = security.kind('open-alert-count');
const alerts = security.kind('alerts');
const events = security.kind('events');

export type SecurityAlerts = ApiAnswer<'/api/security/alerts'>;
export type SecurityAlert = SecurityAlerts['items'][number];
export type SecurityEvents = ApiAnswer<'/api/security/events'>;

export const securityQueries = {
  all: security.all,
  /** How many alerts are open, for the navigation's badge; asked again every minute. */
  openAlertCount: () =>
    queryOptions({
      queryKey: openAlertCount(),
      queryFn: () => api.get<SecurityAlerts>('/api/security/alerts', { status: 'open', pageSize: 1 }),
      refetchInterval: 60_000,
    }),
  alerts: (status: string | null) =>
    queryOptions({ queryKey: alerts(status), queryFn: () => api.get<SecurityAlerts>('/api/security/alerts', { status, pageSize: 100 }) }),
  events: (filter: QueryParams) =>
    queryOptions({ queryKey: events(filter), queryFn: () => api.get<SecurityEvents>('/api/security/events', { ...filter, pageSize: 20 }) }),
};
