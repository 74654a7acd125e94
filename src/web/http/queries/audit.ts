/** The audit log: its records page by page, and the newest signed tree head. */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, type QueryParams } from '../api-client';
import { queryKeys } from '../query-keys';
import type { AuditCheckpoints, AuditPage } from '../types';

const audit = queryKeys('audit');
const records = audit.kind('records');
const latestHead = audit.kind('latest-head');

export const auditQueries = {
  all: audit.all,
  records: (filter: QueryParams, pageSize: number) =>
    infiniteQueryOptions({
      queryKey: records(filter, pageSize),
      queryFn: ({ pageParam }) => api.get<AuditPage>('/api/audit', { ...filter, cursor: pageParam, pageSize }),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.next ?? undefined,
    }),
  latestHead: () =>
    queryOptions({ queryKey: latestHead(), queryFn: () => api.get<AuditCheckpoints>('/api/audit/checkpoints', { pageSize: 1 }) }),
};
