/**
 * Idempotency keys for money writes, one per submission: a retry of the same submission
 * (same form, same values, e.g. after a lost connection) sends the same key, so the server
 * posts the money once; a changed form is a new submission with a new key.
 */
import { useRef } from 'react';

function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID exists only in secure contexts; a v4 UUID from the same random source otherwise.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `keyFor(body)`: the key of this submission, the same one while the body is unchanged. */
export function submissionKeys(): (body: unknown) => string {
  let last: { body: string; key: string } | null = null;
  return (body) => {
    const text = JSON.stringify(body);
    if (last?.body !== text) last = { body: text, key: uuid() };
    return last.key;
  };
}

/** The submission keys of one form, kept for as long as the form is open. */
export function useIdempotencyKey(): (body: unknown) => string {
  const keys = useRef<((body: unknown) => string) | null>(null);
  keys.current ??= submissionKeys();
  return keys.current;
}
