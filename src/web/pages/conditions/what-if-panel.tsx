import { Alert, Group, List, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/problem-alert';
import { conditionQueries } from '../../http/queries/conditions';
import { type Analysis, DIMENSIONS, localised, useValueFormat } from './conditions-api';

/** Marks unmet conditions met, hypothetically, and shows what would open. Nothing is written. */
export function WhatIfPanel({ analysis }: { analysis: Analysis }) {
  const { t, i18n } = useTranslation();
  const format = useValueFormat();
  const [marked, setMarked] = useState<string[]>([]);
  const language = i18n.resolvedLanguage;
  const unmet = analysis.conditions.filter((c) => !c.effective);
  const titles = useMemo(
    () => new Map(analysis.conditions.map((c) => [c.id, localised(language, c.titleEn, c.titleAr)])),
    [analysis, language],
  );

  const statuses = Object.fromEntries([...marked].sort().map((id) => [id, 'met']));
  const result = useQuery({
    ...conditionQueries.whatIf(statuses),
    enabled: marked.length > 0,
    placeholderData: keepPreviousData,
  });

  const toggle = (id: string, on: boolean) => setMarked((now) => (on ? [...now, id] : now.filter((x) => x !== id)));

  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          {t('conditions.whatIf.intro')}
        </Text>
        {unmet.length === 0 && <Text size="sm">{t('conditions.whatIf.allMet')}</Text>}
        {unmet.map((c) => (
          <Switch
            key={c.id}
            label={titles.get(c.id)}
            checked={marked.includes(c.id)}
            onChange={(e) => toggle(c.id, e.currentTarget.checked)}
            data-testid={`what-if-${c.id}`}
          />
        ))}
      </Stack>
      <Stack gap="xs" data-testid="what-if-result" aria-live="polite">
        {marked.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('conditions.whatIf.pick')}
          </Text>
        ) : result.error ? (
          <ProblemAlert error={result.error} />
        ) : result.data ? (
          <>
            <Alert color="blue" variant="light" title={t('conditions.whatIf.notSaved')} />
            <Text fw={500}>{t('conditions.whatIf.gained')}</Text>
            <List size="sm">
              {DIMENSIONS.map((d) => (
                <List.Item key={d}>
                  <Group gap={4}>
                    <Text span size="sm" c="dimmed">
                      {t(`conditions.dimensions.${d}`)}:
                    </Text>
                    <Text span size="sm" data-testid={`what-if-gain-${d}`}>
                      {format(result.data.gained, d)}
                    </Text>
                  </Group>
                </List.Item>
              ))}
            </List>
            <Text fw={500}>{t('conditions.whatIf.opens', { count: result.data.opened.count })}</Text>
            {result.data.opened.gates.length > 0 && (
              <List size="sm" data-testid="what-if-opened">
                {result.data.opened.gates.map((gate) => (
                  <List.Item key={gate.id}>{localised(language, gate.label ?? gate.id, gate.labelAr ?? '')}</List.Item>
                ))}
              </List>
            )}
            {result.data.opened.count > result.data.opened.gates.length && (
              <Text size="sm" c="dimmed" data-testid="what-if-opened-more">
                {t('conditions.whatIf.opensMore', { count: result.data.opened.count - result.data.opened.gates.length })}
              </Text>
            )}
            {result.data.nowEffective.length > 0 && (
              <>
                <Text fw={500}>{t('conditions.whatIf.nowEffective')}</Text>
                <List size="sm">
                  {result.data.nowEffective.map((id) => (
                    <List.Item key={id}>{titles.get(id) ?? id}</List.Item>
                  ))}
                </List>
              </>
            )}
          </>
        ) : null}
      </Stack>
    </SimpleGrid>
  );
}
