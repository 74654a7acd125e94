/** Pieces every funding page shares: the tabs between them, the period filter, the total cards. */
import { Badge, Card, Group, SimpleGrid, Tabs, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { FUNDING_TABS } from '../../shell/nav-items';
import { type Period, type PublicOverview, TRANCHE_COLORS, type TrancheState, useMoney } from './funding-api';

const TABS = FUNDING_TABS;

export function FundingTabs() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const current = [...TABS].reverse().find((tab) => pathname === tab.path || pathname.startsWith(`${tab.path}/`))?.path ?? '/funding';
  return (
    <Tabs value={current} onChange={(value) => value && navigate(value)} mb="md" aria-label={t('funding.tabs.label')}>
      <Tabs.List>
        {TABS.map((tab) => (
          <Tabs.Tab key={tab.key} value={tab.path} data-testid={`funding-tab-${tab.key}`}>
            {t(`funding.tabs.${tab.key}`)}
          </Tabs.Tab>
        ))}
      </Tabs.List>
    </Tabs>
  );
}

export function PeriodFilter({ period, onChange }: { period: Period; onChange: (period: Period) => void }) {
  const { t } = useTranslation();
  return (
    <Group gap="sm" align="flex-end">
      <TextInput
        type="date"
        label={t('funding.period.from')}
        value={period.from ?? ''}
        onChange={(e) => onChange({ ...period, from: e.currentTarget.value || undefined })}
        data-testid="period-from"
      />
      <TextInput
        type="date"
        label={t('funding.period.to')}
        value={period.to ?? ''}
        onChange={(e) => onChange({ ...period, to: e.currentTarget.value || undefined })}
        data-testid="period-to"
      />
    </Group>
  );
}

function Figure({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }) {
  return (
    <Card withBorder padding="sm" data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg" data-testid={`${testId}-value`}>
        {value}
      </Text>
      {note && (
        <Text size="xs" c="dimmed">
          {note}
        </Text>
      )}
    </Card>
  );
}

/** The headline figures; pledges are shown but marked as not counted as funding. */
export function TotalCards({ overview }: { overview: PublicOverview }) {
  const { t } = useTranslation();
  const money = useMoney();
  const x = overview.totals;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 4, xl: 6 }} spacing="sm" data-testid="funding-totals">
      <Figure label={t('funding.figures.budget')} value={money.usd(x.budget)} testId="total-budget" />
      <Figure label={t('funding.figures.pledged')} value={money.usd(x.pledged)} note={t('funding.notFunding')} testId="total-pledged" />
      <Figure label={t('funding.figures.committed')} value={money.usd(x.committed)} testId="total-committed" />
      <Figure label={t('funding.figures.received')} value={money.usd(x.received)} testId="total-received" />
      <Figure label={t('funding.figures.allocated')} value={money.usd(x.allocated)} testId="total-allocated" />
      <Figure label={t('funding.figures.disbursed')} value={money.usd(x.disbursed)} testId="total-disbursed" />
      <Figure label={t('funding.figures.spent')} value={money.usd(x.spent)} testId="total-spent" />
      <Figure label={t('funding.figures.gap')} value={money.usd(x.gap)} note={t('funding.gapNote')} testId="total-gap" />
      <Figure label={t('funding.figures.cashOnHand')} value={money.usd(x.cashOnHand)} testId="total-cash" />
      <Figure label={t('funding.figures.burnRate')} value={money.usd(overview.burnRate)} note={t('funding.burnNote')} testId="total-burn" />
      <Figure
        label={t('funding.figures.runway')}
        value={
          overview.runwayMonths === null
            ? '—'
            : t('funding.months', { count: overview.runwayMonths, formatted: money.number(overview.runwayMonths) })
        }
        testId="total-runway"
      />
    </SimpleGrid>
  );
}

export function TrancheStateBadge({ state }: { state: TrancheState }) {
  const { t } = useTranslation();
  return (
    <Badge color={TRANCHE_COLORS[state]} variant="light" data-testid="tranche-state" data-state={state}>
      {t(`funding.trancheStates.${state}`)}
    </Badge>
  );
}
