/** Shapes of the reimbursement claims API as these pages use them, and how amounts are shown. */
import { useMemo } from 'react';
import { useIntlLocale } from '../../i18n/use-intl-locale';

export const CLAIM_STATUSES = ['drafted', 'submitted', 'verified', 'approved', 'paid', 'rejected'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
/** The steps of a claim that goes all the way; a rejection leaves this path. */
export const CLAIM_STEPS: ClaimStatus[] = ['drafted', 'submitted', 'verified', 'approved', 'paid'];

export const STATUS_COLORS: Record<ClaimStatus, string> = {
  drafted: 'gray',
  submitted: 'blue',
  verified: 'cyan',
  approved: 'teal',
  paid: 'green',
  rejected: 'red',
};

export interface Claim {
  id: string;
  countryOrgId: string;
  countryName: string;
  contingent: string;
  month: string;
  instrumentId: string;
  instrumentName: string;
  budgetLineId: string;
  budgetLineCode: string;
  personnelDays: number;
  daysInMonth: number;
  rateUsd: string;
  personnelUsd: string;
  equipmentUsd: string;
  totalUsd: string;
  status: ClaimStatus;
  paidTransactionId: string | null;
  classification: string;
}

export interface EquipmentLine {
  id?: string;
  description: string;
  lease: 'wet' | 'dry';
  quantity: number;
  monthlyRateUsd: string;
  amountUsd?: string;
}

export interface ClaimDetail extends Claim {
  equipment: EquipmentLine[];
  events: { status: ClaimStatus; note: string; recordedBy: string; recordedAt: string }[];
  transitions: ClaimStatus[];
}

export interface Strength {
  countryOrgId: string;
  countryName: string;
  contingent: string;
  month: string;
  personnelDays: number;
  source: string;
  recordedAt: string;
}

export interface ImportResult {
  imported: number;
  updated: number;
  unchanged: number;
  refused: { line: number; reason: string }[];
}

/** US dollars from an exact decimal string, in the interface language (never through a float). */
export function useUsd() {
  const locale = useIntlLocale();
  return useMemo(() => {
    const format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: 'USD',
      currencyDisplay: locale.startsWith('ar') ? 'name' : 'symbol',
    });
    // Intl formats a decimal string exactly; the type definitions only know numbers.
    return (value: string) => (format.format as unknown as (v: string) => string)(value);
  }, [locale]);
}

/** A "YYYY-MM" month as the interface language writes it. */
export function useMonth() {
  const locale = useIntlLocale();
  return useMemo(() => {
    const format = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', timeZone: 'UTC' });
    return (month: string) => format.format(new Date(`${month}-01T00:00:00Z`));
  }, [locale]);
}
