import { Button, Group, Select, SimpleGrid, TextInput } from '@mantine/core';
import { DatePickerInput, DatesProvider, type DatesProviderSettings } from '@mantine/dates';
import 'dayjs/locale/ar';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { useOrganisationOptions } from '../../http/lookups';

export interface AuditFilterValues {
  actor: string;
  organisationId: string | null;
  entityType: string;
  entityId: string;
  action: string;
  /** Calendar days as `YYYY-MM-DD`. */
  from: string | null;
  to: string | null;
}

export const EMPTY_AUDIT_FILTERS: AuditFilterValues = {
  actor: '',
  organisationId: null,
  entityType: '',
  entityId: '',
  action: '',
  from: null,
  to: null,
};

interface Props {
  value: AuditFilterValues;
  onApply: (value: AuditFilterValues) => void;
}

/** Filters are edited here and applied together, so typing does not refetch on every key. */
export function AuditFilters({ value, onApply }: Props) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const organisations = useOrganisationOptions();
  const [draft, setDraft] = useState(value);
  const set = <K extends keyof AuditFilterValues>(key: K, next: AuditFilterValues[K]) => setDraft((old) => ({ ...old, [key]: next }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    onApply({
      ...draft,
      actor: draft.actor.trim(),
      entityType: draft.entityType.trim(),
      entityId: draft.entityId.trim(),
      action: draft.action.trim(),
    });
  };

  const arabic = i18n.resolvedLanguage === 'ar';
  // The working week in Gaza runs Saturday to Thursday; in English keep the ISO week.
  const dates: DatesProviderSettings = arabic
    ? { locale: 'ar', firstDayOfWeek: 6, weekendDays: [5, 6] }
    : { locale: 'en', firstDayOfWeek: 1, weekendDays: [0, 6] };
  const ariaLabels = {
    monthLevelControl: t('calendar.monthLevelControl'),
    yearLevelControl: t('calendar.yearLevelControl'),
    nextMonth: t('calendar.nextMonth'),
    previousMonth: t('calendar.previousMonth'),
    nextYear: t('calendar.nextYear'),
    previousYear: t('calendar.previousYear'),
    nextDecade: t('calendar.nextDecade'),
    previousDecade: t('calendar.previousDecade'),
  };

  return (
    <DatesProvider settings={dates}>
      <form onSubmit={onSubmit} aria-label={t('audit.filters')}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} mb="sm">
          <TextInput
            label={t('audit.actor')}
            placeholder={t('audit.actorPlaceholder')}
            name="actor"
            value={draft.actor}
            onChange={(e) => set('actor', e.currentTarget.value)}
          />
          {can('organisations.read') && (
            <Select
              label={t('audit.organisation')}
              placeholder={t('common.any')}
              data={organisations.options}
              value={draft.organisationId}
              onChange={(next) => set('organisationId', next)}
              searchable
              clearable
            />
          )}
          <TextInput
            label={t('audit.entityType')}
            placeholder={t('audit.entityTypePlaceholder')}
            name="entityType"
            value={draft.entityType}
            onChange={(e) => set('entityType', e.currentTarget.value)}
          />
          <TextInput
            label={t('audit.entityId')}
            name="entityId"
            value={draft.entityId}
            onChange={(e) => set('entityId', e.currentTarget.value)}
          />
          <TextInput
            label={t('audit.action')}
            placeholder={t('audit.actionPlaceholder')}
            name="action"
            value={draft.action}
            onChange={(e) => set('action', e.currentTarget.value)}
          />
          <DatePickerInput
            label={t('audit.from')}
            placeholder={t('audit.pickDate')}
            value={draft.from}
            onChange={(next) => set('from', next)}
            clearable
            ariaLabels={ariaLabels}
            maxDate={draft.to ?? undefined}
            clearButtonProps={{ 'aria-label': t('common.clear') }}
          />
          <DatePickerInput
            label={t('audit.to')}
            placeholder={t('audit.pickDate')}
            value={draft.to}
            onChange={(next) => set('to', next)}
            clearable
            ariaLabels={ariaLabels}
            minDate={draft.from ?? undefined}
            clearButtonProps={{ 'aria-label': t('common.clear') }}
          />
        </SimpleGrid>
        <Group mb="md" gap="sm">
          <Button type="submit" data-testid="audit-apply">
            {t('audit.apply')}
          </Button>
          <Button
            variant="default"
            onClick={() => {
              setDraft(EMPTY_AUDIT_FILTERS);
              onApply(EMPTY_AUDIT_FILTERS);
            }}
          >
            {t('audit.reset')}
          </Button>
        </Group>
      </form>
    </DatesProvider>
  );
}
