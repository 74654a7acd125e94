/**
 * Bytes of an XML file to the text chunks a SAX parser reads, fast.
 *
 * Decoding UTF-8 into JavaScript strings costs as much as parsing when the text is not all
 * ASCII (Arabic narratives make every chunk a two-byte string), and the reader keeps only a
 * small part of what it parses. So a UTF-8 file is checked with the native `isUtf8` and then
 * handed to the parser byte for byte (each byte as one character, "latin1"): XML markup is
 * ASCII, so the structure reads the same, and only the strings the reader keeps are decoded,
 * with `restore`. Numeric character references above U+007F (`&#1575;`) are rewritten to
 * their UTF-8 bytes first, so that they come out of `restore` right too. (Inside CDATA such
 * a reference is literal text and would be turned into the character: a known difference.)
 *
 * Other encodings named by a byte-order mark or the XML declaration, XML 1.1 (which forbids
 * the raw C1 characters this scheme produces) and string sources are decoded in full.
 */
import { isUtf8 } from 'node:buffer';

export class XmlTextError extends Error {
  override name = 'XmlTextError';
}

export interface XmlText {
  chunks: AsyncGenerator<string>;
  /** The real text of a string the parser produced from these chunks. */
  restore(text: string): string;
  /** A slice of the chunks' text as the UTF-8 bytes it stands for. */
  bytes(text: string): Buffer;
}

const NON_ASCII = /[\x80-\xff]/;
const CHAR_REF = /&#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}));/g;

function utf8Bytes(codePoint: number): string {
  return Buffer.from(String.fromCodePoint(codePoint), 'utf8').toString('latin1');
}

function rewriteCharRefs(text: string): string {
  return text.replace(CHAR_REF, (ref, hex: string | undefined, dec: string | undefined) => {
    const codePoint = hex ? Number.parseInt(hex, 16) : Number(dec);
    if (codePoint < 0x80 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return ref;
    return utf8Bytes(codePoint);
  });
}

/** The length of the longest prefix that does not end inside a UTF-8 character. */
function completeUtf8(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= Math.min(4, length); back++) {
    const byte = bytes[length - back];
    if ((byte & 0xc0) !== 0x80) {
      const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return needs > back ? length - back : length;
    }
  }
  return length;
}

function sniff(head: Uint8Array): { encoding: string; xml11: boolean } {
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', xml11: false };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', xml11: false };
  const declaration = /^(?:\xEF\xBB\xBF)?<\?xml([^>]*)\?>/.exec(Buffer.from(head.subarray(0, 200)).toString('latin1'))?.[1] ?? '';
  const label = /encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(declaration)?.[1] ?? 'utf-8';
  const xml11 = /version\s*=\s*["']1\.1["']/.test(declaration);
  if (/^utf-?8$/i.test(label)) return { encoding: 'utf-8', xml11 };
  try {
    return { encoding: new TextDecoder(label).encoding, xml11 };
  } catch {
    throw new XmlTextError(`The XML declaration names an encoding this reader does not know: ${label}`);
  }
}

export function xmlText(source: AsyncIterable<string | Uint8Array>): XmlText {
  let binary = false;
  const restore = (text: string) => (binary && NON_ASCII.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text);

  async function* chunks(): AsyncGenerator<string> {
    let decoder: TextDecoder | null = null;
    let started = false;
    let carry: Buffer | null = null;
    let pending = '';
    let offset = 0;
    const invalid = (encoding: string) =>
      new XmlTextError(`The file is not valid ${encoding} text near byte ${offset.toLocaleString('en')}`);
    for await (const chunk of source) {
      if (typeof chunk === 'string') {
        started = true;
        yield chunk;
        continue;
      }
      if (chunk.byteLength === 0) continue;
      if (!started) {
        started = true;
        const { encoding, xml11 } = sniff(chunk);
        if (encoding !== 'utf-8' || xml11) decoder = new TextDecoder(encoding, { fatal: true });
        else binary = true;
      }
      if (decoder) {
        try {
          yield decoder.decode(chunk, { stream: true });
        } catch {
          throw invalid(decoder.encoding);
        }
        offset += chunk.byteLength;
        continue;
      }
      let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (carry) bytes = Buffer.concat([carry, bytes]);
      const end = completeUtf8(bytes);
      carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : null;
      const whole = bytes.subarray(offset === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0, end);
      if (!isUtf8(whole)) {
        const decoded = whole.toString('utf8');
        offset += Buffer.byteLength(decoded.slice(0, Math.max(0, decoded.indexOf('\uFFFD'))));
        throw invalid('UTF-8');
      }
      offset += end;
      let text = pending + whole.toString('latin1');
      // A character reference cut by the end of the chunk waits for the rest.
      const amp = text.lastIndexOf('&');
      if (amp >= 0 && text.length - amp < 12 && text.indexOf(';', amp) < 0) {
        pending = text.slice(amp);
        text = text.slice(0, amp);
      } else pending = '';
      yield text.includes('&#') ? rewriteCharRefs(text) : text;
    }
    if (decoder) yield decoder.decode();
    if (carry) throw invalid('UTF-8');
    if (pending) yield pending;
  }

  return { chunks: chunks(), restore, bytes: (text) => Buffer.from(text, binary ? 'latin1' : 'utf8') };
}
