/**
 * Text arrives exactly as sent, or is refused: a body that is not valid UTF-8, or a string
 * with a lone surrogate (a JSON "\ud800" escape, half of a character), would otherwise be
 * changed silently on its way in (to U+FFFD) or on its way to the database.
 */
import { Problem } from './problems.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body as text, or a 400 when it is not valid UTF-8. */
export function decodeUtf8(body: Buffer, what = 'The body'): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new Problem('request.malformed', `${what} is not valid UTF-8 text.`);
  }
}

const pointerPart = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** In Unicode mode, a surrogate code unit matches only when it is alone: a pair is one code point. */
const LONE_SURROGATE = /\p{Cs}/u;
const wellFormed = (text: string) => !LONE_SURROGATE.test(text);

/** The JSON pointer of the first string (value or key) in `value` with a lone surrogate, or null. */
export function illFormedAt(value: unknown, pointer = ''): string | null {
  if (typeof value === 'string') return wellFormed(value) ? null : pointer;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = illFormedAt(item, `${pointer}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!wellFormed(key)) return `${pointer}/${pointerPart(key.replace(/\p{Cs}/gu, '\uFFFD'))}`;
      const found = illFormedAt(item, `${pointer}/${pointerPart(key)}`);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Refuses (400, pointing at it) a string with a lone surrogate anywhere in `value`. */
export function refuseIllFormed(value: unknown, where?: 'querystring' | 'params'): void {
  const pointer = illFormedAt(value);
  if (pointer === null) return;
  throw new Problem('request.invalid', 'Some fields are not valid.', {
    errors: [
      {
        pointer,
        detail:
          'This text has a lone surrogate (half of a character, e.g. "\\ud800"), which cannot be stored as it is: send whole characters.',
        ...(where ? { in: where } : {}),
      },
    ],
  });
}

/**
 * Refuses (400) a query string with percent-escapes that are not UTF-8 (e.g. %ED%A0%80, half
 * of a character): the query parser would keep them as literal text, silently.
 */
export function refuseUndecodableQuery(url: string): void {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  for (const part of query.split('&')) {
    if (!part) continue;
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      const name = part.split('=')[0];
      let shown = name;
      try {
        shown = decodeURIComponent(name);
      } catch {}
      throw new Problem('request.invalid', 'Some fields are not valid.', {
        errors: [
          { pointer: `/${pointerPart(shown)}`, in: 'querystring', detail: 'This value has percent-escapes that are not UTF-8 text.' },
        ],
      });
    }
  }
}
