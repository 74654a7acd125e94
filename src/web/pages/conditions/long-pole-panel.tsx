import { Center, Loader, SegmentedControl, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Analysis, amount, DIMENSIONS, type Dimension, localised, useValueFormat } from './conditions-api';

const LongPoleChart = lazy(() => import('./long-pole-chart'));

/** Which conditions hold back the most of one dimension, as a bar chart and as a table. */
export function LongPolePanel({ analysis }: { analysis: Analysis }) {
  const { t, i18n } = useTranslation();
  const format = useValueFormat();
  const [dimension, setDimension] = useState<Dimension>('money_usd');
  const language = i18n.resolvedLanguage;

  const rows = useMemo(() => {
    const titles = new Map(analysis.conditions.map((c) => [c.id, localised(language, c.titleEn, c.titleAr)]));
    return analysis.longPole[dimension].conditions
      .filter((c) => amount(c.heldBack, dimension) > 0)
      .map((c) => ({
        id: c.id,
        label: titles.get(c.id) ?? c.titleEn,
        value: amount(c.heldBack, dimension),
        shown: format(c.heldBack, dimension),
      }));
  }, [analysis, dimension, language, format]);

  const dimensionName = t(`conditions.dimensions.${dimension}`);
  return (
    <Stack>
      <SegmentedControl
        aria-label={t('conditions.longPole.dimension')}
        value={dimension}
        onChange={(value) => setDimension(value as Dimension)}
        data={DIMENSIONS.map((d) => ({
          value: d,
          label: <span data-testid={`dimension-${d}`}>{t(`conditions.dimensions.${d}`)}</span>,
        }))}
        data-testid="long-pole-dimension"
        style={{ alignSelf: 'flex-start' }}
      />
      {rows.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="long-pole-empty">
          {t('conditions.longPole.empty')}
        </Text>
      ) : (
        <Suspense
          fallback={
            <Center py="md">
              <Loader aria-label={t('common.loading')} />
            </Center>
          }
        >
          <LongPoleChart bars={rows} rtl={i18n.dir() === 'rtl'} label={t('conditions.longPole.chartLabel', { dimension: dimensionName })} />
        </Suspense>
      )}
      <Table data-testid="long-pole-table" striped>
        <VisuallyHidden component="caption">{t('conditions.longPole.tableCaption', { dimension: dimensionName })}</VisuallyHidden>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('conditions.longPole.rank')}</Table.Th>
            <Table.Th>{t('conditions.condition')}</Table.Th>
            <Table.Th>{dimensionName}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row, index) => (
            <Table.Tr key={row.id} data-testid="long-pole-row" data-condition-id={row.id}>
              <Table.Td>{index + 1}</Table.Td>
              <Table.Td>{row.label}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{row.shown}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
