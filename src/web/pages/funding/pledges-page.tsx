import { Anchor, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../auth/session';
import { NoResultsRow } from '../../components/no-results-row';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { useFormat } from '../../i18n/format';
import { useMoney, usePledges } from './funding-api';
import { FundingTabs, TrancheStateBadge } from './funding-parts';
import { PledgeFormModal } from './pledge-form-modal';

export default function PledgesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const format = useFormat();
  const money = useMoney();
  const pledges = usePledges();
  const [recording, setRecording] = useState(false);

  return (
    <>
      <PageHeader title={t('funding.pledges.title')}>
        {can('funding.manage') && (
          <Button onClick={() => setRecording(true)} data-testid="pledge-record">
            {t('funding.pledges.record')}
          </Button>
        )}
      </PageHeader>
      <FundingTabs />
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('funding.pledgeNote')}
        </Text>
        <QueryState isPending={pledges.isPending} error={pledges.error}>
          <Table.ScrollContainer minWidth={860}>
            <Table striped highlightOnHover data-testid="pledges-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('funding.pledges.pledge')}</Table.Th>
                  <Table.Th>{t('funding.donor')}</Table.Th>
                  <Table.Th>{t('funding.pledges.pledgedOn')}</Table.Th>
                  <Table.Th style={{ textAlign: 'end' }}>{t('funding.amount')}</Table.Th>
                  <Table.Th style={{ textAlign: 'end' }}>{t('funding.pledges.received')}</Table.Th>
                  <Table.Th>{t('funding.pledges.tranches')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {pledges.data?.map((p) => (
                  <Table.Tr key={p.id} data-testid="pledge-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/funding/pledges/${p.id}`} fw={500} size="sm" data-testid={`pledge-link-${p.id}`}>
                        {p.title}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {p.instrumentName}
                      </Text>
                    </Table.Td>
                    <Table.Td>{p.donorName}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.date(p.pledgedOn)}</Table.Td>
                    <Table.Td style={{ textAlign: 'end', whiteSpace: 'nowrap' }}>
                      {money.inCurrency(p.amount, p.currency)}
                      {p.currency !== 'USD' && (
                        <Text size="xs" c="dimmed">
                          {money.usd(p.amountUsd)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td style={{ textAlign: 'end', whiteSpace: 'nowrap' }}>{money.usd(p.receivedUsd)}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {p.tranches.map((tr) => (
                          <TrancheStateBadge key={tr.id} state={tr.state} />
                        ))}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
                {pledges.data?.length === 0 && <NoResultsRow colSpan={6} hint="pledges" />}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </QueryState>
      </Stack>
      {recording && <PledgeFormModal onClose={() => setRecording(false)} />}
    </>
  );
}
