import { Alert, Anchor, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Stack maw={560}>
      <Alert color="gray" title={t('notFound.title')}>
        {t('notFound.body')}{' '}
        <Anchor component={Link} to="/">
          {t('notFound.home')}
        </Anchor>
      </Alert>
    </Stack>
  );
}

export function NotPermittedPage() {
  const { t } = useTranslation();
  return (
    <Stack maw={560}>
      <Alert color="yellow" title={t('notPermitted.title')}>
        {t('notPermitted.body')}
      </Alert>
    </Stack>
  );
}
