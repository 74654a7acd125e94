import { ActionIcon, Menu } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { ConfirmModal } from '../../components/confirm-modal';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { userQueries } from '../../http/queries/access';
import type { User } from '../../http/types';
import { ResetPasswordModal } from './reset-password-modal';
import { UserEditModal } from './user-edit-modal';

type Dialog = 'edit' | 'toggle' | 'reset' | null;

/** Three dots in a row: the usual sign for "more actions". */
function MoreIcon() {
  return (
    <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="currentColor">
      <circle cx="5" cy="12" r="2" />
      <circle cx="12" cy="12" r="2" />
      <circle cx="19" cy="12" r="2" />
    </svg>
  );
}

/** A user's row actions, in a menu so that the table fits beside the navigation. */
export function UserActions({ user }: { user: User }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const [dialog, setDialog] = useState<Dialog>(null);
  const action = user.disabled ? 'enable' : 'disable';

  const toggle = useSaveMutation({
    mutationFn: () => api.post<User>(`/api/users/${user.id}/${action}`),
    invalidates: [userQueries.all],
    notice: () => t(user.disabled ? 'users.enabledNotice' : 'users.disabledNotice', { name: user.name }),
    onSaved: () => setDialog(null),
  });

  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" size="lg" aria-label={t('users.actionsFor', { name: user.name })}>
            <MoreIcon />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => setDialog('edit')}>{t('common.edit')}</Menu.Item>
          <Menu.Item onClick={() => setDialog('reset')}>{t('users.resetPassword')}</Menu.Item>
          <Menu.Divider />
          <Menu.Item
            color={user.disabled ? 'teal' : 'red'}
            disabled={user.id === me?.id}
            onClick={() => {
              toggle.reset();
              setDialog('toggle');
            }}
          >
            {user.disabled ? t('users.enable') : t('users.disable')}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {dialog === 'edit' && <UserEditModal user={user} onClose={() => setDialog(null)} />}
      {dialog === 'reset' && <ResetPasswordModal user={user} onClose={() => setDialog(null)} />}
      {dialog === 'toggle' && (
        <ConfirmModal
          title={t(user.disabled ? 'users.enableNamed' : 'users.disableNamed', { name: user.name })}
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
