import { Anchor, Badge, Button, Group, NativeSelect, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../auth/session';
import { NoResultsRow } from '../../components/no-results-row';
import { OrganisationName } from '../../components/organisation-name';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { stakeholderQueries } from '../../http/queries/conditions';
import type { Organisation } from '../../http/types';
import { useFormat } from '../../i18n/format';
import { localised } from '../conditions/conditions-api';
import { StakeholderFormModal } from './stakeholder-form-modal';
import { STAKEHOLDER_KINDS, STANCE_COLORS, STANCES, type StakeholderKind, today, useOrganisations, usePositions } from './stakeholders-api';

const PAGE_SIZE = 25;

/** How many subjects the stakeholder currently holds each stance on, and when it last spoke. */
function StanceSummary({ stakeholderId }: { stakeholderId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const current = usePositions(stakeholderId, today());
  if (current.isPending)
    return (
      <Text size="sm" c="dimmed">
        …
      </Text>
    );
  const items = current.data?.items ?? [];
  if (!items.length) {
    return (
      <Text size="sm" c="dimmed">
        {t('stakeholders.noPositions')}
      </Text>
    );
  }
  const latest = items.reduce((a, b) => (b.statedOn > a.statedOn ? b : a));
  return (
    <Group gap={4} data-testid="stance-summary">
      {STANCES.map((stance) => {
        const n = items.filter((p) => p.stance === stance).length;
        return n ? (
          <Badge key={stance} color={STANCE_COLORS[stance]} variant="light" data-stance={stance}>
            {t(`stakeholders.stances.${stance}`)} {format.number(n)}
          </Badge>
        ) : null;
      })}
      <Text size="xs" c="dimmed">
        {t('stakeholders.lastStated', { date: format.date(latest.statedOn) })}
      </Text>
    </Group>
  );
}

export default function StakeholdersPage() {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<StakeholderKind | ''>('');
  const [search] = useDebouncedValue(q, 300);
  const [adding, setAdding] = useState(false);
  const organisations = useOrganisations();

  const list = useQuery({
    ...stakeholderQueries.page({ page, pageSize: PAGE_SIZE, q: search, kind }),
    placeholderData: (previous) => previous,
  });

  return (
    <>
      <PageHeader title={t('stakeholders.title')}>
        {can('conditions.manage') && (
          <Button onClick={() => setAdding(true)} data-testid="stakeholder-add">
            {t('stakeholders.add')}
          </Button>
        )}
      </PageHeader>
      <Group mb="md" gap="sm" align="flex-end">
        <TextInput
          label={t('common.search')}
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setPage(1);
          }}
          data-testid="stakeholder-search"
        />
        <NativeSelect
          label={t('stakeholders.kind')}
          value={kind}
          onChange={(e) => {
            setKind(e.currentTarget.value as StakeholderKind | '');
            setPage(1);
          }}
          data={[
            { value: '', label: t('stakeholders.allKinds') },
            ...STAKEHOLDER_KINDS.map((k) => ({ value: k, label: t(`stakeholders.kinds.${k}`) })),
          ]}
        />
      </Group>
      <QueryState isPending={list.isPending} error={list.error}>
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover data-testid="stakeholders-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('stakeholders.name')}</Table.Th>
                <Table.Th>{t('stakeholders.kind')}</Table.Th>
                <Table.Th>{t('stakeholders.organisation')}</Table.Th>
                <Table.Th>{t('stakeholders.currentStances')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data?.items.map((s) => {
                const organisation: Organisation | undefined = s.organisationId ? organisations.get(s.organisationId) : undefined;
                return (
                  <Table.Tr key={s.id} data-testid="stakeholder-row" data-stakeholder-id={s.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/stakeholders/${s.id}`} size="sm" fw={500} data-testid={`stakeholder-link-${s.id}`}>
                        {localised(i18n.resolvedLanguage, s.name, s.nameAr)}
                      </Anchor>
                      {i18n.resolvedLanguage === 'ar' && s.nameAr && (
                        <Text size="xs" c="dimmed" lang="en" dir="ltr" translate="no">
                          {s.name}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{t(`stakeholders.kinds.${s.kind}`)}</Table.Td>
                    <Table.Td>{organisation ? <OrganisationName organisation={organisation} /> : s.organisationId ? '…' : '—'}</Table.Td>
                    <Table.Td>
                      <StanceSummary stakeholderId={s.id} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {list.data?.items.length === 0 && <NoResultsRow colSpan={4} hint="stakeholders" />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {list.data && <Pager page={page} pageSize={PAGE_SIZE} total={list.data.total} onChange={setPage} />}
      </QueryState>
      {adding && <StakeholderFormModal onClose={() => setAdding(false)} />}
    </>
  );
}
