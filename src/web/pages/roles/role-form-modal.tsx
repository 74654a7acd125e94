import { Button, Checkbox, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SESSION_KEY } from '../../auth/session';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { api } from '../../http/api-client';
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
  const queryClient = useQueryClient();
  const [key, setKey] = useState(role?.key ?? '');
  const [nameEn, setNameEn] = useState(role?.nameEn ?? '');
  const [nameAr, setNameAr] = useState(role?.nameAr ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [selected, setSelected] = useState<string[]>(role?.permissions ?? []);

  const save = useMutation({
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
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['roles'] });
      // A role change can change what the signed-in user may do.
      void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
      notifySuccess(t('roles.saved'));
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
      title={role ? t('roles.edit') : t('roles.create')}
      closeButtonProps={{ 'aria-label': t('common.close') }}
      size="lg"
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <ProblemAlert error={save.error} fields={FIELDS} />
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
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="role-submit">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
