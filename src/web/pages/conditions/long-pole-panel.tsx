import { Center, ColorSwatch, Group, Loader, SegmentedControl, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Analysis, amount, DIMENSIONS, type Dimension, localised, useValueFormat } from './conditions-api';
import { BAR_COLORS } from './long-pole-colors';

const LongPoleChart = lazy(() => import('./long-pole-chart'));

/**
 * Which conditions stand in front of the most of one dimension, as a bar chart and as a
 * table: what each holds back together with others (the ranking) and alone, each measure
 * explained in one sentence. Something blocked is never shown as held back by nothing.
 */
export function LongPolePanel({ analysis }: { analysis: Analysis }) {
  const { t, i18n } = useTranslation();
  const format = useValueFormat();
  const [dimension, setDimension] = useState<Dimension>('money_usd');
  const language = i18n.resolvedLanguage;

  const rows = useMemo(() => {
    const titles = new Map(analysis.conditions.map((c) => [c.id, localised(language, c.titleEn, c.titleAr)]));
    return analysis.longPole[dimension].conditions.map((c) => ({
      id: c.id,
      label: titles.get(c.id) ?? c.titleEn,
      withOthers: amount(c.inUnlockingSets, dimension),
      alone: amount(c.heldBack, dimension),
      shownWithOthers: format(c.inUnlockingSets, dimension),
      shownAlone: format(c.heldBack, dimension),
    }));
  }, [analysis, dimension, language, format]);

  const dimensionName = t(`conditions.dimensions.${dimension}`);
  const names = useMemo(() => ({ withOthers: t('conditions.measures.withOthers'), alone: t('conditions.measures.alone') }), [t]);
  const blocked = amount(analysis.totals.blocked, dimension) > 0;
  const onlyHidden = amount(analysis.totals.blockedOnlyByHidden, dimension) > 0;

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
        style={{ alignSelf: 'flex-start', maxWidth: '100%', overflowX: 'auto' }}
      />
      <Text size="sm" data-testid="long-pole-blocked">
        {blocked
          ? t('conditions.longPole.blocked', { value: format(analysis.totals.blocked, dimension) })
          : t('conditions.longPole.nothingBlocked')}
      </Text>
      {onlyHidden && (
        <Text size="sm" c="dimmed" data-testid="long-pole-hidden">
          {t('conditions.longPole.onlyHidden', { value: format(analysis.totals.blockedOnlyByHidden, dimension) })}
        </Text>
      )}
      {rows.length > 0 && (
        <>
          <Stack gap={4} data-testid="long-pole-measures">
            {(['withOthers', 'alone'] as const).map((measure) => (
              <Group key={measure} gap="xs" wrap="nowrap" align="flex-start">
                <ColorSwatch color={BAR_COLORS[measure]} size={14} mt={3} style={{ flexShrink: 0 }} />
                <Text size="sm">
                  <Text span fw={600} size="sm">
                    {names[measure]}:
                  </Text>{' '}
                  {t(`conditions.measures.${measure}Explained`)}
                </Text>
              </Group>
            ))}
          </Stack>
          <Suspense
            fallback={
              <Center py="md">
                <Loader aria-label={t('common.loading')} />
              </Center>
            }
          >
            <LongPoleChart
              bars={rows}
              rtl={i18n.dir() === 'rtl'}
              names={names}
              label={t('conditions.longPole.chartLabel', { dimension: dimensionName })}
            />
          </Suspense>
        </>
      )}
      {analysis.gateCounts.unlockingSetsTruncated > 0 && rows.length > 0 && (
        <Text size="xs" c="dimmed">
          {t('conditions.longPole.truncated', { count: analysis.gateCounts.unlockingSetsTruncated })}
        </Text>
      )}
      <Table.ScrollContainer minWidth={340}>
        <Table data-testid="long-pole-table" striped>
          <VisuallyHidden component="caption">{t('conditions.longPole.tableCaption', { dimension: dimensionName })}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('conditions.longPole.rank')}</Table.Th>
              <Table.Th>{t('conditions.condition')}</Table.Th>
              <Table.Th>{names.withOthers}</Table.Th>
              <Table.Th>{names.alone}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row, index) => (
              <Table.Tr key={row.id} data-testid="long-pole-row" data-condition-id={row.id}>
                <Table.Td>{index + 1}</Table.Td>
                <Table.Td>{row.label}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="long-pole-with-others">
                  {row.shownWithOthers}
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="long-pole-alone">
                  {row.shownAlone}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
