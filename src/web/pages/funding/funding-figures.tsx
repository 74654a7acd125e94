/**
 * The funding figures drawn and tabled: the money by donor from pledged to spent (one
 * donor highlighted with its share of what was received), the gap per budget line, and
 * cash on hand against monthly disbursements. Used by the overview and, with public
 * figures only, by the transparency page. Every chart has its numbers in a table.
 */
import { Group, Stack, Table, Text, Title } from '@mantine/core';
import { lazy, type ReactNode, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { NoResultsRow } from '../../components/no-results-row';
import { localised } from '../conditions/conditions-api';
import { FIGURE_KEYS, type PublicOverview, toNumber, useMoney } from './funding-api';

const EChart = lazy(() => import('./echart'));

const HIGHLIGHT = '#1864ab';
const OTHERS = ['#a5d8ff', '#b2f2bb', '#ffec99', '#ffc9c9', '#d0bfff', '#99e9f2', '#ffd8a8', '#dee2e6'];

interface Props {
  overview: PublicOverview;
  /** The donor drawn in the strong colour, with its share of received; the largest if none. */
  highlightDonorId?: string;
  donorName?: (donorOrgId: string, fallback: string) => string;
  donorAction?: (donorOrgId: string) => ReactNode;
}

function Chart(props: { option: Record<string, unknown>; label: string; height: number; testId: string }) {
  return (
    <Suspense fallback={<div style={{ height: props.height }} />}>
      <EChart {...props} />
    </Suspense>
  );
}

export function FundingFigures({ overview, highlightDonorId, donorName = (_id, name) => name, donorAction }: Props) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage;
  const rtl = i18n.dir() === 'rtl';
  const money = useMoney();
  const donors = overview.donors;
  const highlighted =
    donors.find((d) => d.donorOrgId === highlightDonorId) ??
    [...donors].sort((a, b) => toNumber(b.received) - toNumber(a.received) || toNumber(b.pledged) - toNumber(a.pledged))[0];
  const received = toNumber(overview.totals.received);
  const share = highlighted && received > 0 ? toNumber(highlighted.received) / received : null;
  const stages = FIGURE_KEYS.map((k) => (k === 'pledged' ? t('funding.figures.pledgedShort') : t(`funding.figures.${k}`)));

  const byDonor = useMemo(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => money.compact(v) },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: 'category', inverse: rtl, data: stages },
      yAxis: { type: 'value', position: rtl ? 'right' : 'left', axisLabel: { formatter: (v: number) => money.compact(v) } },
      series: donors.map((d, i) => ({
        type: 'bar',
        stack: 'donors',
        name: donorName(d.donorOrgId, d.donorName),
        itemStyle: { color: d === highlighted ? HIGHLIGHT : OTHERS[i % OTHERS.length] },
        data: FIGURE_KEYS.map((k) => toNumber(d[k])),
      })),
    }),
    [donors, highlighted, rtl, money, stages, donorName],
  );

  const lines = overview.lines;
  const gap = useMemo(() => {
    const ordered = [...lines].reverse();
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => money.compact(v) },
      legend: { bottom: 0 },
      grid: { left: 8, right: 24, top: 8, bottom: 36, containLabel: true },
      xAxis: { type: 'value', inverse: rtl, axisLabel: { formatter: (v: number) => money.compact(v) } },
      yAxis: {
        type: 'category',
        position: rtl ? 'right' : 'left',
        data: ordered.map((l) => localised(language, l.nameEn, l.nameAr)),
        axisLabel: { width: 200, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          stack: 'line',
          name: t('funding.figures.allocated'),
          itemStyle: { color: '#37b24d' },
          data: ordered.map((l) => toNumber(l.allocated)),
        },
        {
          type: 'bar',
          stack: 'line',
          name: t('funding.figures.gap'),
          itemStyle: { color: '#fa5252' },
          data: ordered.map((l) => toNumber(l.gap)),
        },
      ],
    };
  }, [lines, rtl, money, language, t]);

  const months = overview.months;
  const cash = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => money.compact(v) },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 16, bottom: 36, containLabel: true },
      xAxis: { type: 'category', inverse: rtl, data: months.map((m) => m.month.slice(0, 7)) },
      yAxis: { type: 'value', position: rtl ? 'right' : 'left', axisLabel: { formatter: (v: number) => money.compact(v) } },
      series: [
        {
          type: 'bar',
          name: t('funding.figures.disbursed'),
          itemStyle: { color: '#f08c00' },
          data: months.map((m) => toNumber(m.disbursed)),
        },
        {
          type: 'line',
          name: t('funding.figures.cashOnHand'),
          itemStyle: { color: HIGHLIGHT },
          data: months.map((m) => toNumber(m.cashOnHand)),
        },
      ],
    }),
    [months, rtl, money, t],
  );

  return (
    <Stack gap="xl">
      <section aria-labelledby="by-donor-title">
        <Title order={3} id="by-donor-title" mb="xs">
          {t('funding.byDonor.title')}
        </Title>
        {highlighted && share !== null && (
          <Text mb="xs" data-testid="donor-share">
            <Text span fw={700} c={HIGHLIGHT}>
              {donorName(highlighted.donorOrgId, highlighted.donorName)}
            </Text>{' '}
            {t('funding.byDonor.share', { share: money.percent(share) })}
          </Text>
        )}
        {donors.length === 0 ? (
          <Text c="dimmed">{t('funding.byDonor.none')}</Text>
        ) : (
          <Chart option={byDonor} label={t('funding.byDonor.chart')} height={320} testId="chart-by-donor" />
        )}
        <Text size="xs" c="dimmed" mt={4}>
          {t('funding.pledgeNote')}
        </Text>
        <Table.ScrollContainer minWidth={1000} mt="sm">
          <Table striped data-testid="donors-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('funding.donor')}</Table.Th>
                {FIGURE_KEYS.map((k) => (
                  <Table.Th key={k} style={{ textAlign: 'end' }}>
                    {k === 'pledged' ? t('funding.figures.pledgedShort') : t(`funding.figures.${k}`)}
                  </Table.Th>
                ))}
                <Table.Th style={{ textAlign: 'end' }}>{t('funding.byDonor.shareColumn')}</Table.Th>
                {donorAction && <Table.Th>{t('funding.statement.title')}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {donors.map((d) => (
                <Table.Tr key={d.donorOrgId} data-testid="donor-row">
                  <Table.Td fw={d === highlighted ? 700 : undefined}>{donorName(d.donorOrgId, d.donorName)}</Table.Td>
                  {FIGURE_KEYS.map((k) => (
                    <Table.Td key={k} style={{ textAlign: 'end', whiteSpace: 'nowrap' }} c={k === 'pledged' ? 'dimmed' : undefined}>
                      {money.usd(d[k])}
                    </Table.Td>
                  ))}
                  <Table.Td style={{ textAlign: 'end' }}>{received > 0 ? money.percent(toNumber(d.received) / received) : '—'}</Table.Td>
                  {donorAction && <Table.Td>{donorAction(d.donorOrgId)}</Table.Td>}
                </Table.Tr>
              ))}
              {donors.length === 0 && <NoResultsRow colSpan={FIGURE_KEYS.length + (donorAction ? 3 : 2)} hint="donors" />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>

      <section aria-labelledby="gap-title">
        <Title order={3} id="gap-title" mb="xs">
          {t('funding.gap.title')}
        </Title>
        {lines.length === 0 ? (
          <Text c="dimmed">{t('funding.gap.none')}</Text>
        ) : (
          <>
            <Chart option={gap} label={t('funding.gap.chart')} height={Math.max(160, lines.length * 40 + 60)} testId="chart-gap" />
            <Table.ScrollContainer minWidth={640} mt="sm">
              <Table striped data-testid="lines-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('funding.line')}</Table.Th>
                    {(['budget', 'allocated', 'disbursed', 'spent', 'gap'] as const).map((k) => (
                      <Table.Th key={k} style={{ textAlign: 'end' }}>
                        {t(`funding.figures.${k}`)}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {lines.map((l) => (
                    <Table.Tr key={l.budgetLineId}>
                      <Table.Td>
                        {localised(language, l.nameEn, l.nameAr)}{' '}
                        <Text span size="xs" c="dimmed" dir="ltr">
                          {l.code}
                        </Text>
                      </Table.Td>
                      {(['budget', 'allocated', 'disbursed', 'spent', 'gap'] as const).map((k) => (
                        <Table.Td key={k} style={{ textAlign: 'end', whiteSpace: 'nowrap' }}>
                          {money.usd(l[k])}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </section>

      <section aria-labelledby="burn-title">
        <Title order={3} id="burn-title" mb="xs">
          {t('funding.burn.title')}
        </Title>
        <Group gap="lg" mb="xs">
          <Text size="sm">
            {t('funding.figures.burnRate')}: <b>{money.usd(overview.burnRate)}</b>
          </Text>
          <Text size="sm">
            {t('funding.figures.runway')}:{' '}
            <b>
              {overview.runwayMonths === null
                ? '—'
                : t('funding.months', { count: overview.runwayMonths, formatted: money.number(overview.runwayMonths) })}
            </b>
          </Text>
        </Group>
        {months.length === 0 ? (
          <Text c="dimmed">{t('funding.burn.none')}</Text>
        ) : (
          <>
            <Chart option={cash} label={t('funding.burn.chart')} height={280} testId="chart-burn" />
            <Table.ScrollContainer minWidth={560} mt="sm">
              <Table striped data-testid="months-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('funding.month')}</Table.Th>
                    {(['received', 'disbursed', 'spent', 'cashOnHand'] as const).map((k) => (
                      <Table.Th key={k} style={{ textAlign: 'end' }}>
                        {t(`funding.figures.${k}`)}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {months.map((m) => (
                    <Table.Tr key={m.month}>
                      <Table.Td dir="ltr" style={{ textAlign: 'start' }}>
                        {m.month.slice(0, 7)}
                      </Table.Td>
                      {(['received', 'disbursed', 'spent', 'cashOnHand'] as const).map((k) => (
                        <Table.Td key={k} style={{ textAlign: 'end', whiteSpace: 'nowrap' }}>
                          {money.usd(m[k])}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </section>
    </Stack>
  );
}
