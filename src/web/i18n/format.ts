import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Dates and numbers follow the interface language. Plain `ar` lets Intl choose the
 * digits (Arabic-Indic in current ICU), and every screen uses these helpers so the
 * choice stays consistent.
 */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage === 'ar' ? 'ar' : 'en';
  return useMemo(() => {
    const number = new Intl.NumberFormat(locale);
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    const parse = (value: string | null | undefined) => {
      if (!value) return null;
      const d = new Date(value);
      return Number.isNaN(d.getTime()) ? null : d;
    };
    return {
      locale,
      number: (value: number | null | undefined) => (value === null || value === undefined ? '' : number.format(value)),
      dateTime: (value: string | null | undefined) => {
        const d = parse(value);
        return d ? dateTime.format(d) : '';
      },
      date: (value: string | null | undefined) => {
        const d = parse(value);
        return d ? date.format(d) : '';
      },
    };
  }, [locale]);
}
