import { Group, Pagination, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../i18n/format';

interface PagerProps {
  page: number;
  pageSize: number;
  total: number;
  onChange: (page: number) => void;
}

export function Pager({ page, pageSize, total, onChange }: PagerProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" mt="md" gap="sm">
      <Text size="sm" c="dimmed" aria-live="polite">
        {t('common.totalResults', { count: total, formatted: format.number(total) })}
      </Text>
      {pages > 1 && (
        <Pagination
          value={page}
          onChange={onChange}
          total={pages}
          size="sm"
          getControlProps={(control) => ({
            'aria-label': t(`pagination.${control}`),
          })}
          getItemProps={(item) => ({
            'aria-label': t('pagination.page', { page: format.number(item) }),
            children: format.number(item),
          })}
        />
      )}
    </Group>
  );
}
