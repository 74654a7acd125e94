import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../auth/session';
import { NoResultsRow } from '../../components/no-results-row';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { claimQueries } from '../../http/queries/funding';
import { CLAIM_STATUSES, type ClaimStatus, STATUS_COLORS, useMonth, useUsd } from './claims-api';
import { DraftClaimModal } from './draft-claim-modal';
import { StrengthsPanel } from './strengths-panel';

export function ClaimStatusBadge({ status }: { status: ClaimStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" data-testid="claim-status" data-status={status}>
      {t(`claims.status.${status}`)}
    </Badge>
  );
}

export default function ClaimsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const usd = useUsd();
  const monthName = useMonth();
  const [status, setStatus] = useState<string | null>(null);
  const [drafting, setDrafting] = useState(false);
  const list = useQuery(claimQueries.list(status));

  return (
    <>
      <PageHeader title={t('claims.title')}>
        {can('funding.report') && (
          <Button onClick={() => setDrafting(true)} data-testid="draft-claim">
            {t('claims.draft.open')}
          </Button>
        )}
      </PageHeader>
      <Stack gap="xl">
        <Text c="dimmed" size="sm">
          {t('claims.formula')}
        </Text>
        <Group>
          <Select
            label={t('claims.status.label')}
            placeholder={t('common.any')}
            clearable
            data={CLAIM_STATUSES.map((s) => ({ value: s, label: t(`claims.status.${s}`) }))}
            value={status}
            onChange={setStatus}
            w={220}
          />
        </Group>
        <QueryState isPending={list.isPending} error={list.error}>
          <Table.ScrollContainer minWidth={760}>
            <Table striped highlightOnHover data-testid="claims-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('claims.country')}</Table.Th>
                  <Table.Th>{t('claims.contingent')}</Table.Th>
                  <Table.Th>{t('claims.month')}</Table.Th>
                  <Table.Th>{t('claims.status.label')}</Table.Th>
                  <Table.Th ta="end">{t('claims.total')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data?.items.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{c.countryName}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/funding/claims/${c.id}`} size="sm" fw={500} data-testid={`claim-link-${c.id}`}>
                        {c.contingent}
                      </Anchor>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{monthName(c.month)}</Table.Td>
                    <Table.Td>
                      <ClaimStatusBadge status={c.status} />
                    </Table.Td>
                    <Table.Td ta="end" style={{ whiteSpace: 'nowrap' }}>
                      {usd(c.totalUsd)}
                    </Table.Td>
                  </Table.Tr>
                ))}
                {list.data?.items.length === 0 && <NoResultsRow colSpan={5} hint="claims" />}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </QueryState>
        {can('funding.report') && <StrengthsPanel />}
      </Stack>
      {drafting && <DraftClaimModal onClose={() => setDrafting(false)} />}
    </>
  );
}
