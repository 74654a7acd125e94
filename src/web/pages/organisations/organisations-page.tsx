import { Badge, Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ORGANISATION_TYPES } from '../../../shared/organisations.ts';
import { useSession } from '../../auth/session';
import { NoResultsRow } from '../../components/no-results-row';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { organisationQueries } from '../../http/queries/organisations';
import type { Organisation } from '../../http/types';
import { useFormat } from '../../i18n/format';
import { OrganisationFormModal } from './organisation-form-modal';
import { organisationName } from './organisation-labels';

const PAGE_SIZE = 25;

export function OrganisationsPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const { can } = useSession();
  const canManage = can('organisations.manage');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [type, setType] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Organisation | 'new' | null>(null);

  const params = { q, type, page, pageSize: PAGE_SIZE };
  const query = useQuery({ ...organisationQueries.page(params), placeholderData: keepPreviousData });

  const typeOptions = ORGANISATION_TYPES.map((value) => ({
    value,
    label: t(`organisationTypes.${value}`),
  }));

  return (
    <>
      <PageHeader title={t('organisations.title')}>
        {canManage && (
          <Button onClick={() => setEditing('new')} data-testid="organisation-create">
            {t('organisations.create')}
          </Button>
        )}
      </PageHeader>
      <Group mb="md" align="flex-end">
        <TextInput
          label={t('common.search')}
          placeholder={t('organisations.searchPlaceholder')}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
          }}
          type="search"
          w={{ base: '100%', sm: 280 }}
        />
        <Select
          label={t('organisations.type')}
          placeholder={t('common.any')}
          data={typeOptions}
          value={type}
          onChange={(value) => {
            setType(value);
            setPage(1);
          }}
          clearable
          w={{ base: '100%', sm: 240 }}
        />
      </Group>
      <QueryState isPending={query.isPending} error={query.error}>
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('organisations.name')}</Table.Th>
                <Table.Th>{t('organisations.type')}</Table.Th>
                <Table.Th>{t('organisations.country')}</Table.Th>
                <Table.Th>{t('organisations.requireTotp')}</Table.Th>
                <Table.Th>{t('common.created')}</Table.Th>
                {canManage && <Table.Th>{t('common.actions')}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data?.items.map((org) => (
                <Table.Tr key={org.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {organisationName(org, i18n.resolvedLanguage ?? 'en')}
                    </Text>
                    {i18n.resolvedLanguage === 'ar' && org.nameAr && (
                      <Text size="xs" c="dimmed" lang="en" dir="ltr" translate="no">
                        {org.name}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{t(`organisationTypes.${org.type}`)}</Table.Td>
                  <Table.Td translate="no">{org.countryCode ?? '—'}</Table.Td>
                  <Table.Td>
                    <Badge color={org.requireTotp ? 'teal' : 'gray'} variant="light">
                      {org.requireTotp ? t('common.yes') : t('common.no')}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.date(org.createdAt)}</Table.Td>
                  {canManage && (
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => setEditing(org)}
                        aria-label={t('organisations.editNamed', { name: organisationName(org, i18n.resolvedLanguage ?? 'en') })}
                      >
                        {t('common.edit')}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
              {query.data?.items.length === 0 && <NoResultsRow colSpan={canManage ? 6 : 5} hint="organisations" />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {query.data && <Pager page={page} pageSize={PAGE_SIZE} total={query.data.total} onChange={setPage} />}
      </QueryState>
      {editing && <OrganisationFormModal organisation={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}
