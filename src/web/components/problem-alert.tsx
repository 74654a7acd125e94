import { Alert, List, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { describeProblem, fieldErrors } from './problems';

interface ProblemAlertProps {
  error: unknown;
  /** Fields shown inline next to their inputs; other field errors are listed here. */
  fields?: string[];
}

/**
 * A problem as an alert. Something the person can put right (a wrong password, a form to
 * correct) gets a calm, specific title; only a fault of the server or the connection says
 * that something went wrong, with the reference to quote when reporting it.
 */
export function ProblemAlert({ error, fields = [] }: ProblemAlertProps) {
  const { t } = useTranslation();
  if (!error) return null;
  const problem = describeProblem(error);
  const unplaced = Object.entries(fieldErrors(error)).filter(([field]) => !fields.includes(field));
  return (
    <Alert
      color={problem.severity === 'fault' ? 'red' : 'orange'}
      title={problem.title}
      role="alert"
      data-testid="problem-alert"
      data-severity={problem.severity}
    >
      <Text size="sm">{problem.message}</Text>
      {unplaced.length > 0 && (
        <List size="sm" mt="xs">
          {unplaced.map(([field, detail]) => (
            <List.Item key={field}>
              <bdi translate="no">{field}</bdi>: {detail}
            </List.Item>
          ))}
        </List>
      )}
      {problem.correlationId && (
        <Text size="xs" mt="xs">
          {t('errors.correlationId', { id: problem.correlationId })}
        </Text>
      )}
    </Alert>
  );
}
