import { Alert, Anchor, Box, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors } from '../../components/problems';
import { api, isApiError } from '../../http/api-client';
import type { SessionResponse } from '../../http/types';
import { LanguageSwitch } from '../../shell/language-switch';

interface SignInBody {
  email: string;
  password: string;
  totp?: string;
}

export function SignInPage() {
  const { t } = useTranslation();
  const { start } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [totpRequired, setTotpRequired] = useState(false);

  const signIn = useMutation({
    mutationFn: (body: SignInBody) => api.post<SessionResponse>('/api/auth/sign-in', body),
    onSuccess: start,
    onError: (error) => {
      if (isApiError(error) && error.code === 'auth.totp-required') setTotpRequired(true);
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const body: SignInBody = { email: email.trim(), password };
    if (totpRequired && totp) body.totp = totp.trim();
    signIn.mutate(body);
  };

  const askingForCode = isApiError(signIn.error) && signIn.error.code === 'auth.totp-required';
  const errors = fieldErrors(signIn.error);

  return (
    <Box mih="100dvh" bg="gray.0">
      <Group justify="flex-end" p="md">
        <LanguageSwitch />
      </Group>
      <Center px="md" pb="xl">
        <Paper component="main" withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
          <Stack gap="xs" mb="lg">
            <Title order={1}>{t('app.name')}</Title>
            <Text c="dimmed" size="sm">
              {t('auth.intro')}
            </Text>
          </Stack>
          <form onSubmit={onSubmit} noValidate>
            <Stack>
              {signIn.error && !askingForCode && <ProblemAlert error={signIn.error} fields={['email', 'password', 'totp']} />}
              <TextInput
                label={t('auth.email')}
                name="email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={errors.email}
                autoFocus
              />
              <PasswordInput
                label={t('auth.password')}
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={errors.password}
                visibilityToggleButtonProps={{ 'aria-label': t('common.toggleVisibility') }}
              />
              {totpRequired && (
                <>
                  {askingForCode && (
                    <Alert color="blue" role="status">
                      {t('auth.totpPrompt')}
                    </Alert>
                  )}
                  <TextInput
                    label={t('auth.totp')}
                    name="totp"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    pattern="[0-9]{6}"
                    maxLength={6}
                    required
                    value={totp}
                    onChange={(e) => setTotp(e.currentTarget.value.replace(/\D/g, ''))}
                    error={errors.totp}
                    autoFocus
                  />
                </>
              )}
              <Button type="submit" loading={signIn.isPending} fullWidth>
                {t('auth.signIn')}
              </Button>
            </Stack>
          </form>
          <Text size="sm" mt="lg" ta="center">
            <Anchor component={Link} to="/transparency" data-testid="transparency-link">
              {t('transparency.link')}
            </Anchor>
          </Text>
        </Paper>
      </Center>
    </Box>
  );
}
