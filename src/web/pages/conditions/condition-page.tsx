import { Anchor, Button, Card, Group, List, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { ExpressionText } from '../../components/expression-text';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { conditionQueries, stakeholderQueries } from '../../http/queries/conditions';
import { useFormat } from '../../i18n/format';
import { BlockedGates } from './blocked-gates';
import { type ConditionDetail, localised, useConditionCodes } from './conditions-api';
import { EvidenceFormModal } from './evidence-form-modal';
import { StatusBadge, ValuesList } from './values-list';

// What the condition holds back alone and with others, and what it would open alone.
const MEASURE_CARDS = [
  { measure: 'alone', testId: 'condition-held-back', values: (c: ConditionDetail) => c.heldBack },
  { measure: 'withOthers', testId: 'condition-with-others', values: (c: ConditionDetail) => c.inUnlockingSets },
  { measure: 'opensAlone', testId: 'condition-unlocks', values: (c: ConditionDetail) => c.unlocks },
] as const;

export default function ConditionPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const { can } = useSession();
  const [recording, setRecording] = useState(false);
  const language = i18n.resolvedLanguage;

  const condition = useQuery(conditionQueries.detail(id));
  const stakeholders = useQuery(stakeholderQueries.names());
  const names = new Map((stakeholders.data?.items ?? []).map((s) => [s.id, localised(language, s.name, s.nameAr)]));

  const c = condition.data;
  const codeOf = useConditionCodes();
  const evidence = c ? [...c.evidence].sort((a, b) => b.datedOn.localeCompare(a.datedOn) || b.recordedAt.localeCompare(a.recordedAt)) : [];

  return (
    <>
      <Anchor component={Link} to="/conditions" size="sm" mb="xs" display="inline-block" data-testid="back-to-conditions">
        {t('conditions.back')}
      </Anchor>
      <QueryState isPending={condition.isPending} error={condition.error}>
        {c && (
          <>
            <PageHeader title={localised(language, c.titleEn, c.titleAr)}>
              {can('conditions.manage') && (
                <Button onClick={() => setRecording(true)} data-testid="evidence-record">
                  {t('conditions.evidence.record')}
                </Button>
              )}
            </PageHeader>
            <Stack gap="lg">
              <Group gap="md">
                <StatusBadge status={c.status} />
                <Text size="sm" c="dimmed" dir="ltr" lang="en">
                  {c.code}
                </Text>
                {c.targetDate && (
                  <Text size="sm">
                    {t('conditions.targetDate')}: {format.date(c.targetDate)}
                  </Text>
                )}
              </Group>
              {localised(language, c.descriptionEn, c.descriptionAr) && (
                <Text>{localised(language, c.descriptionEn, c.descriptionAr)}</Text>
              )}
              {c.requires && (
                <Text size="sm" data-testid="condition-requires">
                  {t('conditions.requires')}: <ExpressionText expression={c.requires} codeOf={codeOf} />
                </Text>
              )}
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
                <Card withBorder>
                  <Title order={3} size="h5" mb="xs">
                    {t('conditions.stakeholders')}
                  </Title>
                  {c.stakeholderIds.length === 0 ? (
                    <Text size="sm" c="dimmed">
                      {t('conditions.noStakeholders')}
                    </Text>
                  ) : (
                    <List size="sm" data-testid="condition-stakeholders">
                      {c.stakeholderIds.map((sid) => (
                        <List.Item key={sid}>{names.get(sid) ?? '…'}</List.Item>
                      ))}
                    </List>
                  )}
                </Card>
                {MEASURE_CARDS.map(({ measure, testId, values }) => (
                  <Card withBorder key={measure} data-testid={testId}>
                    <Title order={3} size="h5" mb="xs">
                      {t(`conditions.measures.${measure}`)}
                    </Title>
                    <ValuesList values={values(c)} />
                    <Text size="xs" c="dimmed" mt="xs">
                      {t(`conditions.measures.${measure}Explained`)}
                    </Text>
                  </Card>
                ))}
              </SimpleGrid>
              <BlockedGates condition={c} />
              <section aria-labelledby="evidence-title">
                <Title order={3} id="evidence-title" mb="sm">
                  {t('conditions.evidence.title')}
                </Title>
                {evidence.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t('conditions.evidence.none')}
                  </Text>
                ) : (
                  <Timeline bulletSize={14} lineWidth={2} data-testid="evidence-timeline">
                    {evidence.map((e) => (
                      <Timeline.Item
                        key={e.id}
                        data-testid="evidence-item"
                        title={
                          <Group gap="xs">
                            <Text size="sm" fw={500}>
                              {format.date(e.datedOn)}
                            </Text>
                            <StatusBadge status={e.status} />
                          </Group>
                        }
                      >
                        <Text size="sm">
                          {e.sourceUrl ? (
                            <Anchor href={e.sourceUrl} target="_blank" rel="noopener noreferrer">
                              {e.source}
                            </Anchor>
                          ) : (
                            e.source
                          )}
                        </Text>
                        {e.note && (
                          <Text size="sm" c="dimmed">
                            {e.note}
                          </Text>
                        )}
                        <Text size="xs" c="dimmed">
                          {t('conditions.evidence.recordedBy')} <bdi>{e.recordedBy}</bdi>
                          {t('conditions.evidence.separator')}
                          <bdi>{format.dateTime(e.recordedAt)}</bdi>
                        </Text>
                      </Timeline.Item>
                    ))}
                  </Timeline>
                )}
              </section>
            </Stack>
            {recording && <EvidenceFormModal conditionId={c.id} status={c.status} onClose={() => setRecording(false)} />}
          </>
        )}
      </QueryState>
    </>
  );
}
