import { Badge, Button, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { NoResultsRow } from '../../components/no-results-row';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { useAllOrganisations } from '../../http/lookups';
import { fundingQueries } from '../../http/queries/funding';
import { useFormat } from '../../i18n/format';
import { localised } from '../conditions/conditions-api';
import {
  type BudgetLine,
  type PostingKind,
  TRANSACTION_KINDS,
  type Transaction,
  useBudgetLines,
  useInstruments,
  useMoney,
  useRates,
} from './funding-api';
import { FundingTabs } from './funding-parts';
import { RateFormModal, ReversalFormModal, RevisionFormModal } from './ledger-forms';
import { PostingFormModal } from './posting-form-modal';

const PAGE_SIZE = 25;

interface Filter {
  kind: string;
  instrumentId: string;
  budgetLineId: string;
  from: string;
  to: string;
}

export default function LedgerPage() {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const format = useFormat();
  const money = useMoney();
  const language = i18n.resolvedLanguage;
  const [filter, setFilter] = useState<Filter>({ kind: '', instrumentId: '', budgetLineId: '', from: '', to: '' });
  const [page, setPage] = useState(1);
  const [posting, setPosting] = useState<PostingKind | null>(null);
  const [reversing, setReversing] = useState<Transaction | null>(null);
  const [revising, setRevising] = useState<BudgetLine | null>(null);
  const [addingRate, setAddingRate] = useState(false);
  const instruments = useInstruments();
  const lines = useBudgetLines();
  const rates = useRates();
  const organisations = useAllOrganisations();
  const transactions = useQuery({
    ...fundingQueries.transactions({ ...filter, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const lineName = new Map((lines.data ?? []).map((l) => [l.id, `${l.code} ${localised(language, l.nameEn, l.nameAr)}`]));
  const orgName = new Map((organisations.data ?? []).map((o) => [o.id, localised(language, o.name, o.nameAr ?? '')]));
  const set = (patch: Partial<Filter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPage(1);
  };
  const any = { value: '', label: t('common.any') };

  return (
    <>
      <PageHeader title={t('funding.ledger.title')}>
        {can('funding.post') &&
          (['receipt', 'allocation', 'disbursement'] as const).map((kind) => (
            <Button key={kind} variant="light" onClick={() => setPosting(kind)} data-testid={`post-${kind}`}>
              {t(`funding.posting.title.${kind}`)}
            </Button>
          ))}
        {can('funding.report') && (
          <Button variant="light" onClick={() => setPosting('expenditure')} data-testid="post-expenditure">
            {t('funding.posting.title.expenditure')}
          </Button>
        )}
      </PageHeader>
      <FundingTabs />
      <Stack gap="xl">
        <section aria-labelledby="transactions-title">
          <Title order={3} id="transactions-title" mb="sm">
            {t('funding.ledger.transactions')}
          </Title>
          <Group gap="sm" align="flex-end" mb="sm">
            <NativeSelect
              label={t('funding.ledger.kind')}
              data={[any, ...TRANSACTION_KINDS.map((k) => ({ value: k, label: t(`funding.kinds.${k}`) }))]}
              value={filter.kind}
              onChange={(e) => set({ kind: e.currentTarget.value })}
            />
            <NativeSelect
              label={t('funding.instrument')}
              data={[any, ...(instruments.data ?? []).map((i) => ({ value: i.id, label: localised(language, i.name, i.nameAr) }))]}
              value={filter.instrumentId}
              onChange={(e) => set({ instrumentId: e.currentTarget.value })}
            />
            <NativeSelect
              label={t('funding.line')}
              data={[any, ...(lines.data ?? []).map((l) => ({ value: l.id, label: lineName.get(l.id) ?? l.code }))]}
              value={filter.budgetLineId}
              onChange={(e) => set({ budgetLineId: e.currentTarget.value })}
            />
            <TextInput
              type="date"
              label={t('funding.period.from')}
              value={filter.from}
              onChange={(e) => set({ from: e.currentTarget.value })}
            />
            <TextInput type="date" label={t('funding.period.to')} value={filter.to} onChange={(e) => set({ to: e.currentTarget.value })} />
          </Group>
          <QueryState isPending={transactions.isPending} error={transactions.error}>
            <Table.ScrollContainer minWidth={900}>
              <Table data-testid="transactions-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('funding.valueDate')}</Table.Th>
                    <Table.Th>{t('funding.ledger.kind')}</Table.Th>
                    <Table.Th>{t('funding.instrument')}</Table.Th>
                    <Table.Th>{t('funding.ledger.where')}</Table.Th>
                    <Table.Th style={{ textAlign: 'end' }}>{t('funding.amount')}</Table.Th>
                    <Table.Th>{t('funding.reference')}</Table.Th>
                    {can('funding.post') && <Table.Th>{t('common.actions')}</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {transactions.data?.items.map((tx) => (
                    <Fragment key={tx.id}>
                      <Table.Tr data-testid="transaction-row" data-kind={tx.kind}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.date(tx.valueDate)}</Table.Td>
                        <Table.Td>
                          <Badge variant="light" color={tx.kind === 'reversal' ? 'red' : 'blue'}>
                            {t(`funding.kinds.${tx.kind}`)}
                          </Badge>
                          {tx.reversedById && (
                            <Text size="xs" c="red">
                              {t('funding.ledger.wasReversed')}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>{tx.instrumentName}</Table.Td>
                        <Table.Td>
                          {[tx.budgetLineId && lineName.get(tx.budgetLineId), tx.payeeOrgId && orgName.get(tx.payeeOrgId)]
                            .filter(Boolean)
                            .join(i18n.dir() === 'rtl' ? ' ← ' : ' → ') || '—'}
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'end', whiteSpace: 'nowrap' }}>
                          {money.inCurrency(tx.amount, tx.currency)}
                          {tx.currency !== 'USD' && (
                            <Text size="xs" c="dimmed">
                              {money.usd(tx.amountUsd)}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          {tx.reference}
                          {tx.description && (
                            <Text size="xs" c="dimmed">
                              {tx.description}
                            </Text>
                          )}
                        </Table.Td>
                        {can('funding.post') && (
                          <Table.Td>
                            {tx.kind !== 'reversal' && !tx.reversedById && (
                              <Button size="compact-sm" variant="subtle" color="red" onClick={() => setReversing(tx)} data-testid="reverse">
                                {t('funding.ledger.reverse')}
                              </Button>
                            )}
                          </Table.Td>
                        )}
                      </Table.Tr>
                      <Table.Tr>
                        <Table.Td colSpan={can('funding.post') ? 7 : 6} pt={0}>
                          <Group gap="md" data-testid="transaction-entries">
                            {tx.entries.map((e, i) => (
                              // biome-ignore lint/suspicious/noArrayIndexKey: entries of one transaction are listed in a fixed order
                              <Text key={i} size="xs" c="dimmed">
                                {t(`funding.accounts.${e.account}`)}
                                {e.budgetLineId ? ` ${lineName.get(e.budgetLineId) ?? ''}` : ''}
                                {e.payeeOrgId ? ` ${orgName.get(e.payeeOrgId) ?? ''}` : ''}: <bdi>{money.usd(e.amountUsd)}</bdi>
                              </Text>
                            ))}
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    </Fragment>
                  ))}
                  {transactions.data?.items.length === 0 && <NoResultsRow colSpan={7} hint="transactions" />}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {transactions.data && <Pager page={page} pageSize={PAGE_SIZE} total={transactions.data.total} onChange={setPage} />}
          </QueryState>
        </section>

        <section aria-labelledby="lines-title">
          <Title order={3} id="lines-title" mb="sm">
            {t('funding.lines.title')}
          </Title>
          <QueryState isPending={lines.isPending} error={lines.error}>
            <Table.ScrollContainer minWidth={760}>
              <Table striped data-testid="budget-lines-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('funding.line')}</Table.Th>
                    <Table.Th>{t('funding.lines.category')}</Table.Th>
                    <Table.Th>{t('funding.lines.period')}</Table.Th>
                    <Table.Th style={{ textAlign: 'end' }}>{t('funding.lines.original')}</Table.Th>
                    <Table.Th style={{ textAlign: 'end' }}>{t('funding.lines.current')}</Table.Th>
                    {can('funding.manage') && <Table.Th>{t('common.actions')}</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {lines.data?.map((l) => (
                    <Table.Tr key={l.id}>
                      <Table.Td>{lineName.get(l.id)}</Table.Td>
                      <Table.Td>{t(`funding.categories.${l.category}`)}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        {format.date(l.periodStart)} – {format.date(l.periodEnd)}
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'end' }}>{money.usd(l.originalUsd)}</Table.Td>
                      <Table.Td style={{ textAlign: 'end' }}>
                        {money.usd(l.currentUsd)}
                        {l.version > 1 && (
                          <Text size="xs" c="dimmed">
                            {t('funding.lines.version', { version: format.number(l.version) })}
                          </Text>
                        )}
                      </Table.Td>
                      {can('funding.manage') && (
                        <Table.Td>
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            onClick={() => setRevising(l)}
                            aria-label={t('funding.lines.reviseTitle', { code: l.code })}
                          >
                            {t('funding.lines.revise')}
                          </Button>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                  {lines.data?.length === 0 && <NoResultsRow colSpan={6} hint="budgetLines" />}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </QueryState>
        </section>

        <section aria-labelledby="instruments-title">
          <Title order={3} id="instruments-title" mb="sm">
            {t('funding.instruments.title')}
          </Title>
          <QueryState isPending={instruments.isPending} error={instruments.error}>
            <Table.ScrollContainer minWidth={760}>
              <Table striped data-testid="instruments-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('funding.instrument')}</Table.Th>
                    <Table.Th>{t('funding.donor')}</Table.Th>
                    <Table.Th>{t('funding.instruments.kind')}</Table.Th>
                    <Table.Th>{t('funding.instruments.restrictions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {instruments.data?.map((i) => (
                    <Table.Tr key={i.id}>
                      <Table.Td>{localised(language, i.name, i.nameAr)}</Table.Td>
                      <Table.Td>{orgName.get(i.donorOrgId) ?? i.donorName}</Table.Td>
                      <Table.Td>{t(`funding.instrumentKinds.${i.kind}`)}</Table.Td>
                      <Table.Td>
                        {i.restrictions.length === 0 ? (
                          <Text size="sm" c="dimmed">
                            {t('funding.instruments.none')}
                          </Text>
                        ) : (
                          i.restrictions.map((r) => (
                            <Text key={r} size="sm">
                              {r}
                            </Text>
                          ))
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                  {instruments.data?.length === 0 && <NoResultsRow colSpan={4} hint="instruments" />}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </QueryState>
        </section>

        <section aria-labelledby="rates-title">
          <Group justify="space-between" mb="sm">
            <Title order={3} id="rates-title">
              {t('funding.rates.title')}
            </Title>
            {can('funding.manage') && (
              <Button variant="light" onClick={() => setAddingRate(true)} data-testid="rate-add">
                {t('funding.rates.add')}
              </Button>
            )}
          </Group>
          <QueryState isPending={rates.isPending} error={rates.error}>
            <Table.ScrollContainer minWidth={480}>
              <Table striped data-testid="rates-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('funding.currency')}</Table.Th>
                    <Table.Th>{t('funding.rates.date')}</Table.Th>
                    <Table.Th style={{ textAlign: 'end' }}>{t('funding.rates.usdPerUnit')}</Table.Th>
                    <Table.Th>{t('funding.rates.source')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rates.data?.items.map((r) => (
                    <Table.Tr key={`${r.currency}:${r.rateDate}`}>
                      <Table.Td dir="ltr">{r.currency}</Table.Td>
                      <Table.Td>{format.date(r.rateDate)}</Table.Td>
                      <Table.Td style={{ textAlign: 'end' }} dir="ltr">
                        {r.usdPerUnit}
                      </Table.Td>
                      <Table.Td>{r.source}</Table.Td>
                    </Table.Tr>
                  ))}
                  {rates.data?.items.length === 0 && <NoResultsRow colSpan={4} hint="rates" />}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </QueryState>
        </section>
      </Stack>
      {posting && <PostingFormModal kind={posting} onClose={() => setPosting(null)} />}
      {reversing && <ReversalFormModal transaction={reversing} onClose={() => setReversing(null)} />}
      {revising && <RevisionFormModal line={revising} onClose={() => setRevising(null)} />}
      {addingRate && <RateFormModal onClose={() => setAddingRate(false)} />}
    </>
  );
}
