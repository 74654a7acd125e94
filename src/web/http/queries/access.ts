/** Users, roles and the signed-in person's API tokens. */
import { queryOptions } from '@tanstack/react-query';
import { api, type QueryParams } from '../api-client';
import { queryKeys } from '../query-keys';
import type { ApiToken, Page, RolesResponse, User } from '../types';

const users = queryKeys('users');
const usersPage = users.kind('page');
const roles = queryKeys('roles');
const rolesList = roles.kind('list');
const tokens = queryKeys('tokens');
const tokensList = tokens.kind('list');

export const userQueries = {
  all: users.all,
  page: (params: QueryParams) => queryOptions({ queryKey: usersPage(params), queryFn: () => api.get<Page<User>>('/api/users', params) }),
};

export const roleQueries = {
  all: roles.all,
  list: () => queryOptions({ queryKey: rolesList(), queryFn: () => api.get<RolesResponse>('/api/roles'), staleTime: 60_000 }),
};

export const tokenQueries = {
  all: tokens.all,
  list: () => queryOptions({ queryKey: tokensList(), queryFn: () => api.get<{ items: ApiToken[] }>('/api/tokens') }),
};
