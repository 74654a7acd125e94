import { describe, expect, it } from 'vitest';
import { submissionKeys } from './idempotency.ts';

describe('idempotency keys of a form', () => {
  it('sends the same key when the same submission is retried, and a new one when the form changed', () => {
    const keyFor = submissionKeys();
    const first = keyFor({ amount: '100.00', valueDate: '2026-03-01' });
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keyFor({ amount: '100.00', valueDate: '2026-03-01' })).toBe(first);
    const changed = keyFor({ amount: '150.00', valueDate: '2026-03-01' });
    expect(changed).not.toBe(first);
    // Back to the first values is a new submission too: the first may have been posted.
    expect(keyFor({ amount: '100.00', valueDate: '2026-03-01' })).not.toBe(first);
  });

  it('gives each form its own keys', () => {
    expect(submissionKeys()({ a: 1 })).not.toBe(submissionKeys()({ a: 1 }));
  });
});
