import { Anchor, Button, Card, Group, List, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { ExpressionText } from '../../components/expression-text';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { fundingQueries } from '../../http/queries/funding';
import { useFormat } from '../../i18n/format';
import { localised, useConditionCodes } from '../conditions/conditions-api';
import { StatusBadge } from '../conditions/values-list';
import { type Tranche, useMoney } from './funding-api';
import { FundingTabs, TrancheStateBadge } from './funding-parts';
import { PostingFormModal } from './posting-form-modal';

export default function PledgePage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const format = useFormat();
  const money = useMoney();
  const language = i18n.resolvedLanguage;
  const [receiving, setReceiving] = useState<Tranche | null>(null);
  const pledge = useQuery(fundingQueries.pledge(id ?? ''));
  const p = pledge.data;
  const codeOf = useConditionCodes();

  return (
    <>
      <FundingTabs />
      <Anchor component={Link} to="/funding/pledges" size="sm" mb="xs" display="inline-block">
        {t('funding.pledges.back')}
      </Anchor>
      <QueryState isPending={pledge.isPending} error={pledge.error}>
        {p && (
          <>
            <PageHeader title={p.title} />
            <Stack gap="lg">
              <SimpleGrid cols={{ base: 2, sm: 4 }}>
                <Card withBorder padding="sm">
                  <Text size="xs" c="dimmed">
                    {t('funding.donor')}
                  </Text>
                  <Text fw={600}>{p.donorName}</Text>
                  <Text size="xs">{p.instrumentName}</Text>
                </Card>
                <Card withBorder padding="sm" data-testid="pledge-amount">
                  <Text size="xs" c="dimmed">
                    {t('funding.figures.pledged')}
                  </Text>
                  <Text fw={600}>{money.inCurrency(p.amount, p.currency)}</Text>
                  {p.currency !== 'USD' && <Text size="xs">{money.usd(p.amountUsd)}</Text>}
                  <Text size="xs" c="dimmed">
                    {t('funding.notFunding')}
                  </Text>
                </Card>
                <Card withBorder padding="sm" data-testid="pledge-received">
                  <Text size="xs" c="dimmed">
                    {t('funding.pledges.received')}
                  </Text>
                  <Text fw={600}>{money.usd(p.receivedUsd)}</Text>
                </Card>
                <Card withBorder padding="sm">
                  <Text size="xs" c="dimmed">
                    {t('funding.pledges.pledgedOn')}
                  </Text>
                  <Text fw={600}>{format.date(p.pledgedOn)}</Text>
                </Card>
              </SimpleGrid>
              <section aria-labelledby="tranches-title">
                <Title order={3} id="tranches-title" mb="sm">
                  {t('funding.pledges.tranches')}
                </Title>
                <Table.ScrollContainer minWidth={760}>
                  <Table data-testid="tranches-table">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>#</Table.Th>
                        <Table.Th style={{ textAlign: 'end' }}>{t('funding.amount')}</Table.Th>
                        <Table.Th>{t('funding.pledges.expectedOn')}</Table.Th>
                        <Table.Th>{t('funding.pledges.state')}</Table.Th>
                        <Table.Th>{t('funding.pledges.waitsOn')}</Table.Th>
                        <Table.Th style={{ textAlign: 'end' }}>{t('funding.pledges.received')}</Table.Th>
                        {can('funding.post') && <Table.Th>{t('common.actions')}</Table.Th>}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {p.tranches.map((tr) => (
                        <Table.Tr key={tr.id} data-testid={`tranche-${tr.seq}`} data-state={tr.state}>
                          <Table.Td>{format.number(tr.seq)}</Table.Td>
                          <Table.Td style={{ textAlign: 'end', whiteSpace: 'nowrap' }}>
                            {money.inCurrency(tr.amount, tr.currency)}
                            {tr.currency !== 'USD' && (
                              <Text size="xs" c="dimmed">
                                {money.usd(tr.amountUsd)}
                              </Text>
                            )}
                          </Table.Td>
                          <Table.Td>{tr.expectedOn ? format.date(tr.expectedOn) : '—'}</Table.Td>
                          <Table.Td>
                            <TrancheStateBadge state={tr.state} />
                          </Table.Td>
                          <Table.Td>
                            {tr.gate && (
                              <Text size="sm" mb={4} data-testid="tranche-gate">
                                {t('funding.pledges.gateExpression')}: <ExpressionText expression={tr.gate} codeOf={codeOf} />
                              </Text>
                            )}
                            {tr.state === 'blocked' || tr.state === 'expected' ? (
                              <List size="sm" spacing={4} data-testid="tranche-waits-on">
                                {tr.opensOn && (
                                  <List.Item data-testid="tranche-opens-on">
                                    {t('funding.pledges.opensOn', { date: format.date(tr.opensOn) })}
                                  </List.Item>
                                )}
                                {tr.waitsOn.map((c) => (
                                  <List.Item key={c.id}>
                                    <Group gap={6} wrap="nowrap">
                                      <Anchor component={Link} to={`/conditions/${c.id}`} size="sm" data-testid={`waits-on-${c.id}`}>
                                        {localised(language, c.titleEn, c.titleAr)}
                                      </Anchor>
                                      <StatusBadge status={c.status} />
                                    </Group>
                                  </List.Item>
                                ))}
                                {tr.hiddenWaitsOn > 0 && (
                                  <List.Item data-testid="tranche-waits-on-hidden">
                                    {t('funding.pledges.hiddenWaitsOn', { count: tr.hiddenWaitsOn })}
                                  </List.Item>
                                )}
                              </List>
                            ) : tr.gate ? (
                              <Text size="sm" c="dimmed">
                                {t('funding.pledges.gateOpen')}
                              </Text>
                            ) : (
                              <Text size="sm" c="dimmed">
                                {t('funding.pledges.noGate')}
                              </Text>
                            )}
                          </Table.Td>
                          <Table.Td style={{ textAlign: 'end', whiteSpace: 'nowrap' }}>{money.usd(tr.receivedUsd)}</Table.Td>
                          {can('funding.post') && (
                            <Table.Td>
                              {tr.state === 'open' && (
                                <Button
                                  size="compact-sm"
                                  variant="light"
                                  onClick={() => setReceiving(tr)}
                                  data-testid={`tranche-receive-${tr.seq}`}
                                >
                                  {t('funding.pledges.postReceipt')}
                                </Button>
                              )}
                            </Table.Td>
                          )}
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </section>
            </Stack>
            {receiving && (
              <PostingFormModal
                kind="receipt"
                tranche={{
                  id: receiving.id,
                  instrumentId: p.instrumentId,
                  amount: receiving.amount,
                  currency: receiving.currency,
                  label: `${p.title} #${receiving.seq}`,
                }}
                onClose={() => setReceiving(null)}
              />
            )}
          </>
        )}
      </QueryState>
    </>
  );
}
