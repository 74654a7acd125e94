import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, currency, fromMinorUnits, ISO_4217_SOURCE, MoneyError, toMinorUnits } from './money.ts';

describe('exact money', () => {
  it('canonical decimals', () => {
    expect(canonicalDecimal('+001234.50')).toBe('1234.5');
    expect(canonicalDecimal(' -0.000 ')).toBe('0');
    expect(canonicalDecimal('.5')).toBe('0.5');
    expect(canonicalDecimal('7.')).toBe('7');
    expect(canonicalDecimal('-4293870')).toBe('-4293870');
    for (const bad of ['', '.', '1e5', '1,5', '12 3', 'NaN', '--1', '0x10']) expect(canonicalDecimal(bad)).toBeNull();
  });

  it('minor units follow ISO 4217: two for dollars and shekels, none for yen, three for dinars', () => {
    expect(toMinorUnits('1234.5', 'USD')).toBe(123450n);
    expect(toMinorUnits('-0.01', 'ILS')).toBe(-1n);
    expect(toMinorUnits('1500', 'JPY')).toBe(1500n);
    expect(toMinorUnits('12.345', 'JOD')).toBe(12345n);
    expect(toMinorUnits('99999999999999999999.99', 'EUR')).toBe(9999999999999999999999n);
    expect(currency('KWD')?.minorUnits).toBe(3);
    expect(currency('XDR')?.minorUnits).toBeNull();
    expect(ISO_4217_SOURCE.published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses rather than rounds', () => {
    expect(() => toMinorUnits('1.005', 'USD')).toThrow('1.005 USD has more decimals than the 2 USD allows');
    expect(() => toMinorUnits('10.5', 'JPY')).toThrow(MoneyError);
    expect(() => toMinorUnits('1', 'ABC')).toThrow('ABC is not an ISO 4217 currency code');
    expect(() => toMinorUnits('1', 'XAU')).toThrow(/no minor unit/);
    expect(() => toMinorUnits('1,5', 'USD')).toThrow(/not a decimal/);
    // Trailing zeros beyond the minor unit are not extra precision.
    expect(toMinorUnits('1.2500', 'USD')).toBe(125n);
  });

  it('fromMinorUnits inverts toMinorUnits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.constantFrom('USD', 'JPY', 'JOD', 'CLF'), (units, code) => {
        expect(toMinorUnits(fromMinorUnits(units, code), code)).toBe(units);
      }),
    );
  });
});
