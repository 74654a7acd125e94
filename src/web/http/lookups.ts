/**
 * Reference lists that several screens use to fill selects: every organisation and
 * every role.
 */
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';
import { organisationName } from '../pages/organisations/organisation-labels';
import { roleQueries } from './queries/access';
import { organisationQueries } from './queries/organisations';
import type { Role } from './types';

export function useAllOrganisations() {
  const { can } = useSession();
  return useQuery({ ...organisationQueries.every(), enabled: can('organisations.read') });
}

export function useRoles() {
  const { can } = useSession();
  return useQuery({ ...roleQueries.list(), enabled: can('roles.read') });
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
