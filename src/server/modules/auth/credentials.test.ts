import { describe, expect, it } from 'vitest';
import { checkTotp, generatePassword, hashPassword, newTotpSecret, totpCode, verifyPassword } from './credentials.ts';

describe('passwords', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(undefined, 'anything')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
  });

  it('generates readable passwords long enough to be accepted', () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
  });
});

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 appendix B: the SHA-1 secret "12345678901234567890", 8 digits; its last six
  // digits are what a 6-digit authenticator shows.
  const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('matches the RFC 6238 test vectors', () => {
    expect(totpCode(rfcSecret, 59_000)).toBe('287082');
    expect(totpCode(rfcSecret, 1111111109_000)).toBe('081804');
    expect(totpCode(rfcSecret, 2000000000_000)).toBe('279037');
  });

  it('accepts one step of clock drift and returns the step used', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(checkTotp(secret, totpCode(secret, now), null, now)).toBe(step);
    expect(checkTotp(secret, totpCode(secret, now - 30_000), null, now)).toBe(step - 1);
    expect(checkTotp(secret, totpCode(secret, now + 30_000), null, now)).toBe(step + 1);
    expect(checkTotp(secret, totpCode(secret, now - 90_000), null, now)).toBeNull();
  });

  it('refuses a code whose step was already used, and anything not six digits', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const code = totpCode(secret, now);
    const step = checkTotp(secret, code, null, now)!;
    expect(checkTotp(secret, code, step, now)).toBeNull();
    expect(checkTotp(secret, '12345', null, now)).toBeNull();
    expect(checkTotp(secret, 'abcdef', null, now)).toBeNull();
  });
});
