import { Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '../../components/query-state';
import { conditionQueries } from '../../http/queries/conditions';
import { type ConditionDetail, localised, useAnalysis } from './conditions-api';
import { OpensIf } from './opens-if';
import { ValuesList } from './values-list';

const SHOWN = 10;

/**
 * The blocked commitments, tranches and other gated objects a condition stands in front
 * of (it is in one of their minimal unlocking sets), largest first, each with what would
 * open it.
 */
export function BlockedGates({ condition }: { condition: ConditionDetail }) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage;
  const gates = useQuery(conditionQueries.gates(condition.id, 'inUnlockingSets', SHOWN));
  const analysis = useAnalysis();
  const titles = useMemo(
    () => new Map((analysis.data?.conditions ?? []).map((c) => [c.id, localised(language, c.titleEn, c.titleAr)])),
    [analysis.data, language],
  );

  return (
    <section aria-labelledby="blocked-gates-title">
      <Title order={3} id="blocked-gates-title" mb="xs">
        {t('conditions.blockedGates.title')}
      </Title>
      <QueryState isPending={gates.isPending || analysis.isPending} error={gates.error ?? analysis.error}>
        {gates.data && gates.data.total === 0 ? (
          <Text size="sm" c="dimmed" data-testid="blocked-gates-none">
            {t('conditions.blockedGates.none')}
          </Text>
        ) : (
          <Stack gap="sm" data-testid="blocked-gates">
            {gates.data?.items.map((gate) => (
              <Card withBorder key={gate.id} data-testid="blocked-gate" data-gate-id={gate.id}>
                <Group justify="space-between" align="flex-start" gap="xs" mb="xs">
                  <Text fw={600} size="sm">
                    {localised(language, gate.label ?? t('conditions.graph.unnamed'), gate.labelAr ?? '')}
                  </Text>
                  <ValuesList values={gate.values} />
                </Group>
                <OpensIf sets={gate.unlockingSets} truncated={gate.unlockingSetsTruncated} titles={titles} emphasise={condition.id} />
              </Card>
            ))}
            {gates.data && gates.data.total > gates.data.items.length && (
              <Text size="sm" c="dimmed">
                {t('conditions.blockedGates.more', { count: gates.data.total - gates.data.items.length })}
              </Text>
            )}
          </Stack>
        )}
      </QueryState>
    </section>
  );
}
