import { Anchor, Box, Container, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../auth/session';
import { QueryState } from '../../components/query-state';
import { LanguageSwitch } from '../../shell/language-switch';
import { type Period, usePublicOverview } from './funding-api';
import { FundingFigures } from './funding-figures';
import { PeriodFilter, TotalCards } from './funding-parts';

/** Public aggregate figures of publicly classified funding; open without signing in. */
export default function TransparencyPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const [period, setPeriod] = useState<Period>({});
  const overview = usePublicOverview(period);

  return (
    <Box mih="100dvh">
      <Group justify="space-between" p="md" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Anchor component={Link} to="/" fw={700} data-testid="transparency-to-app">
          {me ? t('transparency.openApp') : t('transparency.signIn')}
        </Anchor>
        <LanguageSwitch />
      </Group>
      <Container size="xl" py="lg" component="main">
        <Stack gap="lg">
          <Stack gap={4}>
            <Title order={1}>{t('transparency.title')}</Title>
            <Text c="dimmed">{t('transparency.intro')}</Text>
          </Stack>
          <PeriodFilter period={period} onChange={setPeriod} />
          <QueryState isPending={overview.isPending} error={overview.error}>
            {overview.data && (
              <>
                <TotalCards overview={overview.data} />
                <FundingFigures
                  overview={overview.data}
                  highlightDonorId={overview.data.donors.find((d) => d.donorCountryCode === 'US')?.donorOrgId}
                />
              </>
            )}
          </QueryState>
          <Text size="xs" c="dimmed">
            {t('transparency.method')}
          </Text>
        </Stack>
      </Container>
    </Box>
  );
}
