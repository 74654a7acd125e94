/** Organisations: one page of the directory, or every one of them (for selects and names). */
import { queryOptions } from '@tanstack/react-query';
import { api, type QueryParams } from '../api-client';
import { queryKeys } from '../query-keys';
import type { Organisation, Page } from '../types';

const keys = queryKeys('organisations');
const pageKey = keys.kind('page');
const everyKey = keys.kind('every');

const PAGE_SIZE = 100;

/** Fetched page by page, so a select is complete however many there are. */
async function fetchEvery(): Promise<Organisation[]> {
  const all: Organisation[] = [];
  for (let page = 1; ; page += 1) {
    const result = await api.get<Page<Organisation>>('/api/organisations', { page, pageSize: PAGE_SIZE });
    all.push(...result.items);
    if (result.items.length === 0 || all.length >= result.total) return all;
  }
}

export const organisationQueries = {
  all: keys.all,
  page: (params: QueryParams) =>
    queryOptions({ queryKey: pageKey(params), queryFn: () => api.get<Page<Organisation>>('/api/organisations', params) }),
  every: () => queryOptions({ queryKey: everyKey(), queryFn: fetchEvery, staleTime: 60_000 }),
};
