import { Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** The one row of a table that a search or filter left empty, across all its columns. */
export function NoResultsRow({ colSpan }: { colSpan: number }) {
  const { t } = useTranslation();
  return (
    <Table.Tr>
      <Table.Td colSpan={colSpan}>
        <Text c="dimmed" ta="center" py="md">
          {t('common.noResults')}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}
