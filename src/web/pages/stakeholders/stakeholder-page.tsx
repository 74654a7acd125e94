import {
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Group,
  List,
  Loader,
  Stack,
  Table,
  Text,
  TextInput,
  Timeline,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { OrganisationName } from '../../components/organisation-name';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { conditionQueries, stakeholderQueries } from '../../http/queries/conditions';
import { useFormat } from '../../i18n/format';
import { localised } from '../conditions/conditions-api';
import { StatusBadge } from '../conditions/values-list';
import { PositionFormModal } from './position-form-modal';
import { type Position, STANCE_COLORS, subjectKey, today, useOrganisations, usePositions } from './stakeholders-api';

export function StanceBadge({ stance }: { stance: Position['stance'] }) {
  const { t } = useTranslation();
  return (
    <Badge color={STANCE_COLORS[stance]} variant="light" data-testid="stance" data-stance={stance}>
      {t(`stakeholders.stances.${stance}`)}
    </Badge>
  );
}

function Citation({ position }: { position: Position }) {
  return (
    <Text size="sm" dir="auto">
      {position.sourceUrl ? (
        <Anchor href={position.sourceUrl} target="_blank" rel="noopener noreferrer" data-testid="position-source">
          {position.source}
        </Anchor>
      ) : (
        <span data-testid="position-source">{position.source}</span>
      )}
    </Text>
  );
}

/**
 * One marker per position on a line from the first statement to the chosen date, coloured
 * by stance; it runs from the right in Arabic. The timeline beside it says the same in
 * words, so the strip is hidden from screen readers.
 */
function StanceStrip({ positions, from, to }: { positions: Position[]; from: number; to: number }) {
  const format = useFormat();
  const { t } = useTranslation();
  const span = Math.max(to - from, 1);
  return (
    <Box my="xs" aria-hidden>
      <Box pos="relative" h={18} data-testid="stance-strip">
        <Box pos="absolute" top={8} style={{ insetInline: 0, borderTop: '2px solid var(--mantine-color-default-border)' }} />
        {positions.map((p) => {
          const at = Math.min(1, Math.max(0, (Date.parse(p.statedOn) - from) / span));
          return (
            <Tooltip key={p.id} label={`${format.date(p.statedOn)}: ${t(`stakeholders.stances.${p.stance}`)}`}>
              <Box
                pos="absolute"
                top={1}
                w={16}
                h={16}
                style={{
                  insetInlineStart: `calc(${at * 100}% - 8px)`,
                  borderRadius: '50%',
                  background: `var(--mantine-color-${STANCE_COLORS[p.stance]}-filled)`,
                  border: '2px solid var(--mantine-color-body)',
                }}
              />
            </Tooltip>
          );
        })}
      </Box>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {format.date(new Date(from).toISOString())}
        </Text>
        <Text size="xs" c="dimmed">
          {format.date(new Date(to).toISOString())}
        </Text>
      </Group>
    </Box>
  );
}

export default function StakeholderPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const { can } = useSession();
  const language = i18n.resolvedLanguage;
  const [asOf, setAsOf] = useState(today());
  const [recording, setRecording] = useState(false);
  const organisations = useOrganisations();

  const stakeholder = useQuery(stakeholderQueries.detail(id));
  const history = usePositions(id);
  const onDate = usePositions(id, asOf || undefined);
  const conditions = useQuery(conditionQueries.list());

  const byId = new Map((conditions.data?.items ?? []).map((c) => [c.id, c]));
  const mustAct = (conditions.data?.items ?? []).filter((c) => c.stakeholderIds.includes(id));
  const subjectName = (p: Position) => {
    if (!p.conditionId) return p.topic ?? '';
    const c = byId.get(p.conditionId);
    return c ? localised(language, c.titleEn, c.titleAr) : '…';
  };
  const subjectTitle = (p: Position) =>
    p.conditionId ? (
      <Anchor component={Link} to={`/conditions/${p.conditionId}`} fw={600} size="sm">
        {subjectName(p)}
      </Anchor>
    ) : (
      <Text fw={600} size="sm">
        <bdi>{p.topic}</bdi>
      </Text>
    );

  // Subjects in the order of their latest statement, each with its positions newest first.
  const positions = history.data?.items ?? [];
  const subjects = new Map<string, Position[]>();
  for (const p of positions) subjects.set(subjectKey(p), [...(subjects.get(subjectKey(p)) ?? []), p]);
  const from = positions.length ? Math.min(...positions.map((p) => Date.parse(p.statedOn))) : 0;
  const to = Math.max(from, ...positions.map((p) => Date.parse(p.statedOn)), asOf ? Date.parse(asOf) : 0);
  const s = stakeholder.data;
  const organisation = s?.organisationId ? organisations.get(s.organisationId) : undefined;

  return (
    <>
      <Anchor component={Link} to="/stakeholders" size="sm" mb="xs" display="inline-block" data-testid="back-to-stakeholders">
        {t('stakeholders.back')}
      </Anchor>
      <QueryState isPending={stakeholder.isPending} error={stakeholder.error}>
        {s && (
          <>
            <PageHeader title={localised(language, s.name, s.nameAr)}>
              {can('conditions.manage') && (
                <Button onClick={() => setRecording(true)} data-testid="position-record">
                  {t('stakeholders.positions.record')}
                </Button>
              )}
            </PageHeader>
            <Stack gap="lg">
              <Group gap="md">
                <Badge variant="outline">{t(`stakeholders.kinds.${s.kind}`)}</Badge>
                {organisation && (
                  <Text size="sm">
                    {t('stakeholders.organisation')}: <OrganisationName organisation={organisation} />
                  </Text>
                )}
                {language === 'ar' && s.nameAr && (
                  <Text size="sm" c="dimmed" lang="en" dir="ltr" translate="no">
                    {s.name}
                  </Text>
                )}
              </Group>

              <section aria-labelledby="as-of-title">
                <Group justify="space-between" align="flex-end" mb="sm">
                  <Title order={3} id="as-of-title">
                    {t('stakeholders.stanceOn', { date: asOf ? format.date(asOf) : '—' })}
                  </Title>
                  <TextInput
                    type="date"
                    label={t('stakeholders.asOf')}
                    value={asOf}
                    onChange={(e) => setAsOf(e.currentTarget.value)}
                    data-testid="stakeholder-as-of"
                    size="xs"
                  />
                </Group>
                <QueryState isPending={onDate.isPending} error={onDate.error}>
                  {onDate.data?.items.length ? (
                    <Table.ScrollContainer minWidth={560}>
                      <Table data-testid="stance-as-of">
                        <Table.Thead>
                          <Table.Tr>
                            <Table.Th>{t('stakeholders.subject')}</Table.Th>
                            <Table.Th>{t('stakeholders.positions.stance')}</Table.Th>
                            <Table.Th>{t('stakeholders.positions.statedOn')}</Table.Th>
                            <Table.Th>{t('conditions.evidence.source')}</Table.Th>
                          </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                          {onDate.data.items.map((p) => (
                            <Table.Tr key={p.id} data-testid="stance-as-of-row" data-subject={subjectKey(p)}>
                              <Table.Td>{subjectTitle(p)}</Table.Td>
                              <Table.Td>
                                <StanceBadge stance={p.stance} />
                              </Table.Td>
                              <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.date(p.statedOn)}</Table.Td>
                              <Table.Td>
                                <Citation position={p} />
                              </Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    </Table.ScrollContainer>
                  ) : (
                    <Text size="sm" c="dimmed" data-testid="stance-as-of-empty">
                      {t('stakeholders.noStanceYet')}
                    </Text>
                  )}
                </QueryState>
              </section>

              <section aria-labelledby="history-title">
                <Title order={3} id="history-title" mb="sm">
                  {t('stakeholders.history')}
                </Title>
                <QueryState isPending={history.isPending} error={history.error}>
                  {positions.length === 0 ? (
                    <Text size="sm" c="dimmed">
                      {t('stakeholders.noPositions')}
                    </Text>
                  ) : (
                    <Stack gap="md" data-testid="position-history">
                      {(history.data?.total ?? 0) > positions.length && (
                        <Text size="sm" c="dimmed">
                          {t('stakeholders.showingLatest', {
                            shown: format.number(positions.length),
                            total: format.number(history.data?.total),
                          })}
                        </Text>
                      )}
                      {[...subjects.entries()].map(([key, list]) => (
                        <Card withBorder key={key} data-testid="position-subject" data-subject={key}>
                          {subjectTitle(list[0])}
                          <StanceStrip positions={list} from={from} to={to} />
                          <Timeline bulletSize={14} lineWidth={2} active={list.length - 1}>
                            {list.map((p) => (
                              <Timeline.Item
                                key={p.id}
                                color={STANCE_COLORS[p.stance]}
                                data-testid="position-item"
                                data-stated-on={p.statedOn}
                                opacity={asOf && p.statedOn > asOf ? 0.45 : 1}
                                title={
                                  <Group gap="xs">
                                    <Text size="sm" fw={500}>
                                      {format.date(p.statedOn)}
                                    </Text>
                                    <StanceBadge stance={p.stance} />
                                    {asOf && p.statedOn > asOf && (
                                      <Text size="xs" c="dimmed">
                                        {t('stakeholders.afterDate')}
                                      </Text>
                                    )}
                                  </Group>
                                }
                              >
                                <Citation position={p} />
                                {p.note && (
                                  <Text size="sm" c="dimmed" dir="auto">
                                    {p.note}
                                  </Text>
                                )}
                              </Timeline.Item>
                            ))}
                          </Timeline>
                        </Card>
                      ))}
                    </Stack>
                  )}
                </QueryState>
              </section>

              <section aria-labelledby="must-act-title">
                <Title order={3} id="must-act-title" mb="sm">
                  {t('stakeholders.mustAct')}
                </Title>
                {conditions.isPending ? (
                  <Loader size="sm" aria-label={t('stakeholders.mustAct')} />
                ) : mustAct.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t('stakeholders.mustActNone')}
                  </Text>
                ) : (
                  <List spacing="xs" data-testid="must-act">
                    {mustAct.map((c) => (
                      <List.Item key={c.id}>
                        <Group gap="xs">
                          <Anchor component={Link} to={`/conditions/${c.id}`} size="sm">
                            {localised(language, c.titleEn, c.titleAr)}
                          </Anchor>
                          <StatusBadge status={c.status} />
                        </Group>
                      </List.Item>
                    ))}
                  </List>
                )}
              </section>
            </Stack>
            {recording && (
              <PositionFormModal stakeholderId={s.id} conditions={conditions.data?.items ?? []} onClose={() => setRecording(false)} />
            )}
          </>
        )}
      </QueryState>
    </>
  );
}
