import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { type Digits, digitsSnapshot, intlLocale, subscribeDigits } from './i18n';

/** The chosen digits; a change re-renders every screen that formats numbers. */
export function useDigits(): Digits {
  return useSyncExternalStore(subscribeDigits, digitsSnapshot, digitsSnapshot);
}

/** The locale tag for Intl in the interface language, with the chosen digits in Arabic. */
export function useIntlLocale(): string {
  const { i18n } = useTranslation();
  const digits = useDigits();
  return intlLocale(i18n.resolvedLanguage, digits);
}
