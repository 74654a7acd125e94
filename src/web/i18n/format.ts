import { useMemo } from 'react';
import { useIntlLocale } from './use-intl-locale';

/**
 * Dates and numbers follow the interface language and, in Arabic, the digits the person
 * chose (Western or Arabic-Indic); every screen uses these helpers so the choice holds.
 */
export function useFormat() {
  const locale = useIntlLocale();
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
