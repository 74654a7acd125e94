import { Button, Group } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { ConfirmModal } from '../../components/confirm-modal';
import { notifySuccess } from '../../components/problems';
import { api } from '../../http/api-client';
import type { User } from '../../http/types';
import { ResetPasswordModal } from './reset-password-modal';
import { UserEditModal } from './user-edit-modal';

type Dialog = 'edit' | 'toggle' | 'reset' | null;

export function UserActions({ user }: { user: User }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>(null);
  const action = user.disabled ? 'enable' : 'disable';

  const toggle = useMutation({
    mutationFn: () => api.post<User>(`/api/users/${user.id}/${action}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      notifySuccess(t(user.disabled ? 'users.enabledNotice' : 'users.disabledNotice', { name: user.name }));
      setDialog(null);
    },
  });

  return (
    <>
      <Group gap={4} wrap="nowrap">
        <Button size="xs" variant="light" onClick={() => setDialog('edit')} aria-label={t('users.editNamed', { name: user.name })}>
          {t('common.edit')}
        </Button>
        <Button
          size="xs"
          variant="light"
          color={user.disabled ? 'teal' : 'red'}
          onClick={() => {
            toggle.reset();
            setDialog('toggle');
          }}
          disabled={user.id === me?.id}
          aria-label={t(user.disabled ? 'users.enableNamed' : 'users.disableNamed', { name: user.name })}
        >
          {user.disabled ? t('users.enable') : t('users.disable')}
        </Button>
        <Button
          size="xs"
          variant="light"
          color="gray"
          onClick={() => setDialog('reset')}
          aria-label={t('users.resetPasswordNamed', { name: user.name })}
        >
          {t('users.resetPassword')}
        </Button>
      </Group>
      {dialog === 'edit' && <UserEditModal user={user} onClose={() => setDialog(null)} />}
      {dialog === 'reset' && <ResetPasswordModal user={user} onClose={() => setDialog(null)} />}
      {dialog === 'toggle' && (
        <ConfirmModal
          title={user.disabled ? t('users.enable') : t('users.disable')}
          message={t(user.disabled ? 'users.enableConfirm' : 'users.disableConfirm', { name: user.name })}
          confirmLabel={user.disabled ? t('users.enable') : t('users.disable')}
          color={user.disabled ? 'teal' : 'red'}
          loading={toggle.isPending}
          error={toggle.error}
          onConfirm={() => toggle.mutate()}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}
