import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors } from '../../components/problems';
import { SecretValue } from '../../components/secret-value';
import { api } from '../../http/api-client';
import type { User } from '../../http/types';

export function ResetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: () => api.post<{ temporaryPassword: string }>(`/api/users/${user.id}/reset-password`, password ? { password } : {}),
  });
  const errors = fieldErrors(reset.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    reset.mutate();
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={t('users.resetPasswordTitle', { name: user.name })}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      {reset.data ? (
        <Stack>
          <Alert color="teal" role="status">
            {t('users.resetDone')}
          </Alert>
          <SecretValue label={t('users.temporaryPassword')} value={reset.data.temporaryPassword} testId="temporary-password" />
          <Text size="sm" c="dimmed">
            {t('common.shownOnce')}
          </Text>
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('common.done')}</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <ProblemAlert error={reset.error} fields={['password']} />
            <Text size="sm">{t('users.resetExplain')}</Text>
            <PasswordInput
              label={t('users.newPasswordOptional')}
              description={t('passwords.rule')}
              name="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={errors.password}
              visibilityToggleButtonProps={{ 'aria-label': t('common.toggleVisibility') }}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" color="red" loading={reset.isPending}>
                {t('users.resetPassword')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
