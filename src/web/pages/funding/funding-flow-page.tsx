import { Alert, Stack, Text } from '@mantine/core';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { useAllOrganisations } from '../../http/lookups';
import { type Overview, type Period, toNumber, useInstruments, useMoney, useOverview } from './funding-api';
import { FundingTabs, PeriodFilter } from './funding-parts';

const EChart = lazy(() => import('./echart'));

/**
 * Donors → instruments → budget lines → payees. Each link is the money that moved along
 * it: received onto an instrument, allocated from it to a line, disbursed from the line
 * to a payee. Nodes carry their kind in the key, since one organisation can be a donor and
 * a payee.
 */
function sankey(overview: Overview, labels: { unallocated: string }, localName: (id: string) => string | undefined) {
  const nodes = new Map<string, { name: string; depth: number; label: string }>();
  const links = new Map<string, { source: string; target: string; value: number }>();
  const node = (kind: string, id: string | null, depth: number, label: string) => {
    const key = `${kind}:${id ?? '-'}`;
    if (!nodes.has(key)) nodes.set(key, { name: key, depth, label });
    return key;
  };
  const link = (source: string, target: string, value: number) => {
    const key = `${source}>${target}`;
    const existing = links.get(key);
    links.set(key, { source, target, value: (existing?.value ?? 0) + value });
  };
  const name = (id: string | null) => (id && (localName(id) || overview.names[id])) || labels.unallocated;
  for (const f of overview.flows) {
    const value = toNumber(f.amountUsd);
    if (value <= 0) continue;
    const instrument = node('instrument', f.instrumentId, 1, name(f.instrumentId));
    if (f.kind === 'receipt') link(node('donor', f.donorOrgId, 0, name(f.donorOrgId)), instrument, value);
    if (f.kind === 'allocation') link(instrument, node('line', f.budgetLineId, 2, name(f.budgetLineId)), value);
    if (f.kind === 'disbursement')
      link(node('line', f.budgetLineId, 2, name(f.budgetLineId)), node('payee', f.payeeOrgId, 3, name(f.payeeOrgId)), value);
  }
  return { nodes: [...nodes.values()], links: [...links.values()].filter((l) => l.value > 0) };
}

export default function FundingFlowPage() {
  const { t, i18n } = useTranslation();
  const [period, setPeriod] = useState<Period>({});
  const overview = useOverview(period);
  const money = useMoney();
  const rtl = i18n.dir() === 'rtl';
  const organisations = useAllOrganisations();
  const instruments = useInstruments();
  const language = i18n.resolvedLanguage;
  // Names in the interface language where one is recorded; the overview's names are English.
  const graph = useMemo(() => {
    if (!overview.data) return null;
    const local = new Map<string, string>();
    if (language === 'ar') {
      for (const o of organisations.data ?? []) if (o.nameAr) local.set(o.id, o.nameAr);
      for (const i of instruments.data ?? []) if (i.nameAr) local.set(i.id, i.nameAr);
      for (const l of overview.data.lines) if (l.nameAr) local.set(l.budgetLineId, l.nameAr);
    }
    return sankey(overview.data, { unallocated: t('funding.flow.unknown') }, (id) => local.get(id));
  }, [overview.data, organisations.data, instruments.data, language, t]);
  const option = useMemo(
    () =>
      graph && {
        tooltip: {
          trigger: 'item',
          formatter: (p: {
            dataType: string;
            data: { source?: string; target?: string; value?: number; label?: string };
            value: number;
          }) => {
            const label = (key?: string) => graph.nodes.find((n) => n.name === key)?.label ?? '';
            return p.dataType === 'edge'
              ? `${label(p.data.source)} → ${label(p.data.target)}: ${money.compact(p.value)}`
              : `${p.data.label ?? ''}: ${money.compact(p.value)}`;
          },
        },
        series: [
          {
            type: 'sankey',
            left: rtl ? 160 : 16,
            right: rtl ? 16 : 160,
            top: 16,
            bottom: 16,
            orient: 'horizontal',
            nodeAlign: 'justify',
            layoutIterations: 32,
            emphasis: { focus: 'adjacency' },
            lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
            // Right to left, the donors stand at the right: mirror the depth.
            data: graph.nodes.map((n) => ({ ...n, depth: rtl ? 3 - n.depth : n.depth })),
            links: graph.links,
            label: {
              position: rtl ? 'left' : 'right',
              formatter: (p: { data: { label: string } }) => p.data.label,
              width: 150,
              overflow: 'truncate',
            },
          },
        ],
      },
    [graph, money, rtl],
  );

  return (
    <>
      <PageHeader title={t('funding.flow.title')} />
      <FundingTabs />
      <Stack gap="md">
        <Text c="dimmed" size="sm">
          {t('funding.flow.explain')}
        </Text>
        <PeriodFilter period={period} onChange={setPeriod} />
        <QueryState isPending={overview.isPending} error={overview.error}>
          {graph && graph.links.length === 0 && (
            <Alert color="gray" title={t('funding.flow.emptyTitle')} data-testid="flow-empty">
              {t('funding.flow.empty')}
            </Alert>
          )}
          {graph && option && graph.links.length > 0 && (
            <Suspense fallback={null}>
              <EChart option={option} label={t('funding.flow.chart')} height={Math.max(360, graph.nodes.length * 28)} testId="flow-chart" />
            </Suspense>
          )}
        </QueryState>
      </Stack>
    </>
  );
}
