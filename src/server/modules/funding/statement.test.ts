import { describe, expect, it } from 'vitest';
import { amountIn, dollars } from './statement.ts';

describe('statement amounts', () => {
  it('writes US dollars grouped, with cents, exactly', () => {
    expect(dollars('1234567.5')).toBe('$1,234,567.50');
    expect(dollars('0.00')).toBe('$0.00');
    expect(dollars('-700000.00')).toBe('-$700,000.00');
    expect(dollars('98765432109876543.21')).toBe('$98,765,432,109,876,543.21');
  });

  it("writes an amount with its currency's own decimals", () => {
    expect(amountIn('1000000.0000', 'EUR')).toBe('1,000,000.00 EUR');
    expect(amountIn('1500000.0000', 'JPY')).toBe('1,500,000 JPY');
    expect(amountIn('12.5', 'KWD')).toBe('12.500 KWD');
  });
});
