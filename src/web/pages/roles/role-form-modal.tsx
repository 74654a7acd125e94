import { Checkbox, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SESSION_KEY } from '../../auth/session';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { roleQueries } from '../../http/queries/access';
import type { Role } from '../../http/types';
import { permissionLabel } from './permission-label';

interface Props {
  /** null to create a new role. */
  role: Role | null;
  permissions: { key: string; description: string }[];
  onClose: () => void;
}

const FIELDS = ['key', 'nameEn', 'nameAr', 'description', 'permissions'];

export function RoleFormModal({ role, permissions, onClose }: Props) {
  const { t } = useTranslation();
  const [key, setKey] = useState(role?.key ?? '');
  const [nameEn, setNameEn] = useState(role?.nameEn ?? '');
  const [nameAr, setNameAr] = useState(role?.nameAr ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [selected, setSelected] = useState<string[]>(role?.permissions ?? []);

  const save = useSaveMutation({
    mutationFn: () => {
      const body = {
        nameEn: nameEn.trim(),
        nameAr: nameAr.trim(),
        description: description.trim(),
        permissions: selected,
      };
      return role
        ? api.patch<Role>(`/api/roles/${encodeURIComponent(role.key)}`, body)
        : api.post<Role>('/api/roles', { key: key.trim(), ...body });
    },
    // A role change can change what the signed-in user may do.
    invalidates: [roleQueries.all, SESSION_KEY],
    notice: () => t('roles.saved'),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);

  return (
    <FormModal
      title={role ? t('roles.edit') : t('roles.create')}
      size="lg"
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={FIELDS}
      submitLabel={t('common.save')}
      submitting={save.isPending}
      submitTestId="role-submit"
    >
      <TextInput
        label={t('roles.key')}
        description={role ? undefined : t('roles.keyHint')}
        name="key"
        required
        dir="ltr"
        value={key}
        onChange={(e) => setKey(e.currentTarget.value)}
        error={errors.key}
        readOnly={Boolean(role)}
        data-autofocus={role ? undefined : true}
      />
      <TextInput
        label={t('roles.nameEn')}
        name="nameEn"
        lang="en"
        dir="ltr"
        required
        value={nameEn}
        onChange={(e) => setNameEn(e.currentTarget.value)}
        error={errors.nameEn}
      />
      <TextInput
        label={t('roles.nameAr')}
        name="nameAr"
        lang="ar"
        dir="rtl"
        required
        value={nameAr}
        onChange={(e) => setNameAr(e.currentTarget.value)}
        error={errors.nameAr}
      />
      <Textarea
        label={t('roles.description')}
        name="description"
        autosize
        minRows={2}
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
        error={errors.description}
      />
      <Checkbox.Group label={t('roles.permissions')} value={selected} onChange={setSelected} error={errors.permissions}>
        <Stack gap="xs" mt="xs">
          {permissions.map((permission) => (
            <Checkbox
              key={permission.key}
              value={permission.key}
              label={permissionLabel(permission.key, permission.description)}
              description={<bdi>{permission.key}</bdi>}
            />
          ))}
        </Stack>
      </Checkbox.Group>
    </FormModal>
  );
}
