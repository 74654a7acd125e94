import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { declaredQueryKinds, queryKeys } from './query-keys.ts';

const WEB = join(import.meta.dirname, '..');
const QUERIES = join(import.meta.dirname, 'queries');

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? files(join(dir, e.name)) : Promise.resolve(/\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

/** Every query factory of every resource, loaded as the app loads them. */
async function factories(): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const file of await files(QUERIES)) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (name.endsWith('Queries') && value && typeof value === 'object') found.set(name, value as Record<string, unknown>);
    }
  }
  return found;
}

describe('query keys', () => {
  beforeAll(() => {
    // The factories load the API client, which loads the interface's language: a browser's bare minimum for it.
    vi.stubGlobal('navigator', { language: 'en' });
    vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {} });
    vi.stubGlobal('document', { documentElement: {}, title: '' });
  });

  it('gives every kind of query of every resource its own key, so no key caches two shapes', async () => {
    const seen = new Map<string, string>();
    for (const [name, factory] of await factories()) {
      expect(Array.isArray(factory.all), `${name}.all`).toBe(true);
      for (const [kind, make] of Object.entries(factory)) {
        if (typeof make !== 'function') continue;
        // The arguments do not matter for the key's identity: root and kind do.
        const options = make('x', 'y', 1) as { queryKey: readonly unknown[] };
        const id = `${options.queryKey[0]}/${options.queryKey[1]}`;
        expect(seen.get(id), `${name}.${kind} and ${seen.get(id)} share the key ${id}`).toBeUndefined();
        seen.set(id, `${name}.${kind}`);
        expect(options.queryKey[0]).toBe((factory.all as unknown[])[0]);
      }
    }
    // The two that once shared ['organisations', 'all']: every organisation (an array) and one page (an object).
    expect(seen.get('organisations/every')).toBe('organisationQueries.every');
    expect(seen.get('organisations/page')).toBe('organisationQueries.page');
    expect([...declaredQueryKinds().keys()].sort()).toEqual([...new Set([...seen.keys()].map((id) => id.split('/')[0]))].sort());
  });

  it('refuses a second factory for a resource, or a kind declared twice', async () => {
    await factories();
    expect(() => queryKeys('organisations')).toThrow(/declared twice/);
    const keys = queryKeys('a-resource-of-this-test');
    keys.kind('list');
    expect(() => keys.kind('list')).toThrow(/declared twice/);
  });

  it('is the only way the web app makes a key: no key written out by hand outside src/web/http/queries', async () => {
    const handWritten = [
      /queryKey\s*:\s*\[/, // useQuery({ queryKey: ['x', ...] })
      /invalidates\s*:\s*\[\s*\[/, // useSaveMutation({ invalidates: [['x']] })
      /Quer(?:y|ies)(?:Data)?\s*\(\s*(?:\{\s*queryKey\s*:\s*)?\[/, // setQueryData(['x'], ...), invalidateQueries({ queryKey: [...] })
      /\bqueryKeys\s*\(/, // a factory declared outside the folder of factories
    ];
    const offenders: string[] = [];
    for (const file of await files(WEB)) {
      const path = relative(WEB, file);
      if (path.startsWith('http/queries/') || path === 'http/query-keys.ts' || path.endsWith('.test.ts')) continue;
      const text = await readFile(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (handWritten.some((pattern) => pattern.test(line))) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders, 'use the resource factory in src/web/http/queries instead').toEqual([]);
  });
});
