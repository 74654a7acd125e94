import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalDecimal,
  centsOf,
  currency,
  fixedFromMinorUnits,
  formatMoney,
  fromMinorUnits,
  ISO_4217_SOURCE,
  isMoneyCurrency,
  MoneyError,
  minorDigits,
  toMinorUnits,
  usdOf,
} from './money.ts';

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
    expect([minorDigits('USD'), minorDigits('JPY'), minorDigits('KWD')]).toEqual([2, 0, 3]);
    expect([isMoneyCurrency('EUR'), isMoneyCurrency('XAU'), isMoneyCurrency('ABC')]).toEqual([true, false, false]);
    expect(ISO_4217_SOURCE.published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses rather than rounds', () => {
    expect(() => toMinorUnits('1.005', 'USD')).toThrow('1.005 USD has more decimals than the 2 USD allows');
    expect(() => toMinorUnits('10.5', 'JPY')).toThrow(MoneyError);
    expect(() => toMinorUnits('1', 'ABC')).toThrow('ABC is not an ISO 4217 currency code');
    expect(() => toMinorUnits('1', 'XAU')).toThrow(/no minor unit/);
    expect(() => toMinorUnits('1,5', 'USD')).toThrow(/not a decimal/);
    expect(() => minorDigits('XAU')).toThrow(MoneyError);
    // Trailing zeros beyond the minor unit are not extra precision.
    expect(toMinorUnits('1.2500', 'USD')).toBe(125n);
  });

  it('fromMinorUnits inverts toMinorUnits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.constantFrom('USD', 'JPY', 'JOD', 'CLF'), (units, code) => {
        expect(toMinorUnits(fromMinorUnits(units, code), code)).toBe(units);
        expect(toMinorUnits(fixedFromMinorUnits(units, code), code)).toBe(units);
      }),
    );
  });

  it('reads and writes US dollar cents exactly, negative amounts included', () => {
    expect(centsOf('1250000.5')).toBe(125000050n);
    expect(centsOf('-40.50')).toBe(-4050n);
    expect(centsOf('-0.05')).toBe(-5n);
    expect(usdOf(-4050n)).toBe('-40.50');
    expect(usdOf(5n)).toBe('0.05');
    for (const text of ['0.00', '7.01', '-7.01', '10000000000.00', '-0.99']) expect(usdOf(centsOf(text))).toBe(text);
    expect(() => centsOf('1.001')).toThrow(MoneyError);
  });

  it('formats for people in each locale, exactly, from the decimal string', () => {
    expect(formatMoney('1234567.5', 'USD', 'en')).toBe('$1,234,567.50');
    expect(formatMoney('-40.5', 'USD', 'en')).toBe('-$40.50');
    expect(formatMoney('1500', 'JPY', 'en')).toBe('¥1,500');
    expect(formatMoney('12.345', 'JOD', 'en', { display: 'code' })).toMatch(/^JOD\s12\.345$/);
    // Beyond 2^53, where a float would lose the cents.
    expect(formatMoney('90071992547409931.07', 'USD', 'en')).toBe('$90,071,992,547,409,931.07');
    const arabic = formatMoney('1234567.5', 'USD', 'ar', { numberingSystem: 'arab' });
    expect(arabic).toContain('١٬٢٣٤٬٥٦٧٫٥٠');
    expect(formatMoney('1234567.5', 'USD', 'ar', { numberingSystem: 'latn' })).toContain('1,234,567.50');
  });
});
