import { Button, Group, Stack } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { withQuery } from '../../http/api-client';
import { useAllOrganisations } from '../../http/lookups';
import { organisationName } from '../organisations/organisation-labels';
import { type Period, useOverview } from './funding-api';
import { FundingFigures } from './funding-figures';
import { FundingTabs, PeriodFilter, TotalCards } from './funding-parts';

export default function FundingOverviewPage() {
  const { t, i18n } = useTranslation();
  const [period, setPeriod] = useState<Period>({});
  const overview = useOverview(period);
  const organisations = useAllOrganisations();
  const byId = new Map((organisations.data ?? []).map((o) => [o.id, o]));
  const language = i18n.resolvedLanguage ?? 'en';
  // The United States is drawn apart: it is the largest donor the mission depends on.
  const us = overview.data?.donors.find((d) => d.donorCountryCode === 'US');
  const donorName = (id: string, fallback: string) => {
    const org = byId.get(id);
    return org ? organisationName(org, language) : fallback;
  };

  return (
    <>
      <PageHeader title={t('funding.title')} />
      <FundingTabs />
      <Stack gap="lg">
        <PeriodFilter period={period} onChange={setPeriod} />
        <QueryState isPending={overview.isPending} error={overview.error}>
          {overview.data && (
            <>
              <TotalCards overview={overview.data} />
              <FundingFigures
                overview={overview.data}
                highlightDonorId={us?.donorOrgId}
                donorName={donorName}
                donorAction={(donorOrgId) => (
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      component="a"
                      size="compact-sm"
                      variant="light"
                      href={withQuery('/api/funding/statements', { donorOrgId, ...period })}
                      download
                      aria-label={t('funding.statement.downloadFor', { donor: donorName(donorOrgId, '') })}
                      data-testid="download-statement"
                    >
                      {t('funding.statement.download')}
                    </Button>
                  </Group>
                )}
              />
            </>
          )}
        </QueryState>
      </Stack>
    </>
  );
}
