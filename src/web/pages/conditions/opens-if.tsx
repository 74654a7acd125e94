import { List, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { UnlockingSet } from './conditions-api';

interface Props {
  sets: UnlockingSet[];
  truncated: boolean;
  /** Condition titles by id, in the interface language. */
  titles: ReadonlyMap<string, string>;
  /** A condition to set in bold, e.g. the one whose page this is. */
  emphasise?: string;
}

/**
 * What would open a blocked gate, from its minimal unlocking sets: "Opens once A and B are
 * met", or "Opens once any one of these is met:" with one line per way. Conditions the
 * user may not see are named only as such.
 */
export function OpensIf({ sets, truncated, titles, emphasise }: Props) {
  const { t, i18n } = useTranslation();
  const list = new Intl.ListFormat(i18n.resolvedLanguage === 'ar' ? 'ar' : 'en', { type: 'conjunction' });

  const way = (set: UnlockingSet) => {
    const names = set.conditionIds.map((id) => titles.get(id) ?? id);
    if (set.includesHidden) names.push(t('conditions.opensIf.hidden'));
    // The list's words ("A, B and C") with each name isolated, so that a Latin title in an
    // Arabic sentence keeps its own direction; the elements come in the order of the names.
    let index = 0;
    return list.formatToParts(names).map((part) => {
      if (part.type !== 'element') return <span key={`between-${index}`}>{part.value}</span>;
      const id = set.conditionIds[index++] ?? 'hidden';
      return (
        <bdi key={id} style={id === emphasise ? { fontWeight: 700 } : undefined}>
          {part.value}
        </bdi>
      );
    });
  };

  if (sets.length === 1 && sets[0].conditionIds.length === 0) {
    return (
      <Text size="sm" data-testid="opens-if">
        {t('conditions.opensIf.onlyHidden')}
      </Text>
    );
  }
  if (sets.length === 1) {
    return (
      <Text size="sm" data-testid="opens-if">
        {t('conditions.opensIf.all', { count: sets[0].conditionIds.length + (sets[0].includesHidden ? 1 : 0) })} {way(sets[0])}
      </Text>
    );
  }
  return (
    <div data-testid="opens-if">
      <Text size="sm">{t('conditions.opensIf.any')}</Text>
      <List size="sm" withPadding>
        {sets.map((set) => (
          <List.Item key={[...set.conditionIds, set.includesHidden].join()} data-testid="opens-if-way">
            {way(set)}
          </List.Item>
        ))}
      </List>
      {truncated && (
        <Text size="xs" c="dimmed">
          {t('conditions.opensIf.more')}
        </Text>
      )}
    </div>
  );
}
