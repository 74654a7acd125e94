/**
 * Who is signed in. The session is a TanStack Query entry so that signing in, signing
 * out, and an expired cookie (any 401) all update one place. When a session starts, the
 * user's saved language applies unless a language was picked in this browser.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, use, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, onApiError, setCsrfToken } from '../http/api-client';
import { sessionQueries } from '../http/queries/session';
import type { Me, SessionResponse } from '../http/types';
import { changeLanguage, currentLanguage, hasPickedLanguage } from '../i18n/i18n';

export const SESSION_KEY = sessionQueries.current().queryKey;

interface SessionValue {
  me: Me | null;
  isLoading: boolean;
  error: unknown;
  retry: () => void;
  can: (permission: string) => boolean;
  /** True once the person signed out here, so the sign-in page need not send them back. */
  signedOut: boolean;
  /** Starts a session from a sign-in answer. */
  start: (session: SessionResponse) => void;
  /** Replaces the signed-in user after a profile change. */
  updateMe: (me: Me) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const query = useQuery(sessionQueries.current());
  const me = query.data?.user ?? null;
  const [signedOut, setSignedOut] = useState(false);

  // Whatever was cached belonged to the previous session and must not show to the next one.
  const forgetData = useCallback(() => queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] }), [queryClient]);

  const start = useCallback(
    (session: SessionResponse) => {
      setSignedOut(false);
      forgetData();
      setCsrfToken(session.csrfToken);
      queryClient.setQueryData(SESSION_KEY, session);
    },
    [queryClient, forgetData],
  );

  const updateMe = useCallback(
    (user: Me) => {
      queryClient.setQueryData<SessionResponse | null>(SESSION_KEY, (old) => (old ? { ...old, user } : old));
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/auth/sign-out');
    } finally {
      setSignedOut(true);
      setCsrfToken(null);
      forgetData();
      queryClient.setQueryData(SESSION_KEY, null);
    }
  }, [queryClient, forgetData]);

  useEffect(
    () =>
      onApiError((error) => {
        // Only "not signed in" ends the session: a wrong one-time code is also a 401.
        const expired = error.status === 401 && (!error.code || error.code === 'auth.unauthenticated');
        if (expired && queryClient.getQueryData(SESSION_KEY)) {
          setCsrfToken(null);
          forgetData();
          queryClient.setQueryData(SESSION_KEY, null);
        } else if (error.code === 'auth.totp-enrolment-required') {
          void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
        }
      }),
    [queryClient, forgetData],
  );

  const languageAppliedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!me) {
      languageAppliedFor.current = null;
      return;
    }
    if (languageAppliedFor.current === me.id) return;
    languageAppliedFor.current = me.id;
    if (!hasPickedLanguage() && me.locale !== currentLanguage()) {
      void changeLanguage(me.locale, { remember: false });
    }
  }, [me]);

  const value = useMemo<SessionValue>(
    () => ({
      me,
      isLoading: query.isPending,
      error: query.error,
      retry: () => void query.refetch(),
      can: (permission) => Boolean(me?.permissions.includes(permission)),
      signedOut,
      start,
      updateMe,
      signOut,
    }),
    [me, query.isPending, query.error, query.refetch, signedOut, start, updateMe, signOut],
  );

  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionValue {
  const value = use(SessionContext);
  if (!value) throw new Error('useSession must be used inside SessionProvider');
  return value;
}
