import { Button, Center, Table } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoResultsRow } from '../../components/no-results-row';
import { PageHeader } from '../../components/page-header';
import { ProblemAlert } from '../../components/problem-alert';
import { QueryState } from '../../components/query-state';
import { auditQueries } from '../../http/queries/audit';
import { AuditFilters, type AuditFilterValues, EMPTY_AUDIT_FILTERS } from './audit-filters';
import { AUDIT_COLUMNS, AuditRow } from './audit-row';
import { AuditSeal } from './audit-seal';

const PAGE_SIZE = 50;

/** Calendar days become instants in the user's time zone; the server's `to` is exclusive, so it is the next midnight. */
function toParams(filters: AuditFilterValues) {
  return {
    actor: filters.actor,
    organisationId: filters.organisationId,
    entityType: filters.entityType,
    entityId: filters.entityId,
    action: filters.action,
    from: filters.from ? dayjs(filters.from).startOf('day').toISOString() : null,
    to: filters.to ? dayjs(filters.to).add(1, 'day').startOf('day').toISOString() : null,
  };
}

export default function AuditPage() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<AuditFilterValues>(EMPTY_AUDIT_FILTERS);
  const params = toParams(filters);

  const query = useInfiniteQuery(auditQueries.records(params, PAGE_SIZE));
  const entries = query.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader title={t('audit.title')} />
      <AuditSeal />
      <AuditFilters value={filters} onApply={setFilters} />
      <QueryState isPending={query.isPending} error={query.error && !query.data ? query.error : null}>
        <Table.ScrollContainer minWidth={900}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('audit.time')}</Table.Th>
                <Table.Th>{t('audit.actor')}</Table.Th>
                <Table.Th>{t('audit.organisation')}</Table.Th>
                <Table.Th>{t('audit.action')}</Table.Th>
                <Table.Th>{t('audit.entity')}</Table.Th>
                <Table.Th>{t('audit.changes')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((entry) => (
                <AuditRow key={entry.id} entry={entry} />
              ))}
              {entries.length === 0 && <NoResultsRow colSpan={AUDIT_COLUMNS} hint="audit" />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {query.error && query.data && <ProblemAlert error={query.error} />}
        {query.hasNextPage && (
          <Center mt="md">
            <Button
              variant="default"
              onClick={() => void query.fetchNextPage()}
              loading={query.isFetchingNextPage}
              data-testid="audit-load-more"
            >
              {t('audit.loadMore')}
            </Button>
          </Center>
        )}
      </QueryState>
    </>
  );
}
