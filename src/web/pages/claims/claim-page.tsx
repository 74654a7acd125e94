import { Anchor, Button, Card, Group, SimpleGrid, Stack, Stepper, Table, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { ProblemAlert } from '../../components/problem-alert';
import { notifySuccess } from '../../components/problems';
import { QueryState } from '../../components/query-state';
import { api } from '../../http/api-client';
import { claimQueries } from '../../http/queries/funding';
import { useFormat } from '../../i18n/format';
import { CLAIM_STEPS, type ClaimDetail, type ClaimStatus, STATUS_COLORS, useMonth, useUsd } from './claims-api';
import { ClaimStatusBadge } from './claims-page';

export default function ClaimPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const claim = useQuery(claimQueries.detail(id ?? ''));
  const monthName = useMonth();
  return (
    <>
      <PageHeader title={claim.data ? `${claim.data.contingent} · ${monthName(claim.data.month)}` : t('claims.claim')}>
        {claim.data && <ClaimStatusBadge status={claim.data.status} />}
      </PageHeader>
      <Anchor component={Link} to="/funding/claims" size="sm" mb="md" display="inline-block">
        {t('claims.back')}
      </Anchor>
      <QueryState isPending={claim.isPending} error={claim.error}>
        {claim.data && <ClaimBody claim={claim.data} />}
      </QueryState>
    </>
  );
}

function ClaimBody({ claim }: { claim: ClaimDetail }) {
  const { t } = useTranslation();
  const usd = useUsd();
  const format = useFormat();
  const rejected = claim.status === 'rejected';
  // The stepper shows how far the claim got; a rejected claim stops after its last step.
  const reached = rejected
    ? CLAIM_STEPS.indexOf([...claim.events].reverse().find((e) => e.status !== 'rejected')?.status ?? 'drafted')
    : CLAIM_STEPS.indexOf(claim.status);

  return (
    <Stack gap="xl">
      <Stepper
        active={claim.status === 'paid' ? CLAIM_STEPS.length : reached + 1}
        size="sm"
        color={rejected ? 'red' : undefined}
        data-testid="claim-stepper"
      >
        {CLAIM_STEPS.map((step) => (
          <Stepper.Step key={step} label={t(`claims.status.${step}`)} />
        ))}
      </Stepper>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Card withBorder>
          <Title order={4} mb="sm">
            {t('claims.amounts')}
          </Title>
          <Table>
            <Table.Tbody>
              <Row label={t('claims.country')} value={claim.countryName} />
              <Row label={t('claims.instrument')} value={claim.instrumentName} />
              <Row label={t('claims.budgetLine')} value={claim.budgetLineCode} />
              <Row label={t('claims.personnelDays')} value={format.number(claim.personnelDays)} />
              <Row label={t('claims.rate')} value={usd(claim.rateUsd)} />
              <Row
                label={t('claims.personnel')}
                value={usd(claim.personnelUsd)}
                hint={t('claims.personnelWorking', {
                  days: format.number(claim.personnelDays),
                  rate: usd(claim.rateUsd),
                  month: format.number(claim.daysInMonth),
                })}
              />
              <Row label={t('claims.equipment.total')} value={usd(claim.equipmentUsd)} />
              <Row label={t('claims.total')} value={usd(claim.totalUsd)} strong />
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder>
          <Title order={4} mb="sm">
            {t('claims.history')}
          </Title>
          <Timeline active={claim.events.length - 1} bulletSize={14} lineWidth={2} data-testid="claim-timeline">
            {claim.events.map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: events are listed in order and never change
              <Timeline.Item key={i} title={t(`claims.status.${e.status}`)} color={STATUS_COLORS[e.status]} data-testid="claim-event">
                <Text size="xs" c="dimmed">
                  {format.dateTime(e.recordedAt)} · {e.recordedBy}
                </Text>
                {e.note && <Text size="sm">{e.note}</Text>}
              </Timeline.Item>
            ))}
          </Timeline>
        </Card>
      </SimpleGrid>
      <section aria-labelledby="equipment-title">
        <Title order={4} id="equipment-title" mb="sm">
          {t('claims.equipment.title')}
        </Title>
        {claim.equipment.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t('claims.equipment.none')}
          </Text>
        ) : (
          <Table striped data-testid="equipment-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('claims.equipment.description')}</Table.Th>
                <Table.Th>{t('claims.equipment.lease')}</Table.Th>
                <Table.Th ta="end">{t('claims.equipment.quantity')}</Table.Th>
                <Table.Th ta="end">{t('claims.equipment.monthlyRate')}</Table.Th>
                <Table.Th ta="end">{t('claims.equipment.amount')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {claim.equipment.map((line) => (
                <Table.Tr key={line.id}>
                  <Table.Td>{line.description}</Table.Td>
                  <Table.Td>{t(`claims.equipment.${line.lease}`)}</Table.Td>
                  <Table.Td ta="end">{format.number(line.quantity)}</Table.Td>
                  <Table.Td ta="end">{usd(line.monthlyRateUsd)}</Table.Td>
                  <Table.Td ta="end">{usd(line.amountUsd ?? '0')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </section>
      {claim.transitions.length > 0 && <Transitions claim={claim} />}
    </Stack>
  );
}

function Row({ label, value, hint, strong }: { label: string; value: string; hint?: string; strong?: boolean }) {
  return (
    <Table.Tr>
      <Table.Th fw={500}>{label}</Table.Th>
      <Table.Td ta="end" fw={strong ? 700 : undefined}>
        {value}
        {hint && (
          <Text size="xs" c="dimmed">
            {hint}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** The moves the person may make now; each is sent with its own key, reused if the same move is retried. */
function Transitions({ claim }: { claim: ClaimDetail }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [keys] = useState(() => new Map<ClaimStatus, string>());
  const move = useMutation({
    mutationFn: (to: ClaimStatus) => {
      if (!keys.has(to)) keys.set(to, crypto.randomUUID());
      return api.postOnce<ClaimDetail>(`/api/funding/claims/${claim.id}/transitions`, { to, note }, keys.get(to)!);
    },
    onSuccess: (updated) => {
      keys.clear();
      setNote('');
      queryClient.setQueryData(claimQueries.detail(claim.id).queryKey, updated);
      void queryClient.invalidateQueries({ queryKey: claimQueries.all });
      notifySuccess(t('claims.moved', { status: t(`claims.status.${updated.status}`) }));
    },
  });
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={4}>{t('claims.next')}</Title>
        <ProblemAlert error={move.error} fields={[]} />
        <Textarea
          label={t('claims.note')}
          description={t('claims.noteHint')}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          autosize
          minRows={2}
        />
        <Group>
          {claim.transitions.map((to) => (
            <Button
              key={to}
              color={to === 'rejected' ? 'red' : STATUS_COLORS[to]}
              variant={to === 'rejected' ? 'light' : 'filled'}
              loading={move.isPending && move.variables === to}
              disabled={move.isPending}
              onClick={() => move.mutate(to)}
              data-testid={`move-${to}`}
            >
              {t(`claims.action.${to}`)}
            </Button>
          ))}
        </Group>
      </Stack>
    </Card>
  );
}
