/** Shapes of the funding API as these pages use them, the queries, and how money is shown. */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { ConditionStatus } from '../conditions/conditions-api';

export const INSTRUMENT_KINDS = ['appropriation', 'security_assistance', 'trust_fund', 'grant', 'in_kind', 'other'] as const;
export const BUDGET_CATEGORIES = [
  'personnel_reimbursement',
  'contingent_equipment',
  'logistics',
  'training_equipment',
  'aid_operations',
  'reconstruction',
  'headquarters',
] as const;
export const POSTING_KINDS = ['receipt', 'allocation', 'disbursement', 'expenditure'] as const;
export const TRANSACTION_KINDS = [...POSTING_KINDS, 'reversal'] as const;
export type PostingKind = (typeof POSTING_KINDS)[number];
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];
export type TrancheState = 'blocked' | 'expected' | 'open' | 'received';
export type Classification = 'public' | 'mission' | 'restricted';

/** A gate: a condition id ("hidden" for one the user cannot see), or AND/OR over sub-expressions. */
export type { Expression } from '../../components/expression-text';

import type { Expression } from '../../components/expression-text';
import { fundingQueries, publicQueries } from '../../http/queries/funding';
import { useIntlLocale } from '../../i18n/use-intl-locale';

export interface Rate {
  currency: string;
  rateDate: string;
  usdPerUnit: string;
  source: string;
}

export interface Instrument {
  id: string;
  donorOrgId: string;
  donorName: string;
  name: string;
  nameAr: string;
  kind: (typeof INSTRUMENT_KINDS)[number];
  restrictions: string[];
  reimbursementRateUsd: string;
  source: string;
  illustrative: boolean;
  ownerOrgId: string;
  classification: Classification;
}

export interface BudgetLine {
  id: string;
  code: string;
  nameEn: string;
  nameAr: string;
  category: (typeof BUDGET_CATEGORIES)[number];
  periodStart: string;
  periodEnd: string;
  originalUsd: string;
  currentUsd: string;
  version: number;
  versions: { version: number; amountUsd: string; reason: string; recordedBy: string; recordedAt: string }[];
}

export interface Tranche {
  id: string;
  pledgeId: string;
  seq: number;
  amount: string;
  currency: string;
  amountUsd: string;
  receivedUsd: string;
  expectedOn: string | null;
  note: string;
  gate: Expression | null;
  state: TrancheState;
  opensOn: string | null;
  waitsOn: { id: string; code: string; titleEn: string; titleAr: string; status: ConditionStatus; targetDate: string | null }[];
  hiddenWaitsOn: number;
}

export interface Pledge {
  id: string;
  instrumentId: string;
  instrumentName: string;
  donorOrgId: string;
  donorName: string;
  title: string;
  amount: string;
  currency: string;
  amountUsd: string;
  pledgedOn: string;
  earmarks: string[];
  source: string;
  illustrative: boolean;
  receivedUsd: string;
  tranches: Tranche[];
  ownerOrgId: string;
  classification: Classification;
}

export interface Transaction {
  id: string;
  kind: TransactionKind;
  instrumentId: string;
  instrumentName: string;
  donorOrgId: string;
  budgetLineId: string | null;
  payeeOrgId: string | null;
  trancheId: string | null;
  claimId: string | null;
  reversesId: string | null;
  reversedById: string | null;
  valueDate: string;
  currency: string;
  amount: string;
  usdPerUnit: string;
  amountUsd: string;
  reference: string;
  description: string;
  origin: string;
  illustrative: boolean;
  postedBy: string;
  postedAt: string;
  entries: {
    account: 'donor' | 'fund' | 'line' | 'payee' | 'spent';
    budgetLineId: string | null;
    payeeOrgId: string | null;
    amount: string;
    amountUsd: string;
  }[];
}

export interface Figures {
  pledged: string;
  committed: string;
  received: string;
  allocated: string;
  disbursed: string;
  spent: string;
}

/** The figures of /api/public/funding; the signed-in overview adds flows and names. */
export interface PublicOverview {
  from: string | null;
  to: string | null;
  currency: 'USD';
  totals: Figures & { budget: string; gap: string; cashOnHand: string };
  donors: (Figures & { donorOrgId: string; donorName: string; donorCountryCode: string | null })[];
  lines: {
    budgetLineId: string;
    code: string;
    nameEn: string;
    nameAr: string;
    category: (typeof BUDGET_CATEGORIES)[number];
    budget: string;
    allocated: string;
    disbursed: string;
    spent: string;
    gap: string;
  }[];
  months: { month: string; received: string; allocated: string; disbursed: string; spent: string; cashOnHand: string }[];
  burnRate: string;
  runwayMonths: number | null;
}

export interface Overview extends PublicOverview {
  flows: {
    donorOrgId: string;
    instrumentId: string;
    budgetLineId: string | null;
    payeeOrgId: string | null;
    kind: PostingKind;
    amountUsd: string;
  }[];
  names: Record<string, string>;
}

export interface Period {
  from?: string;
  to?: string;
}

export const FIGURE_KEYS = ['pledged', 'committed', 'received', 'allocated', 'disbursed', 'spent'] as const;

export function useOverview(period: Period) {
  return useQuery(fundingQueries.overview(period));
}

export function usePublicOverview(period: Period) {
  return useQuery(publicQueries.funding(period));
}

export function useInstruments() {
  return useQuery(fundingQueries.instruments());
}

export function useBudgetLines() {
  return useQuery(fundingQueries.budgetLines());
}

export function usePledges() {
  return useQuery(fundingQueries.pledges());
}

export function useRates() {
  return useQuery(fundingQueries.rates());
}

/** Money in the interface language, from its exact decimal string; `compact` for chart labels. */
export function useMoney() {
  const locale = useIntlLocale();
  // In Arabic the currency is named (دولار أمريكي) rather than shown as a Latin symbol.
  const display = locale.startsWith('ar') ? 'name' : 'symbol';
  return useMemo(() => {
    const usd = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', currencyDisplay: display, maximumFractionDigits: 0 });
    const short = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: 'USD',
      currencyDisplay: display,
      notation: 'compact',
      maximumFractionDigits: 1,
    });
    const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
    const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    // Intl formats a decimal string exactly, without passing through a float.
    const format = (value: string) => (usd.format as (v: string) => string)(value);
    return {
      usd: format,
      compact: (value: string | number) => (short.format as (v: string | number) => string)(value),
      /** An amount in its own currency, e.g. "€1,000,000.00". */
      inCurrency: (value: string, currency: string) => {
        try {
          return (new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: display }).format as (v: string) => string)(
            value,
          );
        } catch {
          return `${value} ${currency}`;
        }
      },
      percent: (share: number) => percent.format(share),
      number: (value: number) => number.format(value),
    };
  }, [locale, display]);
}

/** A number for chart lengths only, never for display. */
export const toNumber = (usd: string) => Number(usd);

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export const TRANCHE_COLORS: Record<TrancheState, string> = { blocked: 'red', expected: 'orange', open: 'yellow', received: 'teal' };
