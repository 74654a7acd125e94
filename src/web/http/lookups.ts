/**
 * Reference lists that several screens use to fill selects: every organisation and
 * every role. Organisations are fetched page by page so the select is complete
 * however many there are.
 */
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';
import { organisationName } from '../pages/organisations/organisation-labels';
import { api } from './api-client';
import type { Organisation, Page, Role, RolesResponse } from './types';

const ORGANISATION_PAGE_SIZE = 100;

async function fetchAllOrganisations(): Promise<Organisation[]> {
  const all: Organisation[] = [];
  for (let page = 1; ; page += 1) {
    const result = await api.get<Page<Organisation>>('/api/organisations', {
      page,
      pageSize: ORGANISATION_PAGE_SIZE,
    });
    all.push(...result.items);
    if (result.items.length === 0 || all.length >= result.total) return all;
  }
}

export function useAllOrganisations() {
  const { can } = useSession();
  return useQuery({
    queryKey: ['organisations', 'all'],
    queryFn: fetchAllOrganisations,
    enabled: can('organisations.read'),
    staleTime: 60_000,
  });
}

export function useRoles() {
  const { can } = useSession();
  return useQuery({
    queryKey: ['roles'],
    queryFn: () => api.get<RolesResponse>('/api/roles'),
    enabled: can('roles.read'),
    staleTime: 60_000,
  });
}

export function roleName(role: Pick<Role, 'nameEn' | 'nameAr' | 'key'>, language: string): string {
  return (language === 'ar' ? role.nameAr : role.nameEn) || role.key;
}

/** Select options; falls back to the bare keys when the user may not read roles. */
export function useRoleOptions(extraKeys: string[] = []) {
  const { i18n } = useTranslation();
  const roles = useRoles();
  const language = i18n.resolvedLanguage ?? 'en';
  const options = (roles.data?.items ?? []).map((role) => ({
    value: role.key,
    label: roleName(role, language),
  }));
  for (const key of extraKeys) {
    if (!options.some((o) => o.value === key)) options.push({ value: key, label: key });
  }
  const labelOf = (key: string) => options.find((o) => o.value === key)?.label ?? key;
  return { options, labelOf, isPending: roles.isPending && roles.fetchStatus !== 'idle' };
}

export function useOrganisationOptions() {
  const { i18n } = useTranslation();
  const organisations = useAllOrganisations();
  const language = i18n.resolvedLanguage ?? 'en';
  // Sorted by the name shown: the server sorts by the English name, which means nothing in an Arabic list.
  const collator = new Intl.Collator(language);
  const options = (organisations.data ?? [])
    .map((org) => ({ value: org.id, label: organisationName(org, language) }))
    .sort((a, b) => collator.compare(a.label, b.label));
  return { options, error: organisations.error };
}
