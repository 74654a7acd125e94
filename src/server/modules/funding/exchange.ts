/**
 * Funding data in and out of the public standards. In: IATI activity files (2.01–2.03),
 * read as a stream, and OCHA FTS flow JSON, stored as reported flows (the donors' own
 * account, beside the ledger, never posted into it), idempotently by source and external
 * reference. Out: the mission's funding as IATI 2.03 activities (one per instrument) and
 * as an HXL-tagged table (CSV or XLSX) of every ledger movement, pledge and agreement.
 */
import sql from 'sql-template-tag';
import type { Db, Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import { centsOf, usdOf } from './money.ts';
import { readFts } from './standards/fts-read.ts';
import type { FundingHxlRow } from './standards/hxl.ts';
import { type IatiActivity, type IatiTransaction, transactionKeys } from './standards/iati-model.ts';
import { readIati } from './standards/iati-read.ts';

export type ReportedStatus = 'pledge' | 'commitment' | 'paid' | 'expenditure' | 'other';

/** IATI transaction types as FTS-style statuses: pledges, commitments, money paid, spending. */
export function statusOfIatiType(code: string): ReportedStatus {
  if (code === '12' || code === '13') return 'pledge';
  if (code === '2' || code === '11') return 'commitment';
  if (code === '1' || code === '3') return 'paid';
  if (code === '4') return 'expenditure';
  return 'other';
}

/** Types in which money comes to the reporting organisation: it is the recipient. */
const INCOMING = new Set(['1', '11', '13']);

interface FlowRow {
  external_ref: string;
  activity_identifier: string | null;
  status: ReportedStatus;
  transaction_type: string | null;
  flow_date: string | null;
  value_date: string | null;
  amount: string;
  currency: string;
  amount_usd: string | null;
  donor_name: string | null;
  donor_ref: string | null;
  recipient_name: string | null;
  recipient_ref: string | null;
  description: string;
}

export interface ImportSkip {
  line: number | null;
  level: string;
  reference: string | null;
  reason: string;
}

export interface ImportSummary {
  source: 'iati' | 'fts';
  /** Activities (IATI) read from the file; for FTS, the flows. */
  records: number;
  transactions: number;
  imported: number;
  alreadyImported: number;
  skipped: number;
  /** The first skips, with where and why (all are counted in `skipped`). */
  skips: ImportSkip[];
  /** Imported now, by status: count and US dollars (where a rate was known). */
  byStatus: Record<string, { count: number; usd: string }>;
  /** Imported amounts with no exchange rate to US dollars for their date. */
  withoutRate: number;
}

const SKIPS_LISTED = 200;
const BATCH = 500;

function newSummary(source: 'iati' | 'fts'): ImportSummary {
  return { source, records: 0, transactions: 0, imported: 0, alreadyImported: 0, skipped: 0, skips: [], byStatus: {}, withoutRate: 0 };
}

function skip(summary: ImportSummary, entry: ImportSkip) {
  summary.skipped++;
  if (summary.skips.length < SKIPS_LISTED) summary.skips.push(entry);
}

/** Writes a batch in its own short transaction; what was there already is counted, not changed. */
async function writeBatch(db: Db, source: 'iati' | 'fts', rows: FlowRow[], importedBy: string, summary: ImportSummary) {
  if (!rows.length) return;
  const inserted = await db.transaction((tx) =>
    tx.query<{ status: string; usd: string | null }>(sql`
      insert into reported_flows (source, external_ref, activity_identifier, status, transaction_type, flow_date, amount, currency,
                                  amount_usd, donor_name, donor_ref, recipient_name, recipient_ref, description, imported_by)
      select ${source}, r.external_ref, r.activity_identifier, r.status, r.transaction_type, r.flow_date, r.amount, r.currency,
             coalesce(r.amount_usd, case when r.currency = 'USD' then round(r.amount, 2) else (
               select round(r.amount * x.usd_per_unit, 2) from exchange_rates x
               where x.currency = r.currency and x.rate_date <= coalesce(r.value_date, r.flow_date)
               order by x.rate_date desc limit 1) end),
             r.donor_name, r.donor_ref, r.recipient_name, r.recipient_ref, r.description, ${importedBy}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(external_ref text, activity_identifier text, status text,
        transaction_type text, flow_date date, value_date date, amount numeric, currency text, amount_usd numeric,
        donor_name text, donor_ref text, recipient_name text, recipient_ref text, description text)
      on conflict (source, external_ref) do nothing
      returning status, amount_usd::text as usd`),
  );
  summary.imported += inserted.rows.length;
  summary.alreadyImported += rows.length - inserted.rows.length;
  for (const row of inserted.rows) {
    summary.byStatus[row.status] ??= { count: 0, usd: '0.00' };
    const entry = summary.byStatus[row.status];
    entry.count++;
    if (row.usd === null) summary.withoutRate++;
    else entry.usd = usdOf(centsOf(entry.usd) + centsOf(row.usd));
  }
}

function iatiRows(activity: IatiActivity): FlowRow[] {
  const keys = transactionKeys(activity);
  return activity.transactions.map((t: IatiTransaction, i) => {
    const incoming = INCOMING.has(t.typeCode);
    const donor = t.provider ?? (incoming ? null : activity.reportingOrg);
    const recipient = t.receiver ?? (incoming ? activity.reportingOrg : null);
    return {
      external_ref: `${activity.identifier}|${keys[i]}`,
      activity_identifier: activity.identifier,
      status: statusOfIatiType(t.typeCode),
      transaction_type: t.typeCode,
      flow_date: t.date,
      value_date: t.valueDate,
      amount: t.value,
      currency: t.currency,
      amount_usd: null,
      donor_name: donor?.name ?? null,
      donor_ref: donor?.ref ?? null,
      recipient_name: recipient?.name ?? null,
      recipient_ref: recipient?.ref ?? null,
      description: t.description ?? activity.title ?? '',
    };
  });
}

/** Imports an IATI activity file read as a stream; memory holds one batch at a time. */
export async function importIati(db: Db, source: AsyncIterable<string | Uint8Array>, importedBy: string): Promise<ImportSummary> {
  const summary = newSummary('iati');
  let batch: FlowRow[] = [];
  for await (const item of readIati(source)) {
    if (item.kind === 'skip') {
      const s = item.skip;
      skip(summary, {
        line: s.line,
        level: s.level,
        reference: s.identifier ? `${s.identifier}${s.ref ? `|${s.ref}` : ''}` : s.ref,
        reason: s.reason,
      });
      continue;
    }
    summary.records++;
    summary.transactions += item.activity.transactions.length;
    batch.push(...iatiRows(item.activity));
    if (batch.length >= BATCH) {
      await writeBatch(db, 'iati', batch, importedBy, summary);
      batch = [];
    }
  }
  await writeBatch(db, 'iati', batch, importedBy, summary);
  return summary;
}

/** Imports OCHA FTS flows (the JSON of the FTS API's flow search). */
export async function importFts(db: Db, document: unknown, importedBy: string): Promise<ImportSummary> {
  const summary = newSummary('fts');
  const read = readFts(document);
  for (const s of read.skips) skip(summary, { line: null, level: 'flow', reference: s.id ?? `#${s.index + 1}`, reason: s.reason });
  summary.records = read.flows.length + read.skips.length;
  summary.transactions = read.flows.length;
  const rows: FlowRow[] = read.flows.map((f) => ({
    external_ref: `FTS-${f.id}`,
    activity_identifier: null,
    status: f.status,
    transaction_type: f.iatiType,
    flow_date: f.date,
    value_date: f.date,
    amount: f.originalAmount ?? f.amountUsd,
    currency: f.originalAmount && f.originalCurrency ? f.originalCurrency : 'USD',
    amount_usd: f.amountUsd,
    donor_name: f.donor?.name ?? null,
    donor_ref: f.donor?.id ?? null,
    recipient_name: f.recipient?.name ?? null,
    recipient_ref: f.recipient?.id ?? null,
    description: f.description ?? '',
  }));
  for (let i = 0; i < rows.length; i += BATCH) await writeBatch(db, 'fts', rows.slice(i, i + BATCH), importedBy, summary);
  return summary;
}

// --- Reported flows ------------------------------------------------------------------------

export interface ReportedFlow {
  id: string;
  source: 'iati' | 'fts';
  externalRef: string;
  activityIdentifier: string | null;
  status: ReportedStatus;
  transactionType: string | null;
  flowDate: string | null;
  amount: string;
  currency: string;
  amountUsd: string | null;
  donorName: string | null;
  recipientName: string | null;
  description: string;
  importedAt: Date;
}

export async function listReportedFlows(
  db: Queryable,
  filter: { source?: 'iati' | 'fts'; status?: ReportedStatus; page: number; pageSize: number },
) {
  const where = sql`where (${filter.source ?? null}::text is null or source = ${filter.source ?? null})
    and (${filter.status ?? null}::text is null or status = ${filter.status ?? null})`;
  const [items, totals] = await Promise.all([
    db.query<ReportedFlow>(sql`
      select id, source, external_ref as "externalRef", activity_identifier as "activityIdentifier", status,
             transaction_type as "transactionType", flow_date::text as "flowDate", amount::text, currency, amount_usd::text as "amountUsd",
             donor_name as "donorName", recipient_name as "recipientName", description, imported_at as "importedAt"
      from reported_flows ${where} order by flow_date desc nulls last, external_ref
      limit ${filter.pageSize} offset ${(filter.page - 1) * filter.pageSize}`),
    db.query<{ status: string; count: number; usd: string }>(sql`
      select status, count(*)::int as count, coalesce(sum(amount_usd), 0)::numeric(20, 2)::text as usd
      from reported_flows ${where} group by status order by status`),
  ]);
  return {
    items: items.rows,
    total: totals.rows.reduce((n, t) => n + t.count, 0),
    byStatus: Object.fromEntries(totals.rows.map((t) => [t.status, { count: t.count, usd: t.usd }])),
    page: filter.page,
    pageSize: filter.pageSize,
  };
}

// --- Exports ---------------------------------------------------------------------------------

/** Ledger kinds as IATI transaction types, from the instrument's (the activity's) point of view. */
const IATI_TYPE: Record<string, string> = { receipt: '1', disbursement: '3', expenditure: '4' };

/** The mission's funding, one IATI activity per instrument the caller may see. */
export async function* missionActivities(db: Queryable, actor: Actor | null, reportingOrg: { ref: string; name: string }) {
  const instruments = await db.query<{
    id: string;
    name: string;
    nameAr: string;
    donor: string;
    donorRef: string | null;
    restrictions: string[];
  }>(sql`
    select i.id, i.name, i.name_ar as "nameAr", o.name as donor, o.country_code as "donorRef", i.restrictions
    from funding_instruments i join organisations o on o.id = i.donor_org_id where ${visibleTo(actor, 'i')} order by o.name, i.name`);
  for (const instrument of instruments.rows) {
    const rows = await db.query<{
      kind: string;
      ref: string;
      date: string;
      amount: string;
      currency: string;
      payee: string | null;
      description: string;
    }>(sql`
      select coalesce(o.kind, t.kind) as kind, t.id::text as ref, t.value_date::text as date,
             (case when t.kind = 'reversal' then -t.amount else t.amount end)::text as amount, t.currency,
             p.name as payee, t.description
      from ledger_transactions t left join ledger_transactions o on o.id = t.reverses_id left join organisations p on p.id = t.payee_org_id
      where t.instrument_id = ${instrument.id}::uuid and coalesce(o.kind, t.kind) in ('receipt', 'disbursement', 'expenditure')
      union all
      select 'pledge', p.id::text, p.pledged_on::text, p.amount::text, p.currency, null, p.title
      from pledges p where p.instrument_id = ${instrument.id}::uuid and ${visibleTo(actor, 'p')}
      union all
      select 'agreement', a.id::text, a.signed_on::text, a.amount::text, a.currency, null, a.reference
      from funding_agreements a where a.instrument_id = ${instrument.id}::uuid and ${visibleTo(actor, 'a')}
      order by 3, 2`);
    const donor = { ref: instrument.donorRef, name: instrument.donor, type: null };
    const activity: IatiActivity = {
      identifier: `${reportingOrg.ref}-${instrument.id}`,
      version: '2.03',
      lang: 'en',
      title: instrument.name,
      titles: [{ lang: null, text: instrument.name }, ...(instrument.nameAr ? [{ lang: 'ar', text: instrument.nameAr }] : [])],
      description: instrument.restrictions.length ? `Restrictions: ${instrument.restrictions.join('; ')}` : instrument.name,
      descriptions: [],
      // OrganisationType 40: multilateral (the mission); ActivityStatus 2: implementation.
      reportingOrg: { ref: reportingOrg.ref, name: reportingOrg.name, type: '40' },
      participatingOrgs: [
        { ...donor, role: '1' },
        { ref: reportingOrg.ref, name: reportingOrg.name, type: '40', role: '4' },
      ],
      activityStatus: '2',
      // ActivityDateType 2: actual start, the first money movement or pledge.
      activityDates: [{ type: '2', date: rows.rows[0]?.date ?? new Date().toISOString().slice(0, 10) }],
      defaultCurrency: 'USD',
      humanitarian: true,
      budgets: [],
      transactions: rows.rows.map((r, index) => ({
        ref: r.ref,
        typeCode: (r.kind === 'pledge' ? '13' : r.kind === 'agreement' ? '11' : IATI_TYPE[r.kind]) as IatiTransaction['typeCode'],
        date: r.date,
        value: r.amount,
        currency: r.currency,
        valueDate: r.date,
        provider: r.kind === 'receipt' || r.kind === 'pledge' || r.kind === 'agreement' ? donor : null,
        receiver: r.payee ? { ref: null, name: r.payee, type: null } : null,
        description: r.description || null,
        descriptions: [],
        index,
      })),
      line: 0,
    };
    yield activity;
  }
}

/** Every ledger movement, pledge and agreement the caller may see, as rows of the HXL export. */
export async function* fundingRows(db: Queryable, actor: Actor | null): AsyncGenerator<FundingHxlRow> {
  const rows = await db.query<FundingHxlRow>(sql`
    select t.id::text as reference, t.value_date::text as date, t.kind as status, d.name as donor, d.country_code as "donorCode",
           p.name as recipient, p.country_code as "recipientCode", b.name_en as sector,
           (case when t.kind = 'reversal' then -t.amount_usd else t.amount_usd end)::text as "amountUsd",
           (case when t.kind = 'reversal' then -t.amount else t.amount end)::text as amount, t.currency, t.description
    from ledger_transactions t join funding_instruments i on i.id = t.instrument_id join organisations d on d.id = i.donor_org_id
      left join organisations p on p.id = t.payee_org_id left join budget_lines b on b.id = t.budget_line_id
    where ${visibleTo(actor, 'i')}
    union all
    select pl.id::text, pl.pledged_on::text, 'pledge', d.name, d.country_code, null, null, null, pl.amount_usd::text, pl.amount::text, pl.currency, pl.title
    from pledges pl join funding_instruments i on i.id = pl.instrument_id join organisations d on d.id = i.donor_org_id
    where ${visibleTo(actor, 'pl')} and ${visibleTo(actor, 'i')}
    union all
    select a.id::text, a.signed_on::text, 'commitment', d.name, d.country_code, null, null, null, a.amount_usd::text, a.amount::text, a.currency, a.reference
    from funding_agreements a join funding_instruments i on i.id = a.instrument_id join organisations d on d.id = i.donor_org_id
    where ${visibleTo(actor, 'a')} and ${visibleTo(actor, 'i')}
    order by 2, 1`);
  yield* rows.rows;
}
