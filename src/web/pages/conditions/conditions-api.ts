/** Shapes of the conditions API as these pages use them, the analysis query, and how they are shown. */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Expression } from '../../components/expression-text';
import { conditionQueries } from '../../http/queries/conditions';
import { useIntlLocale } from '../../i18n/use-intl-locale';

export const CONDITION_STATUSES = ['unmet', 'partially_met', 'met', 'failed', 'waived'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

export const DIMENSIONS = ['money_usd', 'personnel', 'aid_trucks_per_day', 'projects'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** What a condition holds back or unlocks; money is an exact decimal string in US dollars. */
export interface Values {
  money_usd: string;
  personnel: number;
  aid_trucks_per_day: number;
  projects: number;
}

export interface ConditionListItem {
  id: string;
  code: string;
  titleEn: string;
  titleAr: string;
  status: ConditionStatus;
  targetDate: string | null;
  /** The stakeholders who must act for it to be met. */
  stakeholderIds: string[];
  /** What it holds back alone: blocked while it is unmet, whatever else is met. */
  heldBack: Values;
  /** What it holds back with others: blocked where it is part of some smallest way to open (a minimal unlocking set). */
  inUnlockingSets: Values;
}

export interface Evidence {
  id: string;
  datedOn: string;
  status: ConditionStatus;
  source: string;
  sourceUrl: string | null;
  note: string;
  recordedBy: string;
  recordedAt: string;
}

export interface ConditionDetail extends ConditionListItem {
  /** What it requires: condition ids under AND/OR, "hidden" for one the user cannot see. */
  requires: Expression | null;
  descriptionEn: string;
  descriptionAr: string;
  stakeholderIds: string[];
  effective: boolean;
  unlocks: Values;
  inUnlockingSetsGateCount: number;
  evidence: Evidence[];
}

export interface Stakeholder {
  id: string;
  name: string;
  nameAr: string;
}

export interface Analysis {
  totals: { blocked: Values; blockedOnlyByHidden: Values };
  gateCounts: { blocked: number; unlockingSetsTruncated: number };
  conditions: { id: string; code: string; titleEn: string; titleAr: string; status: ConditionStatus; effective: boolean }[];
  longPole: Record<
    Dimension,
    {
      conditions: { id: string; code: string; titleEn: string; inUnlockingSets: Values; heldBack: Values }[];
      stakeholders: { id: string; name: string; nameAr: string; inUnlockingSets: Values; heldBack: Values }[];
    }
  >;
}

/** One smallest way to open a blocked gate: the conditions to meet, those the user may not see only as a flag. */
export interface UnlockingSet {
  conditionIds: string[];
  includesHidden: boolean;
}

/** A gate of GET /api/conditions/{id}/gates; labels come from its subject. */
export interface Gate {
  id: string;
  subjectType: string;
  label: string | null;
  labelAr: string | null;
  values: Values;
  open: boolean;
  unlockingSets: UnlockingSet[];
  unlockingSetsTruncated: boolean;
}

/** A gate the what-if opens; labels come from its subject (a commitment's title, say). */
export interface ChangedGate {
  id: string;
  label: string | null;
  labelAr: string | null;
}

export interface WhatIf {
  /** How many gates would open, and the largest of them. */
  opened: { count: number; gates: ChangedGate[] };
  gained: Values;
  nowEffective: string[];
}

/** The analysis under the current statuses, shared by the conditions pages. */
export function useAnalysis() {
  return useQuery(conditionQueries.analysis());
}

/** The code of each condition the user may see, for showing expressions (from the analysis, which lists them all). */
export function useConditionCodes(): (id: string) => string | undefined {
  const analysis = useAnalysis();
  const codes = new Map((analysis.data?.conditions ?? []).map((c) => [c.id, c.code]));
  return (id) => codes.get(id);
}

export const STATUS_COLORS: Record<ConditionStatus, string> = {
  unmet: 'gray',
  partially_met: 'yellow',
  met: 'teal',
  failed: 'red',
  waived: 'blue',
};

/** The title (or description) in the interface language, falling back to English. */
export function localised(language: string | undefined, en: string, ar: string): string {
  return language === 'ar' && ar ? ar : en;
}

/** A value of one dimension as a number, for chart lengths only: never for display. */
export function amount(values: Values, dimension: Dimension): number {
  return Number(values[dimension]);
}

/** Formats each dimension in the interface language; money from its exact decimal string. */
export function useValueFormat() {
  const locale = useIntlLocale();
  return useMemo(() => {
    const money = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: 'USD',
      currencyDisplay: locale.startsWith('ar') ? 'name' : 'symbol',
      maximumFractionDigits: 2,
      minimumFractionDigits: 0,
    });
    const count = new Intl.NumberFormat(locale);
    // Intl formats a decimal string exactly, without passing through a float.
    const formatMoney = money.format as (value: string) => string;
    return (values: Values, dimension: Dimension): string =>
      dimension === 'money_usd' ? formatMoney(values.money_usd) : count.format(values[dimension]);
  }, [locale]);
}

export function isZero(values: Values): boolean {
  return DIMENSIONS.every((d) => Number(values[d]) === 0);
}
