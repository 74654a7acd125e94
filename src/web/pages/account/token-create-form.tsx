import { Alert, Button, Group, MultiSelect, NumberInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors } from '../../components/problems';
import { SecretValue } from '../../components/secret-value';
import { api } from '../../http/api-client';
import { tokenQueries } from '../../http/queries/access';
import type { ApiToken } from '../../http/types';
import { permissionLabel } from '../roles/permission-label';

/** A token can carry at most the permissions of the person who creates it. */
export function TokenCreateForm() {
  const { t } = useTranslation();
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiresInDays, setExpiresInDays] = useState<number | string>(90);

  const create = useMutation({
    mutationFn: () =>
      api.post<ApiToken & { token: string }>('/api/tokens', {
        name: name.trim(),
        scopes,
        expiresInDays: typeof expiresInDays === 'number' ? expiresInDays : undefined,
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: tokenQueries.all });
      setName('');
      setScopes([]);
    },
  });
  const errors = fieldErrors(create.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <Stack gap="sm">
      {create.data && (
        <Alert
          color="teal"
          title={t('tokens.createdTitle')}
          role="status"
          withCloseButton
          closeButtonLabel={t('common.close')}
          onClose={() => create.reset()}
        >
          <Stack gap="xs">
            <SecretValue label={t('tokens.token')} value={create.data.token} testId="token-value" />
            {t('common.shownOnce')}
          </Stack>
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          <ProblemAlert error={create.error} fields={['name', 'scopes', 'expiresInDays']} />
          <Group align="flex-start">
            <TextInput
              label={t('tokens.name')}
              name="tokenName"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              w={{ base: '100%', sm: 240 }}
            />
            <MultiSelect
              label={t('tokens.scopes')}
              data={(me?.permissions ?? []).map((key) => ({ value: key, label: permissionLabel(key) }))}
              value={scopes}
              onChange={setScopes}
              error={errors.scopes}
              searchable
              w={{ base: '100%', sm: 320 }}
            />
            <NumberInput
              label={t('tokens.expiresInDays')}
              min={1}
              max={366}
              value={expiresInDays}
              onChange={setExpiresInDays}
              error={errors.expiresInDays}
              allowDecimal={false}
              w={{ base: '100%', sm: 160 }}
            />
          </Group>
          <Group>
            <Button type="submit" loading={create.isPending} data-testid="token-create">
              {t('tokens.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
