import { Alert, Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { SecretValue } from '../../components/secret-value';
import { api } from '../../http/api-client';
import type { Me } from '../../http/types';
import { Section } from './section';

function CodeInput(props: { value: string; onChange: (value: string) => void; error?: string }) {
  const { t } = useTranslation();
  return (
    <TextInput
      label={t('account.totpCode')}
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value.replace(/\D/g, ''))}
      error={props.error}
      w={200}
    />
  );
}

export function TotpSection() {
  const { t } = useTranslation();
  const { me, updateMe } = useSession();
  const [code, setCode] = useState('');

  const enrol = useMutation({
    mutationFn: () => api.post<{ secret: string; otpauthUrl: string }>('/api/auth/totp/enrol'),
  });
  const confirm = useMutation({
    mutationFn: () => api.post<Me>('/api/auth/totp/confirm', { code }),
    onSuccess: (user) => {
      updateMe(user);
      enrol.reset();
      setCode('');
      notifySuccess(t('account.totpEnabledNotice'));
    },
  });
  const disable = useMutation({
    mutationFn: () => api.post<Me>('/api/auth/totp/disable', { code }),
    onSuccess: (user) => {
      updateMe(user);
      setCode('');
      notifySuccess(t('account.totpDisabledNotice'));
    },
  });
  if (!me) return null;

  const onConfirm = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate();
  };
  const onDisable = (event: FormEvent) => {
    event.preventDefault();
    disable.mutate();
  };

  return (
    <Section title={t('account.totp')} intro={t('account.totpIntro')}>
      <Group gap="xs">
        <Text size="sm">{t('account.totpStatus')}</Text>
        <Badge color={me.totpEnabled ? 'teal' : 'gray'} variant="light" data-testid="totp-status">
          {me.totpEnabled ? t('account.totpOn') : t('account.totpOff')}
        </Badge>
      </Group>

      {me.totpEnabled ? (
        <form onSubmit={onDisable} noValidate>
          <Stack gap="sm">
            <Text size="sm">{t('account.totpDisableExplain')}</Text>
            <ProblemAlert error={disable.error} fields={['code']} />
            <Group align="flex-end">
              <CodeInput value={code} onChange={setCode} error={fieldErrors(disable.error).code} />
              <Button type="submit" color="red" variant="light" loading={disable.isPending}>
                {t('account.totpDisable')}
              </Button>
            </Group>
          </Stack>
        </form>
      ) : enrol.data ? (
        <form onSubmit={onConfirm} noValidate>
          <Stack gap="sm">
            <Alert color="blue">{t('account.totpEnrolSteps')}</Alert>
            <SecretValue label={t('account.totpSecret')} value={enrol.data.secret} testId="totp-secret" />
            <SecretValue label={t('account.totpUrl')} value={enrol.data.otpauthUrl} testId="totp-url" />
            <ProblemAlert error={confirm.error} fields={['code']} />
            <Group align="flex-end">
              <CodeInput value={code} onChange={setCode} error={fieldErrors(confirm.error).code} />
              <Button type="submit" loading={confirm.isPending} data-testid="totp-confirm">
                {t('account.totpConfirm')}
              </Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <Stack gap="sm">
          <ProblemAlert error={enrol.error} />
          <Group>
            <Button onClick={() => enrol.mutate()} loading={enrol.isPending} data-testid="totp-enrol">
              {t('account.totpEnrol')}
            </Button>
          </Group>
        </Stack>
      )}
    </Section>
  );
}
