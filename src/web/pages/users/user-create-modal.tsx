import { PasswordInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { userQueries } from '../../http/queries/access';
import type { Locale, User } from '../../http/types';
import { currentLanguage } from '../../i18n/i18n';
import { LocaleSelect, OrganisationSelect, RolesSelect } from './user-fields';

const FIELDS = ['email', 'name', 'organisationId', 'roles', 'locale', 'password'];

export function UserCreateModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [organisationId, setOrganisationId] = useState<string | null>(null);
  const [roles, setRoles] = useState<string[]>([]);
  const [locale, setLocale] = useState<Locale>(currentLanguage());
  const [password, setPassword] = useState('');

  const create = useSaveMutation({
    mutationFn: () =>
      api.post<User>('/api/users', {
        email: email.trim(),
        name: name.trim(),
        organisationId: organisationId ?? '',
        roles,
        locale,
        password,
      }),
    invalidates: [userQueries.all],
    notice: (user) => t('users.createdNotice', { name: user.name }),
    onSaved: onClose,
  });
  const errors = fieldErrors(create.error);

  return (
    <FormModal
      title={t('users.create')}
      onClose={onClose}
      onSubmit={() => create.mutate()}
      error={create.error}
      fields={FIELDS}
      submitLabel={t('users.createSubmit')}
      submitting={create.isPending}
      submitTestId="user-create-submit"
    >
      <TextInput
        label={t('users.email')}
        name="email"
        type="email"
        autoComplete="off"
        required
        value={email}
        onChange={(e) => setEmail(e.currentTarget.value)}
        error={errors.email}
        data-autofocus
      />
      <TextInput
        label={t('users.name')}
        name="name"
        autoComplete="off"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errors.name}
      />
      <OrganisationSelect value={organisationId} onChange={setOrganisationId} error={errors.organisationId} />
      <RolesSelect value={roles} onChange={setRoles} error={errors.roles} />
      <LocaleSelect value={locale} onChange={setLocale} error={errors.locale} />
      <PasswordInput
        label={t('users.initialPassword')}
        description={`${t('passwords.rule')} ${t('users.initialPasswordHint')}`}
        name="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={errors.password}
        visibilityToggleButtonProps={{ 'aria-label': t('common.toggleVisibility') }}
      />
    </FormModal>
  );
}
