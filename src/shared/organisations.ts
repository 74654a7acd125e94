export const ORGANISATION_TYPES = ['donor', 'contributing_country', 'force_headquarters', 'humanitarian', 'authority', 'observer'] as const;

export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export const CLASSIFICATIONS = ['public', 'mission', 'restricted'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const LOCALES = ['en', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];
