/** Funding: figures, instruments, budget lines, pledges, rates, the ledger, imports and claims. */
import { queryOptions } from '@tanstack/react-query';
import type { Claim, ClaimDetail, Strength } from '../../pages/claims/claims-api';
import type { BudgetLine, Instrument, Overview, Period, Pledge, PublicOverview, Rate, Transaction } from '../../pages/funding/funding-api';
import { api, type QueryParams } from '../api-client';
import { queryKeys } from '../query-keys';
import type { ApiAnswer, Page } from '../types';

const funding = queryKeys('funding');
const overview = funding.kind('overview');
const instruments = funding.kind('instruments');
const budgetLines = funding.kind('budget-lines');
const pledges = funding.kind('pledges');
const pledge = funding.kind('pledge');
const rates = funding.kind('rates');
const transactions = funding.kind('transactions');
const reportedFlows = funding.kind('reported-flows');
const imports = funding.kind('imports');
const duties = funding.kind('separation-of-duties');

/** Every item of a listing, page by page (the lists here stay small: instruments, lines, pledges). */
async function every<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page += 1) {
    const result = await api.get<Page<T>>(path, { page, pageSize: 100 });
    items.push(...result.items);
    if (result.items.length === 0 || items.length >= result.total) return items;
  }
}

export type SeparationOfDuties = ApiAnswer<'/api/funding/separation-of-duties'>;
export type ReportedFlows = ApiAnswer<'/api/funding/reported-flows'>;
export type ImportRecords = ApiAnswer<'/api/funding/imports'>;

export const fundingQueries = {
  all: funding.all,
  overview: (period: Period) =>
    queryOptions({ queryKey: overview(period), queryFn: () => api.get<Overview>('/api/funding/overview', { ...period }) }),
  instruments: () => queryOptions({ queryKey: instruments(), queryFn: () => every<Instrument>('/api/funding/instruments') }),
  budgetLines: () => queryOptions({ queryKey: budgetLines(), queryFn: () => every<BudgetLine>('/api/funding/budget-lines') }),
  pledges: () => queryOptions({ queryKey: pledges(), queryFn: () => every<Pledge>('/api/funding/pledges') }),
  pledge: (id: string) => queryOptions({ queryKey: pledge(id), queryFn: () => api.get<Pledge>(`/api/funding/pledges/${id}`) }),
  rates: () => queryOptions({ queryKey: rates(), queryFn: () => api.get<Page<Rate>>('/api/funding/rates', { pageSize: 100 }) }),
  transactions: (params: QueryParams) =>
    queryOptions({ queryKey: transactions(params), queryFn: () => api.get<Page<Transaction>>('/api/funding/transactions', params) }),
  reportedFlows: () =>
    queryOptions({ queryKey: reportedFlows(), queryFn: () => api.get<ReportedFlows>('/api/funding/reported-flows', { pageSize: 25 }) }),
  imports: () => queryOptions({ queryKey: imports(), queryFn: () => api.get<ImportRecords>('/api/funding/imports', { pageSize: 10 }) }),
  separationOfDuties: () =>
    queryOptions({ queryKey: duties(), queryFn: () => api.get<SeparationOfDuties>('/api/funding/separation-of-duties') }),
};

const claims = queryKeys('claims');
const claimList = claims.kind('list');
const claimDetail = claims.kind('detail');
const strengths = claims.kind('strengths');

export const claimQueries = {
  all: claims.all,
  list: (status: string | null) =>
    queryOptions({ queryKey: claimList(status), queryFn: () => api.get<Page<Claim>>('/api/funding/claims', { pageSize: 100, status }) }),
  detail: (id: string) => queryOptions({ queryKey: claimDetail(id), queryFn: () => api.get<ClaimDetail>(`/api/funding/claims/${id}`) }),
  strengths: () =>
    queryOptions({ queryKey: strengths(), queryFn: () => api.get<Page<Strength>>('/api/funding/strengths', { pageSize: 50 }) }),
};

const publicFigures = queryKeys('public');
const publicFunding = publicFigures.kind('funding');

/** What anyone may see, signed in or not. */
export const publicQueries = {
  all: publicFigures.all,
  funding: (period: Period) =>
    queryOptions({ queryKey: publicFunding(period), queryFn: () => api.get<PublicOverview>('/api/public/funding', { ...period }) }),
};
