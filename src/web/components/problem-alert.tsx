import { Alert, List, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../http/api-client';
import { fieldErrors, problemMessage } from './problems';

interface ProblemAlertProps {
  error: unknown;
  /** Fields shown inline next to their inputs; other field errors are listed here. */
  fields?: string[];
}

export function ProblemAlert({ error, fields = [] }: ProblemAlertProps) {
  const { t } = useTranslation();
  if (!error) return null;
  const unplaced = Object.entries(fieldErrors(error)).filter(([field]) => !fields.includes(field));
  const correlationId = isApiError(error) ? error.problem.correlationId : undefined;
  const invalid = isApiError(error) && (error.problem.errors?.length ?? 0) > 0;
  return (
    <Alert color="red" title={invalid ? t('errors.invalidTitle') : t('errors.title')} role="alert">
      <Text size="sm">{problemMessage(error)}</Text>
      {unplaced.length > 0 && (
        <List size="sm" mt="xs">
          {unplaced.map(([field, detail]) => (
            <List.Item key={field}>
              {field}: {detail}
            </List.Item>
          ))}
        </List>
      )}
      {correlationId && (
        <Text size="xs" c="dimmed" mt="xs">
          {t('errors.correlationId', { id: correlationId })}
        </Text>
      )}
    </Alert>
  );
}
