import { MultiSelect, Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { useOrganisationOptions, useRoleOptions } from '../../http/lookups';
import type { Locale } from '../../http/types';

interface OrganisationSelectProps {
  value: string | null;
  onChange: (value: string | null) => void;
  error?: string;
  /** Shown even if the list of organisations cannot be read. */
  current?: { id: string; name: string };
}

export function OrganisationSelect({ value, onChange, error, current }: OrganisationSelectProps) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { options } = useOrganisationOptions();
  const data = [...options];
  for (const org of [current, me?.organisation]) {
    if (org && !data.some((o) => o.value === org.id)) data.push({ value: org.id, label: org.name });
  }
  return (
    <Select
      label={t('users.organisation')}
      required
      searchable
      data={data}
      value={value}
      onChange={onChange}
      error={error}
      allowDeselect={false}
      nothingFoundMessage={t('common.noResults')}
      data-testid="user-organisation"
    />
  );
}

export function RolesSelect(props: { value: string[]; onChange: (value: string[]) => void; error?: string }) {
  const { t } = useTranslation();
  const { options } = useRoleOptions(props.value);
  return (
    <MultiSelect
      label={t('users.roles')}
      data={options}
      value={props.value}
      onChange={props.onChange}
      error={props.error}
      searchable
      hidePickedOptions
      nothingFoundMessage={t('common.noResults')}
      data-testid="user-roles"
    />
  );
}

export function LocaleSelect(props: { value: Locale; onChange: (value: Locale) => void; error?: string }) {
  const { t } = useTranslation();
  return (
    <Select
      label={t('users.locale')}
      data={[
        { value: 'en', label: 'English' },
        { value: 'ar', label: 'العربية' },
      ]}
      value={props.value}
      onChange={(value) => props.onChange(value === 'ar' ? 'ar' : 'en')}
      error={props.error}
      allowDeselect={false}
    />
  );
}
