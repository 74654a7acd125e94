import { Badge, Button, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoResultsRow } from '../../components/no-results-row';
import { PageHeader } from '../../components/page-header';
import { ProblemAlert } from '../../components/problem-alert';
import { QueryState } from '../../components/query-state';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { securityQueries } from '../../http/queries/security';
import { useFormat } from '../../i18n/format';

/** The server raises an alert at this many refusals within this many minutes (security.repo.ts). */
const THRESHOLD = 10;
const WINDOW_MINUTES = 10;

export interface SecurityAlert {
  id: string;
  subjectKind: 'actor' | 'address';
  subject: string;
  firstAt: string;
  lastAt: string;
  refusals: number;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

type Filter = 'open' | 'acknowledged' | 'all';

/** The refusals behind an alert: its person's or its address's latest. */
function Refusals({ alert }: { alert: SecurityAlert }) {
  const { t } = useTranslation();
  const format = useFormat();
  const filter = alert.subjectKind === 'actor' ? { actor: alert.subject } : { ip: alert.subject };
  const events = useQuery(securityQueries.events(filter));
  return (
    <QueryState isPending={events.isPending} error={events.error}>
      <Table.ScrollContainer minWidth={560}>
        <Table verticalSpacing={4} fz="sm" data-testid="security-events">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('security.time')}</Table.Th>
              <Table.Th>{t('security.status')}</Table.Th>
              <Table.Th>{t('security.request')}</Table.Th>
              <Table.Th>{t('security.address')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.data?.items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{format.dateTime(e.at)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={e.status === 401 ? 'orange' : 'red'}>
                    {e.status}
                  </Badge>
                </Table.Td>
                <Table.Td dir="ltr" style={{ wordBreak: 'break-all' }}>
                  {e.method} {e.url}
                </Table.Td>
                <Table.Td dir="ltr">{e.ip}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </QueryState>
  );
}

/** Alerts that repeated refusals raised, for administrators: who or where from, how many, and acknowledging them. */
export default function SecurityPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const [filter, setFilter] = useState<Filter>('open');
  const [shown, setShown] = useState<string | null>(null);
  const alerts = useQuery(securityQueries.alerts(filter === 'all' ? null : filter));
  const acknowledge = useSaveMutation({
    mutationFn: (id: string) => api.post<SecurityAlert>(`/api/security/alerts/${id}/acknowledge`),
    invalidates: [securityQueries.all],
    notice: () => t('security.acknowledgedNotice'),
    onSaved: () => {},
  });

  return (
    <>
      <PageHeader title={t('security.title')}>
        {(alerts.data?.open ?? 0) > 0 && (
          <Badge color="red" size="lg" data-testid="security-open-count">
            {t('security.openBadge', { count: alerts.data?.open ?? 0 })}
          </Badge>
        )}
      </PageHeader>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          {t('security.intro', { count: THRESHOLD, minutes: WINDOW_MINUTES })}
        </Text>
        <SegmentedControl
          value={filter}
          onChange={(value) => setFilter(value as Filter)}
          data={(['open', 'acknowledged', 'all'] as const).map((value) => ({ value, label: t(`security.${value}`) }))}
          w="fit-content"
        />
        <ProblemAlert error={acknowledge.error} />
        <QueryState isPending={alerts.isPending} error={alerts.error}>
          <Table.ScrollContainer minWidth={760}>
            <Table striped data-testid="security-alerts">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('security.subject')}</Table.Th>
                  <Table.Th style={{ textAlign: 'end' }}>{t('security.refusals')}</Table.Th>
                  <Table.Th>{t('security.first')}</Table.Th>
                  <Table.Th>{t('security.last')}</Table.Th>
                  <Table.Th>{t('common.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {alerts.data?.items.map((alert) => (
                  <Fragment key={alert.id}>
                    <Table.Tr data-testid={`security-alert-${alert.subject}`}>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Badge variant="light" color={alert.subjectKind === 'actor' ? 'blue' : 'grape'}>
                            {t(`security.kind.${alert.subjectKind}`)}
                          </Badge>
                          <Text size="sm" dir="ltr" style={{ whiteSpace: 'nowrap' }}>
                            {alert.subject}
                          </Text>
                        </Group>
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'end' }}>{format.number(alert.refusals)}</Table.Td>
                      <Table.Td>{format.dateTime(alert.firstAt)}</Table.Td>
                      <Table.Td>{format.dateTime(alert.lastAt)}</Table.Td>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Button size="xs" variant="default" onClick={() => setShown(shown === alert.id ? null : alert.id)}>
                            {t('security.refusalsOf')}
                          </Button>
                          {alert.acknowledgedAt ? (
                            <Text size="xs" c="dimmed">
                              {t('security.acknowledgedBy', { who: alert.acknowledgedBy })}
                            </Text>
                          ) : (
                            <Button
                              size="xs"
                              onClick={() => acknowledge.mutate(alert.id)}
                              loading={acknowledge.isPending && acknowledge.variables === alert.id}
                              data-testid="security-acknowledge"
                            >
                              {t('security.acknowledge')}
                            </Button>
                          )}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                    {shown === alert.id && (
                      <Table.Tr>
                        <Table.Td colSpan={5}>
                          <Title order={3} size="h6" mb={4}>
                            {t('security.refusalsOf')}
                          </Title>
                          <Refusals alert={alert} />
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                ))}
                {alerts.data?.items.length === 0 && <NoResultsRow colSpan={5} hint="securityAlerts" />}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </QueryState>
      </Stack>
    </>
  );
}
