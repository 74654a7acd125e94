import { Center, Loader } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from './problem-alert';

interface QueryStateProps {
  isPending: boolean;
  error: unknown;
  children: ReactNode;
}

/** Shows a loader while a query is pending and its problem if it failed. */
export function QueryState({ isPending, error, children }: QueryStateProps) {
  const { t } = useTranslation();
  if (error) return <ProblemAlert error={error} />;
  if (isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={t('common.loading')} />
      </Center>
    );
  }
  return <>{children}</>;
}
