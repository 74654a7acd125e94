/**
 * OCHA Financial Tracking Service (FTS) flows, as the FTS API's flow search answers them
 * (`{ status: "ok", data: { flows: [...] } }`), normalized for the funding ledger: exact
 * decimal amounts, the donor and recipient organisations picked out of the source and
 * destination objects, and the status mapped to the IATI transaction type it corresponds to.
 *
 * A flow that cannot be used (no id, an unknown status, an amount that is not a number) is a
 * skip with a reason; an answer that is not an FTS flow search at all is an FtsFormatError.
 *
 * Amounts arrive as JSON numbers. A number with at most 15 significant digits prints back
 * exactly as it was written, which covers every real amount; one with more cannot be trusted
 * to the cent and is skipped rather than rounded.
 */

import { canonicalDecimal, isCurrencyCode } from '../../../../shared/money.ts';
import type { TransactionTypeCode } from './iati-model.ts';

export const FTS_STATUSES = ['pledge', 'commitment', 'paid'] as const;
export type FtsStatus = (typeof FTS_STATUSES)[number];

/**
 * The IATI transaction type of an FTS flow, seen from its recipient: a pledge is an incoming
 * pledge (13), a commitment an incoming commitment (11), a paid contribution incoming funds (1).
 */
export const FTS_STATUS_TO_IATI: Record<FtsStatus, TransactionTypeCode> = { pledge: '13', commitment: '11', paid: '1' };

export interface FtsObjectRef {
  id: string | null;
  name: string | null;
}

/** One side of a flow (source or destination), grouped by object type. */
export interface FtsSide {
  organizations: (FtsObjectRef & { types: string[] })[];
  locations: FtsObjectRef[];
  usageYears: string[];
  plans: FtsObjectRef[];
  projects: (FtsObjectRef & { code: string | null })[];
  clusters: FtsObjectRef[];
  globalClusters: FtsObjectRef[];
  emergencies: FtsObjectRef[];
}

export interface FtsFlow {
  id: string;
  versionId: number | null;
  status: FtsStatus;
  iatiType: TransactionTypeCode;
  amountUsd: string;
  originalAmount: string | null;
  originalCurrency: string | null;
  exchangeRate: string | null;
  /** The flow's date, YYYY-MM-DD. */
  date: string | null;
  decisionDate: string | null;
  /** The first source organisation, and the first destination organisation. */
  donor: FtsObjectRef | null;
  recipient: FtsObjectRef | null;
  description: string | null;
  /** incoming, outgoing or internal, relative to the location or plan the search was for. */
  boundary: string | null;
  onBoundary: string | null;
  flowType: string | null;
  contributionType: string | null;
  newMoney: boolean | null;
  parentFlowId: string | null;
  childFlowIds: string[];
  source: FtsSide;
  destination: FtsSide;
}

export interface FtsSkip {
  index: number;
  id: string | null;
  reason: string;
}

export interface FtsRead {
  flows: FtsFlow[];
  skips: FtsSkip[];
  /** Flows whose id came earlier in the same answer (read once). */
  duplicates: { index: number; id: string }[];
}

export class FtsFormatError extends Error {
  override name = 'FtsFormatError';
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null =>
  typeof value === 'string' ? value.trim() || null : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
const date = (value: unknown): string | null => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null);

/** An exact decimal string from a JSON number (or numeric string), or why not. */
function amount(value: unknown): string | { problem: string } {
  if (typeof value === 'string') return canonicalDecimal(value) ?? { problem: `"${value}" is not a number` };
  if (typeof value !== 'number' || !Number.isFinite(value)) return { problem: `${JSON.stringify(value)} is not a number` };
  const printed = String(value);
  const digits = printed.replace(/^-|\.|e.*$/g, '').replace(/^0+/, '').length;
  if (/e/i.test(printed) || digits > 15) return { problem: `${printed} has too many digits to be read exactly` };
  return canonicalDecimal(printed)!;
}

function side(objects: unknown): FtsSide {
  const result: FtsSide = {
    organizations: [],
    locations: [],
    usageYears: [],
    plans: [],
    projects: [],
    clusters: [],
    globalClusters: [],
    emergencies: [],
  };
  if (!Array.isArray(objects)) return result;
  for (const o of objects) {
    if (!isObject(o)) continue;
    const ref = { id: text(o.id), name: text(o.name) };
    switch (o.type) {
      case 'Organization':
        result.organizations.push({
          ...ref,
          types: Array.isArray(o.organizationTypes) ? o.organizationTypes.filter((t) => typeof t === 'string') : [],
        });
        break;
      case 'Location':
        result.locations.push(ref);
        break;
      case 'UsageYear':
        if (ref.name) result.usageYears.push(ref.name);
        break;
      case 'Plan':
        result.plans.push(ref);
        break;
      case 'Project':
        result.projects.push({ ...ref, code: text(o.code) });
        break;
      case 'Cluster':
        result.clusters.push(ref);
        break;
      case 'GlobalCluster':
        result.globalClusters.push(ref);
        break;
      case 'Emergency':
        result.emergencies.push(ref);
        break;
    }
  }
  return result;
}

function flow(raw: unknown, index: number): FtsFlow | FtsSkip {
  if (!isObject(raw)) return { index, id: null, reason: 'the flow is not an object' };
  const id = text(raw.id);
  const skip = (reason: string): FtsSkip => ({ index, id, reason });
  if (!id) return skip('the flow has no id');
  const status = raw.status;
  if (typeof status !== 'string' || !(FTS_STATUSES as readonly string[]).includes(status)) {
    return skip(`status ${JSON.stringify(status)} is not one of ${FTS_STATUSES.join(', ')}`);
  }
  const usd = amount(raw.amountUSD);
  if (typeof usd !== 'string') return skip(`amountUSD ${usd.problem}`);
  let original: string | null = null;
  if (raw.originalAmount !== null && raw.originalAmount !== undefined) {
    const parsed = amount(raw.originalAmount);
    if (typeof parsed !== 'string') return skip(`originalAmount ${parsed.problem}`);
    original = parsed;
  }
  const currency = text(raw.originalCurrency)?.toUpperCase() ?? null;
  if (currency !== null && !isCurrencyCode(currency)) return skip(`originalCurrency ${currency} is not an ISO 4217 code`);
  const rate = raw.exchangeRate === null || raw.exchangeRate === undefined ? null : amount(raw.exchangeRate);
  const source = side(raw.sourceObjects);
  const destination = side(raw.destinationObjects);
  const firstOrg = (s: FtsSide) => (s.organizations[0] ? { id: s.organizations[0].id, name: s.organizations[0].name } : null);
  return {
    id,
    versionId: typeof raw.versionId === 'number' ? raw.versionId : null,
    status: status as FtsStatus,
    iatiType: FTS_STATUS_TO_IATI[status as FtsStatus],
    amountUsd: usd,
    originalAmount: original,
    originalCurrency: currency,
    exchangeRate: typeof rate === 'string' ? rate : null,
    date: date(raw.date),
    decisionDate: date(raw.decisionDate),
    donor: firstOrg(source),
    recipient: firstOrg(destination),
    description: text(raw.description),
    boundary: text(raw.boundary),
    onBoundary: text(raw.onBoundary),
    flowType: text(raw.flowType),
    contributionType: text(raw.contributionType),
    newMoney: typeof raw.newMoney === 'boolean' ? raw.newMoney : null,
    parentFlowId: text(raw.parentFlowId),
    childFlowIds: Array.isArray(raw.childFlowIds) ? raw.childFlowIds.map(text).filter((x): x is string => x !== null) : [],
    source,
    destination,
  };
}

/** Reads an FTS flow search answer, given as JSON text or already parsed. */
export function readFts(input: string | unknown): FtsRead {
  let parsed: unknown = input;
  if (typeof input === 'string') {
    try {
      parsed = JSON.parse(input);
    } catch (error) {
      throw new FtsFormatError(`Not JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(parsed) || !isObject(parsed.data) || !Array.isArray(parsed.data.flows)) {
    throw new FtsFormatError('Not an FTS flow search answer: expected { data: { flows: [...] } }');
  }
  if (parsed.status !== undefined && parsed.status !== 'ok')
    throw new FtsFormatError(`The FTS answer has status ${JSON.stringify(parsed.status)}`);
  const result: FtsRead = { flows: [], skips: [], duplicates: [] };
  const seen = new Set<string>();
  parsed.data.flows.forEach((raw: unknown, index: number) => {
    const read = flow(raw, index);
    if ('reason' in read) result.skips.push(read);
    else if (seen.has(read.id)) result.duplicates.push({ index, id: read.id });
    else {
      seen.add(read.id);
      result.flows.push(read);
    }
  });
  return result;
}
