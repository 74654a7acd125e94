import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { api } from '../../http/api-client';
import type { Locale, User } from '../../http/types';
import { LocaleSelect, OrganisationSelect, RolesSelect } from './user-fields';

const FIELDS = ['name', 'organisationId', 'roles', 'locale'];

export function UserEditModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState(user.name);
  const [organisationId, setOrganisationId] = useState<string | null>(user.organisation.id);
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [locale, setLocale] = useState<Locale>(user.locale);

  const save = useMutation({
    mutationFn: () => {
      // Send only what changed, so a partial permission to edit is not tripped by untouched fields.
      const body: Record<string, unknown> = {};
      if (name.trim() !== user.name) body.name = name.trim();
      if (organisationId && organisationId !== user.organisation.id) body.organisationId = organisationId;
      if (roles.join('\n') !== user.roles.join('\n')) body.roles = roles;
      if (locale !== user.locale) body.locale = locale;
      return api.patch<User>(`/api/users/${user.id}`, body);
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      notifySuccess(t('users.savedNotice', { name: name.trim() }));
      onClose();
    },
  });

  const errors = fieldErrors(save.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={t('users.editTitle', { name: user.name })}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <ProblemAlert error={save.error} fields={FIELDS} />
          <TextInput label={t('users.email')} value={user.email} readOnly dir="ltr" />
          <TextInput
            label={t('users.name')}
            name="name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
          />
          <OrganisationSelect
            value={organisationId}
            onChange={setOrganisationId}
            error={errors.organisationId}
            current={user.organisation}
          />
          <RolesSelect value={roles} onChange={setRoles} error={errors.roles} />
          <LocaleSelect value={locale} onChange={setLocale} error={errors.locale} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="user-edit-submit">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
