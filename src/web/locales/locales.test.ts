import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = import.meta.dirname;
const PLURAL = /_(zero|one|two|few|many|other)$/;

type Strings = { [key: string]: string | Strings };

function keys(strings: Strings, prefix = ''): string[] {
  return Object.entries(strings).flatMap(([key, value]) => (typeof value === 'string' ? [prefix + key] : keys(value, `${prefix}${key}.`)));
}

async function load(path: string): Promise<Strings> {
  return JSON.parse(await readFile(path, 'utf8')) as Strings;
}

/** The main files, and every `parts/<area>.<language>.json` a capability keeps, as pairs. */
async function pairs(): Promise<{ name: string; en: string; ar: string }[]> {
  const found = [{ name: 'main', en: join(DIR, 'en.json'), ar: join(DIR, 'ar.json') }];
  const parts = await readdir(join(DIR, 'parts')).catch(() => [] as string[]);
  const areas = new Set(parts.map((f) => /^(.+)\.(en|ar)\.json$/.exec(f)?.[1]).filter((a): a is string => Boolean(a)));
  for (const area of areas)
    found.push({ name: area, en: join(DIR, 'parts', `${area}.en.json`), ar: join(DIR, 'parts', `${area}.ar.json`) });
  return found;
}

/**
 * The same strings in both languages: every key of one file is in the other. A plural is one
 * key with the forms each language has (English one and other; Arabic zero, one, two, few,
 * many and other, as Intl.PluralRules says), so each file must have all of its own language's.
 */
function check(en: Strings, ar: Strings): { onlyEn: string[]; onlyAr: string[]; missingForms: string[] } {
  const enKeys = keys(en);
  const arKeys = keys(ar);
  const base = (key: string) => key.replace(PLURAL, '');
  const enBase = new Set(enKeys.map(base));
  const arBase = new Set(arKeys.map(base));
  const missingForms: string[] = [];
  for (const [language, list] of [
    ['en', enKeys],
    ['ar', arKeys],
  ] as const) {
    const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
    const present = new Set(list);
    for (const plural of new Set(list.filter((k) => PLURAL.test(k)).map(base))) {
      for (const form of forms) if (!present.has(`${plural}_${form}`)) missingForms.push(`${language}: ${plural}_${form}`);
    }
  }
  return {
    onlyEn: [...enBase].filter((k) => !arBase.has(k)),
    onlyAr: [...arBase].filter((k) => !enBase.has(k)),
    missingForms,
  };
}

describe('locale files', () => {
  it('have exactly the same strings in English and Arabic, main files and every part', async () => {
    const all = await pairs();
    expect(all.length).toBeGreaterThan(0);
    for (const pair of all) {
      const [en, ar] = await Promise.all([load(pair.en), load(pair.ar)]);
      expect(check(en, ar), `${pair.name}: keys in one language only, or plural forms missing`).toEqual({
        onlyEn: [],
        onlyAr: [],
        missingForms: [],
      });
    }
  });

  it('notices a key missing in Arabic, one only in Arabic, and a missing plural form', () => {
    const result = check(
      { a: 'A', b: { c: 'C' }, n_one: 'one', n_other: 'many' },
      { a: 'أ', d: 'د', n_one: 'واحد', n_other: 'كثير', n_zero: '', n_two: '', n_few: '' },
    );
    expect(result).toEqual({ onlyEn: ['b.c'], onlyAr: ['d'], missingForms: ['ar: n_many'] });
  });
});
