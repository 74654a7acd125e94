import type { Organisation } from '../../http/types';

/** The Arabic name when the interface is Arabic and one is recorded. */
export function organisationName(org: Pick<Organisation, 'name' | 'nameAr'>, language: string): string {
  return language === 'ar' && org.nameAr ? org.nameAr : org.name;
}
