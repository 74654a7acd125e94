import { Alert, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/page-header';
import { organisationName } from '../organisations/organisation-labels';
import { PasswordSection } from './password-section';
import { ProfileSection } from './profile-section';
import { TokensSection } from './tokens-section';
import { TotpSection } from './totp-section';

export function AccountPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  if (!me) return null;
  return (
    <Stack maw={880} gap="lg">
      <PageHeader title={t('account.title')} />
      {me.mustEnrolTotp && (
        <Alert color="orange" title={t('account.enrolRequiredTitle')} role="alert">
          {t('account.enrolRequiredBody', { organisation: organisationName(me.organisation, i18n.resolvedLanguage ?? 'en') })}
        </Alert>
      )}
      {me.mustEnrolTotp ? (
        <TotpSection />
      ) : (
        <>
          <ProfileSection />
          <PasswordSection />
          <TotpSection />
          <TokensSection />
        </>
      )}
    </Stack>
  );
}
