import { Badge, Button, Code, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmModal } from '../../components/confirm-modal';
import { QueryState } from '../../components/query-state';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { tokenQueries } from '../../http/queries/access';
import type { ApiToken } from '../../http/types';
import { useFormat } from '../../i18n/format';
import { Section } from './section';
import { TokenCreateForm } from './token-create-form';

function tokenState(token: ApiToken): 'revoked' | 'expired' | 'active' {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && new Date(token.expiresAt).getTime() < Date.now()) return 'expired';
  return 'active';
}

const STATE_COLOURS = { active: 'teal', expired: 'gray', revoked: 'red' } as const;

export function TokensSection() {
  const { t } = useTranslation();
  const format = useFormat();
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const tokens = useQuery(tokenQueries.list());
  const revoke = useSaveMutation({
    mutationFn: (token: ApiToken) => api.delete(`/api/tokens/${token.id}`),
    invalidates: [tokenQueries.all],
    notice: () => t('tokens.revokedNotice'),
    onSaved: () => setRevoking(null),
  });

  return (
    <Section title={t('tokens.title')} intro={t('tokens.intro')}>
      <Code dir="ltr" w="fit-content">
        Authorization: Bearer &lt;token&gt;
      </Code>
      <TokenCreateForm />
      <QueryState isPending={tokens.isPending} error={tokens.error}>
        <Table.ScrollContainer minWidth={720}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('tokens.name')}</Table.Th>
                <Table.Th>{t('tokens.scopes')}</Table.Th>
                <Table.Th>{t('common.created')}</Table.Th>
                <Table.Th>{t('tokens.lastUsed')}</Table.Th>
                <Table.Th>{t('tokens.expires')}</Table.Th>
                <Table.Th>{t('tokens.state')}</Table.Th>
                <Table.Th>{t('common.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.data?.items.map((token) => {
                const state = tokenState(token);
                return (
                  <Table.Tr key={token.id}>
                    <Table.Td>{token.name}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {token.scopes.map((scope) => (
                          <Badge key={scope} size="xs" variant="outline" style={{ textTransform: 'none' }}>
                            {scope}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>{format.dateTime(token.createdAt)}</Table.Td>
                    <Table.Td>{format.dateTime(token.lastUsedAt) || t('tokens.never')}</Table.Td>
                    <Table.Td>{format.date(token.expiresAt) || t('tokens.noExpiry')}</Table.Td>
                    <Table.Td>
                      <Badge color={STATE_COLOURS[state]} variant="light">
                        {t(`tokens.states.${state}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {state !== 'revoked' && (
                        <Button
                          size="xs"
                          color="red"
                          variant="light"
                          onClick={() => {
                            revoke.reset();
                            setRevoking(token);
                          }}
                          aria-label={t('tokens.revokeNamed', { name: token.name })}
                        >
                          {t('tokens.revoke')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {tokens.data?.items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text c="dimmed" ta="center" py="sm" size="sm">
                      {t('tokens.none')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </QueryState>
      {revoking && (
        <ConfirmModal
          title={t('tokens.revoke')}
          message={t('tokens.revokeConfirm', { name: revoking.name })}
          confirmLabel={t('tokens.revoke')}
          color="red"
          loading={revoke.isPending}
          error={revoke.error}
          onConfirm={() => revoke.mutate(revoking)}
          onClose={() => setRevoking(null)}
        />
      )}
    </Section>
  );
}
