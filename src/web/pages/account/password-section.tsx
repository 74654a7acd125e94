import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { api } from '../../http/api-client';
import { Section } from './section';

export function PasswordSection() {
  const { t } = useTranslation();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);

  const change = useMutation({
    mutationFn: () => api.post<void>('/api/auth/password', { currentPassword, newPassword }),
    onSuccess: () => {
      setCurrentPassword('');
      setNewPassword('');
      setConfirm('');
      notifySuccess(t('account.passwordChanged'));
    },
  });
  const errors = fieldErrors(change.error);
  const toggleProps = { 'aria-label': t('common.toggleVisibility') };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (newPassword !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate();
  };

  return (
    <Section title={t('account.changePassword')}>
      <form onSubmit={onSubmit} noValidate>
        <Stack maw={360}>
          <ProblemAlert error={change.error} fields={['currentPassword', 'newPassword']} />
          <PasswordInput
            label={t('account.currentPassword')}
            name="currentPassword"
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(e) => setCurrentPassword(e.currentTarget.value)}
            error={errors.currentPassword}
            visibilityToggleButtonProps={toggleProps}
          />
          <PasswordInput
            label={t('account.newPassword')}
            description={t('passwords.rule')}
            name="newPassword"
            autoComplete="new-password"
            required
            value={newPassword}
            onChange={(e) => setNewPassword(e.currentTarget.value)}
            error={errors.newPassword}
            visibilityToggleButtonProps={toggleProps}
          />
          <PasswordInput
            label={t('account.confirmPassword')}
            name="confirmPassword"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.currentTarget.value)}
            error={mismatch ? t('account.passwordMismatch') : undefined}
            visibilityToggleButtonProps={toggleProps}
          />
          <Group>
            <Button type="submit" loading={change.isPending}>
              {t('account.changePassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}
