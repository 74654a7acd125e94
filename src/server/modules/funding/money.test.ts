import { describe, expect, it } from 'vitest';
import { centsOf, usdOf } from './money.ts';

describe('US dollar decimal strings', () => {
  it('read and write cents exactly, negative amounts included', () => {
    expect(centsOf('1250000.5')).toBe(125000050n);
    expect(centsOf('-40.50')).toBe(-4050n);
    expect(centsOf('-0.05')).toBe(-5n);
    expect(usdOf(-4050n)).toBe('-40.50');
    for (const text of ['0.00', '7.01', '-7.01', '10000000000.00', '-0.99']) expect(usdOf(centsOf(text))).toBe(text);
  });
});
