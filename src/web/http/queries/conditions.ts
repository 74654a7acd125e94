/** Conditions, their analysis and requirements graph, and stakeholders with their positions. */
import { queryOptions } from '@tanstack/react-query';
import type { Analysis, ConditionDetail, ConditionListItem, Gate, Stakeholder, WhatIf } from '../../pages/conditions/conditions-api';
import type { RequirementsGraph } from '../../pages/conditions/graph-layout';
import type { Position, StakeholderRecord } from '../../pages/stakeholders/stakeholders-api';
import { api } from '../api-client';
import { queryKeys } from '../query-keys';
import type { Page } from '../types';

const conditions = queryKeys('conditions');
const list = conditions.kind('list');
const detail = conditions.kind('detail');
const analysis = conditions.kind('analysis');
const graph = conditions.kind('graph');
const whatIf = conditions.kind('what-if');
const gates = conditions.kind('gates');

/** The lists here stay small (the scenario has dozens); one page of 100 holds them. */
const LIST_SIZE = 100;

export const conditionQueries = {
  all: conditions.all,
  list: () =>
    queryOptions({ queryKey: list(), queryFn: () => api.get<Page<ConditionListItem>>('/api/conditions', { pageSize: LIST_SIZE }) }),
  detail: (id: string) => queryOptions({ queryKey: detail(id), queryFn: () => api.get<ConditionDetail>(`/api/conditions/${id}`) }),
  analysis: () => queryOptions({ queryKey: analysis(), queryFn: () => api.get<Analysis>('/api/conditions/analysis') }),
  graph: (asOf: string | null) =>
    queryOptions({ queryKey: graph(asOf), queryFn: () => api.get<RequirementsGraph>('/api/conditions/graph', asOf ? { asOf } : {}) }),
  whatIf: (statuses: Record<string, string>) =>
    queryOptions({ queryKey: whatIf(statuses), queryFn: () => api.post<WhatIf>('/api/conditions/what-if', { statuses }) }),
  /** The gates a condition takes part in, by relation (e.g. in their minimal unlocking sets). */
  gates: (conditionId: string, relation: string, pageSize: number) =>
    queryOptions({
      queryKey: gates(conditionId, relation, pageSize),
      queryFn: () => api.get<Page<Gate>>(`/api/conditions/${conditionId}/gates`, { relation, pageSize }),
    }),
};

const stakeholders = queryKeys('stakeholders');
const stakeholderPage = stakeholders.kind('page');
const stakeholderNames = stakeholders.kind('names');
const stakeholderDetail = stakeholders.kind('detail');
const positions = stakeholders.kind('positions');

export interface StakeholderFilter {
  page: number;
  pageSize: number;
  q: string;
  kind: string | null;
}

export const stakeholderQueries = {
  all: stakeholders.all,
  page: (filter: StakeholderFilter) =>
    queryOptions({
      queryKey: stakeholderPage(filter),
      queryFn: () => api.get<Page<StakeholderRecord>>('/api/stakeholders', { ...filter }),
    }),
  /** The first hundred stakeholders, for their names next to conditions. */
  names: () =>
    queryOptions({ queryKey: stakeholderNames(), queryFn: () => api.get<Page<Stakeholder>>('/api/stakeholders', { pageSize: LIST_SIZE }) }),
  detail: (id: string) =>
    queryOptions({ queryKey: stakeholderDetail(id), queryFn: () => api.get<StakeholderRecord>(`/api/stakeholders/${id}`) }),
  /** Positions of one stakeholder, newest first; with `asOf`, the stance on each subject on that date. */
  positions: (stakeholderId: string, asOf: string | null) =>
    queryOptions({
      queryKey: positions(stakeholderId, asOf),
      queryFn: () => api.get<Page<Position>>(`/api/stakeholders/${stakeholderId}/positions`, { pageSize: LIST_SIZE, asOf }),
    }),
};
