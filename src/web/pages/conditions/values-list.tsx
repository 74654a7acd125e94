import { Badge, Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type ConditionStatus, DIMENSIONS, STATUS_COLORS, useValueFormat, type Values } from './conditions-api';

/** The four dimensions of what a condition holds back or unlocks, one per line. */
export function ValuesList({ values }: { values: Values }) {
  const { t } = useTranslation();
  const format = useValueFormat();
  return (
    <Stack gap={0}>
      {DIMENSIONS.filter((d) => Number(values[d]) !== 0).map((d) => (
        <Text key={d} size="sm" style={{ whiteSpace: 'nowrap' }}>
          <Text span c="dimmed" size="sm">
            {t(`conditions.dimensions.${d}`)}:
          </Text>{' '}
          {format(values, d)}
        </Text>
      ))}
      {DIMENSIONS.every((d) => Number(values[d]) === 0) && (
        <Text size="sm" c="dimmed">
          {t('conditions.nothing')}
        </Text>
      )}
    </Stack>
  );
}

export function StatusBadge({ status }: { status: ConditionStatus }) {
  const { t } = useTranslation();
  return (
    <Group gap={0}>
      <Badge color={STATUS_COLORS[status]} variant="light" data-testid="condition-status" data-status={status}>
        {t(`conditions.statuses.${status}`)}
      </Badge>
    </Group>
  );
}
