import { describe, expect, it } from 'vitest';
import { claimAmounts, daysInMonth } from './claims.service.ts';

describe('claim amounts', () => {
  it('counts the days of each month, leap Februaries included', () => {
    expect(['2026-01', '2026-02', '2028-02', '2026-04', '2100-02'].map(daysInMonth)).toEqual([31, 28, 29, 30, 28]);
  });

  it('divides personnel-days by the days of the month and rounds half up to the cent', () => {
    expect(claimAmounts('2026-04', 24000, '1428.00', []).personnelUsd).toBe('1142400.00');
    // 1 × 1,428 ÷ 31 = 46.064… → 46.06; 5 × 1,428 ÷ 28 = 255.00; 3 × 1,428.05 ÷ 30 = 142.805 → 142.81
    expect(claimAmounts('2026-05', 1, '1428', []).personnelUsd).toBe('46.06');
    expect(claimAmounts('2026-02', 5, '1428.00', []).personnelUsd).toBe('255.00');
    expect(claimAmounts('2026-06', 3, '1428.05', []).personnelUsd).toBe('142.81');
  });

  it('stays exact far beyond what floating point holds', () => {
    const amounts = claimAmounts('2026-01', 99_999_999, '999999999999.99', [
      { description: 'x', lease: 'wet', quantity: 1_000_000, monthlyRateUsd: '999999999999.99' },
    ]);
    expect(amounts.equipmentUsd).toBe('999999999999990000.00');
    expect(amounts.personnelUsd).toBe('3225806419354806451.61');
  });
});
