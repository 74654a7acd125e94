/**
 * What one imported transaction or flow becomes: a row of reported flows, with its status
 * in FTS terms, its direction from the reporting organisation's side, the amount exactly as
 * the file states it, and the organisations on each side. Pure, so the import worker and
 * the tests build rows the same way.
 */
import type { FtsFlow } from './standards/fts-read.ts';
import { type IatiActivity, type IatiTransaction, transactionKeys } from './standards/iati-model.ts';

export type ReportedStatus = 'pledge' | 'commitment' | 'paid' | 'expenditure' | 'other';
/** Money coming to the reporting organisation, going out of it, or (FTS) moving within the place searched. */
export type Direction = 'incoming' | 'outgoing' | 'internal';

/** IATI transaction types as FTS-style statuses: pledges, commitments, money paid, spending. */
export function statusOfIatiType(code: string): ReportedStatus {
  if (code === '12' || code === '13') return 'pledge';
  if (code === '2' || code === '11') return 'commitment';
  if (code === '1' || code === '3') return 'paid';
  if (code === '4') return 'expenditure';
  return 'other';
}

/**
 * The direction of each TransactionType from the reporting organisation's side: incoming
 * funds, commitments and pledges, interest and loan repayments received and equity sold come
 * in; everything else (commitments, disbursements, expenditure, reimbursements, equity bought,
 * guarantees, pledges made) goes out. Summing incoming funds (1) with disbursements (3) would
 * count money passing through the organisation twice, so figures keep them apart.
 */
const INCOMING_TYPES = new Set(['1', '5', '6', '9', '11', '13']);
export function directionOfIatiType(code: string): Direction {
  return INCOMING_TYPES.has(code) ? 'incoming' : 'outgoing';
}

export interface StagedFlow {
  external_ref: string;
  activity_identifier: string | null;
  status: ReportedStatus;
  direction: Direction | null;
  transaction_type: string | null;
  flow_date: string | null;
  value_date: string | null;
  amount: string;
  currency: string;
  /** The US dollar amount the source itself states (FTS), else null: converted when read. */
  amount_usd: string | null;
  donor_name: string | null;
  donor_ref: string | null;
  recipient_name: string | null;
  recipient_ref: string | null;
  description: string;
  line: number | null;
}

/** One row per transaction of a valid activity. */
export function iatiRows(activity: IatiActivity): StagedFlow[] {
  const keys = transactionKeys(activity);
  return activity.transactions.map((t: IatiTransaction, i) => {
    const direction = directionOfIatiType(t.typeCode);
    // The side the file leaves out is the reporting organisation itself.
    const donor = t.provider ?? (direction === 'outgoing' ? activity.reportingOrg : null);
    const recipient = t.receiver ?? (direction === 'incoming' ? activity.reportingOrg : null);
    return {
      external_ref: `${activity.identifier}|${keys[i]}`,
      activity_identifier: activity.identifier,
      status: statusOfIatiType(t.typeCode),
      direction,
      transaction_type: t.typeCode,
      flow_date: t.date,
      value_date: t.valueDate,
      amount: t.value,
      currency: t.currency,
      amount_usd: t.currency === 'USD' ? t.value : null,
      donor_name: donor?.name ?? null,
      donor_ref: donor?.ref ?? null,
      recipient_name: recipient?.name ?? null,
      recipient_ref: recipient?.ref ?? null,
      description: t.description ?? activity.title ?? '',
      line: t.line ?? null,
    };
  });
}

/**
 * The amount an FTS flow states: its original amount in its original currency when it gives
 * one that is not zero, else its US dollar amount. (FTS answers `originalAmount: 0` for flows
 * reported in dollars; storing that zero lost the money.)
 */
export function ftsStatedAmount(flow: FtsFlow): { amount: string; currency: string } {
  if (flow.originalAmount !== null && flow.originalAmount !== '0' && flow.originalCurrency)
    return { amount: flow.originalAmount, currency: flow.originalCurrency };
  return { amount: flow.amountUsd, currency: 'USD' };
}

export function ftsRow(flow: FtsFlow): StagedFlow {
  const stated = ftsStatedAmount(flow);
  return {
    external_ref: `FTS-${flow.id}`,
    activity_identifier: null,
    status: flow.status,
    direction: flow.boundary === 'incoming' || flow.boundary === 'outgoing' || flow.boundary === 'internal' ? flow.boundary : null,
    transaction_type: flow.iatiType,
    flow_date: flow.date,
    value_date: flow.date,
    amount: stated.amount,
    currency: stated.currency,
    amount_usd: flow.amountUsd,
    donor_name: flow.donor?.name ?? null,
    donor_ref: flow.donor?.id ?? null,
    recipient_name: flow.recipient?.name ?? null,
    recipient_ref: flow.recipient?.id ?? null,
    description: flow.description ?? '',
    line: null,
  };
}
