import { TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { userQueries } from '../../http/queries/access';
import type { Locale, User } from '../../http/types';
import { LocaleSelect, OrganisationSelect, RolesSelect } from './user-fields';

const FIELDS = ['name', 'organisationId', 'roles', 'locale'];

export function UserEditModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(user.name);
  const [organisationId, setOrganisationId] = useState<string | null>(user.organisation.id);
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [locale, setLocale] = useState<Locale>(user.locale);

  const save = useSaveMutation({
    mutationFn: () => {
      // Send only what changed, so a partial permission to edit is not tripped by untouched fields.
      const body: Record<string, unknown> = {};
      if (name.trim() !== user.name) body.name = name.trim();
      if (organisationId && organisationId !== user.organisation.id) body.organisationId = organisationId;
      if (roles.join('\n') !== user.roles.join('\n')) body.roles = roles;
      if (locale !== user.locale) body.locale = locale;
      return api.patch<User>(`/api/users/${user.id}`, body);
    },
    invalidates: [userQueries.all],
    notice: () => t('users.savedNotice', { name: name.trim() }),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);

  return (
    <FormModal
      title={t('users.editTitle', { name: user.name })}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={FIELDS}
      submitLabel={t('common.save')}
      submitting={save.isPending}
      submitTestId="user-edit-submit"
    >
      <TextInput label={t('users.email')} value={user.email} readOnly dir="ltr" />
      <TextInput
        label={t('users.name')}
        name="name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errors.name}
      />
      <OrganisationSelect value={organisationId} onChange={setOrganisationId} error={errors.organisationId} current={user.organisation} />
      <RolesSelect value={roles} onChange={setRoles} error={errors.roles} />
      <LocaleSelect value={locale} onChange={setLocale} error={errors.locale} />
    </FormModal>
  );
}
