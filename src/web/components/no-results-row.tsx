import { Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** What would be listed, and how it gets there: one sentence per kind of table (`common.emptyHints`). */
export type EmptyHint =
  | 'conditions'
  | 'users'
  | 'stakeholders'
  | 'audit'
  | 'strengths'
  | 'claims'
  | 'transactions'
  | 'budgetLines'
  | 'instruments'
  | 'rates'
  | 'donors'
  | 'pledges'
  | 'importFigures'
  | 'reportedFlows'
  | 'imports'
  | 'organisations'
  | 'securityAlerts';

/**
 * The one row of a table that is empty, across all its columns: that nothing matches, and
 * what would appear here and how it is added.
 */
export function NoResultsRow({ colSpan, hint }: { colSpan: number; hint: EmptyHint }) {
  const { t } = useTranslation();
  return (
    <Table.Tr>
      <Table.Td colSpan={colSpan}>
        <Text c="dimmed" ta="center" pt="md">
          {t('common.noResults')}
        </Text>
        <Text c="dimmed" ta="center" size="sm" pb="md" data-testid="empty-hint">
          {t(`common.emptyHints.${hint}`)}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}
