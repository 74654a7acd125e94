/** Who is signed in: the one query the session provider keeps. */
import { queryOptions } from '@tanstack/react-query';
import { api, isApiError, setCsrfToken } from '../api-client';
import { queryKeys } from '../query-keys';
import type { SessionResponse } from '../types';

const keys = queryKeys('session');
const current = keys.kind('current');

async function fetchSession(): Promise<SessionResponse | null> {
  try {
    const session = await api.get<SessionResponse>('/api/auth/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (isApiError(error) && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export const sessionQueries = {
  all: keys.all,
  current: () => queryOptions({ queryKey: current(), queryFn: fetchSession, staleTime: Infinity }),
};
