/** Shapes of the stakeholders API as these pages use them. */
import { useQuery } from '@tanstack/react-query';
import { useAllOrganisations } from '../../http/lookups';
import { stakeholderQueries } from '../../http/queries/conditions';

export const STAKEHOLDER_KINDS = ['government', 'party', 'international_organisation', 'coalition', 'group'] as const;
export type StakeholderKind = (typeof STAKEHOLDER_KINDS)[number];
export const STANCES = ['supports', 'conditional', 'undecided', 'opposes'] as const;
export type Stance = (typeof STANCES)[number];

export const STANCE_COLORS: Record<Stance, string> = {
  supports: 'teal',
  conditional: 'yellow',
  undecided: 'gray',
  opposes: 'red',
};

export interface StakeholderRecord {
  id: string;
  name: string;
  nameAr: string;
  kind: StakeholderKind;
  organisationId: string | null;
  ownerOrgId: string;
  classification: string;
}

export interface Position {
  id: string;
  stakeholderId: string;
  conditionId: string | null;
  topic: string | null;
  stance: Stance;
  statedOn: string;
  source: string;
  sourceUrl: string | null;
  note: string;
  createdAt: string;
}

/** Positions of one stakeholder, newest first; with `asOf`, the stance on each subject on that date. */
export function usePositions(stakeholderId: string, asOf?: string) {
  return useQuery(stakeholderQueries.positions(stakeholderId, asOf ?? null));
}

/** Organisations by id, for those who may see them; empty for the others. */
export function useOrganisations() {
  const query = useAllOrganisations();
  return new Map((query.data ?? []).map((o) => [o.id, o]));
}

/** The subject a position is about, as a stable key: a condition's id or a topic. */
export function subjectKey(p: Pick<Position, 'conditionId' | 'topic'>): string {
  return p.conditionId ? `condition:${p.conditionId}` : `topic:${p.topic ?? ''}`;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
