import { Anchor, Button, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { NoResultsRow } from '../../components/no-results-row';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { conditionQueries } from '../../http/queries/conditions';
import { useFormat } from '../../i18n/format';
import { localised, useAnalysis } from './conditions-api';
import { LongPolePanel } from './long-pole-panel';
import { StatusBadge, ValuesList } from './values-list';
import { WhatIfPanel } from './what-if-panel';

export default function ConditionsPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const list = useQuery(conditionQueries.list());
  const analysis = useAnalysis();

  return (
    <>
      <PageHeader title={t('conditions.title')}>
        <Button component={Link} to="/conditions/graph" variant="light" data-testid="open-graph">
          {t('conditions.graph.open')}
        </Button>
      </PageHeader>
      <Stack gap="xl">
        <QueryState isPending={list.isPending} error={list.error}>
          <Table.ScrollContainer minWidth={860}>
            <Table striped highlightOnHover data-testid="conditions-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('conditions.condition')}</Table.Th>
                  <Table.Th>{t('conditions.status')}</Table.Th>
                  <Table.Th>{t('conditions.targetDate')}</Table.Th>
                  <Table.Th>{t('conditions.measures.alone')}</Table.Th>
                  <Table.Th>{t('conditions.measures.withOthers')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data?.items.map((c) => (
                  <Table.Tr key={c.id} data-testid={`condition-row-${c.code}`}>
                    <Table.Td>
                      <Anchor component={Link} to={`/conditions/${c.id}`} size="sm" fw={500} data-testid={`condition-link-${c.id}`}>
                        {localised(i18n.resolvedLanguage, c.titleEn, c.titleAr)}
                      </Anchor>
                      <Text size="xs" c="dimmed" dir="ltr" lang="en">
                        {c.code}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={c.status} />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{c.targetDate ? format.date(c.targetDate) : '—'}</Table.Td>
                    <Table.Td>
                      <ValuesList values={c.heldBack} />
                    </Table.Td>
                    <Table.Td>
                      <ValuesList values={c.inUnlockingSets} />
                    </Table.Td>
                  </Table.Tr>
                ))}
                {list.data?.items.length === 0 && <NoResultsRow colSpan={5} hint="conditions" />}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </QueryState>
        <section aria-labelledby="long-pole-title">
          <Title order={3} id="long-pole-title" mb="sm">
            {t('conditions.longPole.title')}
          </Title>
          <QueryState isPending={analysis.isPending} error={analysis.error}>
            {analysis.data && <LongPolePanel analysis={analysis.data} />}
          </QueryState>
        </section>
        <section aria-labelledby="what-if-title">
          <Title order={3} id="what-if-title" mb="sm">
            {t('conditions.whatIf.title')}
          </Title>
          <QueryState isPending={analysis.isPending} error={analysis.error}>
            {analysis.data && <WhatIfPanel analysis={analysis.data} />}
          </QueryState>
        </section>
      </Stack>
    </>
  );
}
