import { useTranslation } from 'react-i18next';
import type { Organisation } from '../http/types';
import { organisationName } from '../pages/organisations/organisation-labels';

/**
 * An organisation's name as the interface shows it: the Arabic name in Arabic when one is
 * recorded. An English name in an Arabic line is isolated and marked as English, so it
 * reads in its own order and a screen reader pronounces it as English.
 */
export function OrganisationName({ organisation }: { organisation: Pick<Organisation, 'name' | 'nameAr'> }) {
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? 'en';
  const shown = organisationName(organisation, language);
  const foreign = language !== 'en' && !(language === 'ar' && organisation.nameAr);
  return <bdi lang={foreign ? 'en' : undefined}>{shown}</bdi>;
}
