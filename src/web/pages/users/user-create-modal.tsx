import { Button, Group, Modal, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { api } from '../../http/api-client';
import type { Locale, User } from '../../http/types';
import { currentLanguage } from '../../i18n/i18n';
import { LocaleSelect, OrganisationSelect, RolesSelect } from './user-fields';

const FIELDS = ['email', 'name', 'organisationId', 'roles', 'locale', 'password'];

export function UserCreateModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [organisationId, setOrganisationId] = useState<string | null>(null);
  const [roles, setRoles] = useState<string[]>([]);
  const [locale, setLocale] = useState<Locale>(currentLanguage());
  const [password, setPassword] = useState('');

  const create = useMutation({
    mutationFn: () =>
      api.post<User>('/api/users', {
        email: email.trim(),
        name: name.trim(),
        organisationId: organisationId ?? '',
        roles,
        locale,
        password,
      }),
    onSuccess: (user) => {
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      notifySuccess(t('users.createdNotice', { name: user.name }));
      onClose();
    },
  });

  const errors = fieldErrors(create.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <Modal opened onClose={onClose} title={t('users.create')} closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <ProblemAlert error={create.error} fields={FIELDS} />
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
            description={t('users.initialPasswordHint')}
            name="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
            visibilityToggleButtonProps={{ 'aria-label': t('common.toggleVisibility') }}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="user-create-submit">
              {t('users.createSubmit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
