import { Card, Stack, Switch, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/problem-alert';
import { QueryState } from '../../components/query-state';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { claimQueries, fundingQueries } from '../../http/queries/funding';

const RULES = ['claimPayerNotSubmitter', 'claimPayerNotApprover', 'claimApproverNotVerifier'] as const;
type Rule = (typeof RULES)[number];
type Duties = Record<Rule, boolean> & { updatedAt: string; updatedBy: string };

/** The mission's separation of duties for reimbursement claims: each rule on or off, for those who manage roles. */
export function SeparationOfDuties({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const duties = useQuery(fundingQueries.separationOfDuties());
  const save = useSaveMutation({
    mutationFn: (change: Partial<Record<Rule, boolean>>) => api.patch<Duties>('/api/funding/separation-of-duties', change),
    invalidates: [fundingQueries.separationOfDuties().queryKey, claimQueries.all],
    notice: () => t('duties.saved'),
    onSaved: () => {},
  });
  return (
    <Card withBorder padding="md" mb="lg" data-testid="separation-of-duties">
      <Title order={3} size="h4" mb="xs">
        {t('duties.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('duties.intro')}
      </Text>
      <QueryState isPending={duties.isPending} error={duties.error}>
        <Stack gap="xs">
          <ProblemAlert error={save.error} />
          {RULES.map((rule) => (
            <Switch
              key={rule}
              label={t(`duties.${rule}`)}
              checked={duties.data?.[rule] ?? false}
              disabled={!canManage || save.isPending}
              onChange={(e) => save.mutate({ [rule]: e.currentTarget.checked })}
              data-testid={`duty-${rule}`}
            />
          ))}
          {duties.data && (
            <Text size="xs" c="dimmed">
              {t('duties.updated', { who: duties.data.updatedBy === 'migration' ? t('duties.bySystem') : duties.data.updatedBy })}
            </Text>
          )}
        </Stack>
      </QueryState>
    </Card>
  );
}
