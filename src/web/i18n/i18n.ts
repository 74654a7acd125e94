/**
 * Language setup. A language picked in this browser is kept in localStorage and wins;
 * without one, the signed-in user's saved preference applies, and before sign-in the
 * browser's language. Switching language also flips the document direction, which
 * Mantine's DirectionProvider observes on <html dir>.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import ar from '../locales/ar.json';
import en from '../locales/en.json';

/**
 * A capability may keep its strings in `locales/parts/<area>.en.json` and `<area>.ar.json`,
 * each holding its own top-level keys; they are merged over the main files.
 */
const parts = import.meta.glob<Record<string, unknown>>('../locales/parts/*.json', { eager: true, import: 'default' });

function withParts(base: Record<string, unknown>, language: 'en' | 'ar'): Record<string, unknown> {
  const merged = { ...base };
  for (const [path, part] of Object.entries(parts)) {
    if (path.endsWith(`.${language}.json`)) Object.assign(merged, part);
  }
  return merged;
}

export const LANGUAGES = ['en', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'concord.language';

export function isLanguage(value: unknown): value is Language {
  return value === 'en' || value === 'ar';
}

function storedLanguage(): Language | null {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return isLanguage(stored) ? stored : null;
  } catch {
    // Storage can be unavailable (privacy mode); behave as if nothing was picked.
    return null;
  }
}

/** Whether someone picked a language in this browser. */
export function hasPickedLanguage(): boolean {
  return storedLanguage() !== null;
}

function initialLanguage(): Language {
  return storedLanguage() ?? (navigator.language?.toLowerCase().startsWith('ar') ? 'ar' : 'en');
}

export function directionOf(language: Language): 'rtl' | 'ltr' {
  return language === 'ar' ? 'rtl' : 'ltr';
}

function applyToDocument(language: Language): void {
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
  document.title = i18n.t('app.name');
}

export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en';
}

/** `remember` is for a choice the person made here, as opposed to applying their saved preference. */
export async function changeLanguage(language: Language, { remember = true } = {}): Promise<void> {
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, language);
    } catch {
      // Not fatal: the choice simply will not survive a reload.
    }
  }
  if (currentLanguage() !== language) await i18n.changeLanguage(language);
}

i18n.on('languageChanged', (lng) => {
  if (isLanguage(lng)) applyToDocument(lng);
});

void i18n.use(initReactI18next).init({
  // Resources are bundled, so initialise synchronously and render in the right language.
  initAsync: false,
  resources: { en: { translation: withParts(en, 'en') }, ar: { translation: withParts(ar, 'ar') } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  returnNull: false,
});
applyToDocument(currentLanguage());

export default i18n;

/**
 * Digits in Arabic: Western (0-9) or Arabic-Indic (٠-٩), as the person chooses on the account
 * page; kept in this browser. English always uses Western digits.
 */
export const DIGITS = ['latn', 'arab'] as const;
export type Digits = (typeof DIGITS)[number];
const DIGITS_KEY = 'concord.digits';
const digitsListeners = new Set<() => void>();

export function isDigits(value: unknown): value is Digits {
  return value === 'latn' || value === 'arab';
}

export function currentDigits(): Digits {
  try {
    const stored = localStorage.getItem(DIGITS_KEY);
    return isDigits(stored) ? stored : 'latn';
  } catch {
    return 'latn';
  }
}

export function changeDigits(digits: Digits): void {
  try {
    localStorage.setItem(DIGITS_KEY, digits);
  } catch {
    // Not fatal: the choice holds until the page is reloaded.
  }
  digitsNow = digits;
  for (const listener of digitsListeners) listener();
}

let digitsNow: Digits = currentDigits();

export function subscribeDigits(listener: () => void): () => void {
  digitsListeners.add(listener);
  return () => digitsListeners.delete(listener);
}

export function digitsSnapshot(): Digits {
  return digitsNow;
}

/** The locale tag Intl formats with: the interface language, and in Arabic the chosen digits. */
export function intlLocale(language: string | undefined, digits: Digits = digitsNow): string {
  return language === 'ar' ? `ar-u-nu-${digits}` : 'en';
}
