/**
 * Funding data in from the public standards: IATI activity files (2.01–2.03) and OCHA FTS
 * flow JSON, stored as reported flows (the donors' own account, beside the ledger, never
 * posted into it), idempotently by source and external reference. An import is all or
 * nothing: the file is read in a worker thread (import-pool.ts) while its rows wait in a
 * staging table; one transaction then keeps them with the import's audit entry, or, when the
 * file is refused for any reason, one transaction deletes them and audits the refusal.
 * Strict imports refuse a file with any invalid activity; lenient ones keep the valid
 * activities and list each one left out. The imports and the reported flows are listed here
 * too. Exports are in exports.service.ts.
 */
import sql, { join, raw, type Sql } from 'sql-template-tag';
import type { Db, Queryable } from '../../db/db.ts';
import { type Actor, actorLabel } from '../../http/actor.ts';
import { Problem } from '../../http/problems.ts';
import { insertAudit } from '../audit/audit.repo.ts';
import { readInWorker, WorkerMemoryError } from './import-pool.ts';
import type { Direction, ReportedStatus, StagedFlow } from './import-rows.ts';
import type { ImportDuplicate, ImportMode, ImportSkip, ImportSource } from './import-worker.ts';

export type { Direction, ReportedStatus } from './import-rows.ts';
export type { ImportMode, ImportSource } from './import-worker.ts';

/** An import still running but not moved for this long was left by a server that stopped. */
const STALE_AFTER = '10 minutes';
/** Skips kept in the import's record and audit entry (the answer lists up to 200). */
const SKIPS_RECORDED = 20;

/** Totals of one status in one direction; what could not be converted to dollars is named, not counted as zero. */
export interface FlowFigure {
  status: ReportedStatus;
  direction: Direction | null;
  count: number;
  /** US dollars of the flows that could be converted (exact; converted amounts are rounded to the cent). */
  usd: string;
  /** Flows left out of `usd` for want of an exchange rate: how many, and their amounts by currency. */
  unconverted: { count: number; amounts: { currency: string; amount: string }[] };
}

export interface ImportReport {
  id: string;
  source: ImportSource;
  mode: ImportMode;
  fileName: string;
  /** Activities (IATI) or flows (FTS) in the file, valid or not. */
  records: number;
  /** Transactions of the valid activities (FTS: flows). */
  transactions: number;
  imported: number;
  alreadyImported: number;
  /** Activities or flows left out (lenient imports only: a strict import refuses instead). */
  skipped: number;
  skippedTransactions: number;
  skips: ImportSkip[];
  duplicates: number;
  duplicateList: ImportDuplicate[];
  /** What this import added, by status and direction. */
  figures: FlowFigure[];
}

/** Amounts in dollars with at least cents written out. */
function dollars(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

/** Reported flows with their dollar amount: as stated, or converted at the latest rate on or before their date. */
function flowsWithUsd(where: Sql): Sql {
  return sql`
    select f.*, coalesce(f.amount_usd, round(f.amount * x.usd_per_unit, 2)) as usd
    from reported_flows f
    left join lateral (
      select r.usd_per_unit from exchange_rates r
      where r.currency = f.currency and r.rate_date <= coalesce(f.value_date, f.flow_date)
      order by r.rate_date desc limit 1) x on f.amount_usd is null
    ${where}`;
}

export async function flowFigures(db: Queryable, where: Sql): Promise<FlowFigure[]> {
  const [totals, missing] = await Promise.all([
    db.query<{ status: ReportedStatus; direction: Direction | null; count: number; usd: string; unconverted: number }>(sql`
      select status, direction, count(*)::int as count, coalesce(sum(usd), 0)::text as usd,
             (count(*) filter (where usd is null))::int as unconverted
      from (${flowsWithUsd(where)}) f group by status, direction order by status, direction nulls last`),
    db.query<{ status: string; direction: string | null; currency: string; amount: string }>(sql`
      select status, direction, currency, sum(amount)::text as amount
      from (${flowsWithUsd(where)}) f where usd is null group by status, direction, currency order by currency`),
  ]);
  return totals.rows.map((t) => ({
    status: t.status,
    direction: t.direction,
    count: t.count,
    usd: dollars(t.usd),
    unconverted: {
      count: t.unconverted,
      amounts: missing.rows
        .filter((m) => m.status === t.status && m.direction === t.direction)
        .map((m) => ({ currency: m.currency, amount: m.amount })),
    },
  }));
}

const STAGED_COLUMNS = raw(
  'external_ref, activity_identifier, status, direction, transaction_type, flow_date, value_date, amount, currency, amount_usd, donor_name, donor_ref, recipient_name, recipient_ref, description',
);

/** Stages a batch of rows (short transaction of its own); nothing reads staged rows but the import. */
async function stage(db: Db, importId: string, rows: StagedFlow[]) {
  await db.transaction(async (tx) => {
    await tx.query(sql`
      insert into funding_import_rows (import_id, ${STAGED_COLUMNS}, line)
      select ${importId}::uuid, ${STAGED_COLUMNS}, line
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(external_ref text, activity_identifier text, status text,
        direction text, transaction_type text, flow_date date, value_date date, amount numeric, currency text, amount_usd numeric,
        donor_name text, donor_ref text, recipient_name text, recipient_ref text, description text, line integer)
      on conflict (import_id, external_ref) do nothing`);
    await tx.query(sql`update funding_imports set touched_at = now() where id = ${importId}::uuid`);
  });
}

/** Imports left running by a server that stopped: their staged rows go, and they say so. */
async function abandonStale(db: Db) {
  await db.transaction(async (tx) => {
    const stale = await tx.query<{ id: string }>(sql`
      update funding_imports set status = 'abandoned', finished_at = now(), problem = 'The server stopped during the import; nothing was kept.'
      where status = 'running' and touched_at < now() - ${STALE_AFTER}::interval returning id`);
    if (stale.rows.length)
      await tx.query(sql`delete from funding_import_rows where import_id = any(${stale.rows.map((r) => r.id)}::uuid[])`);
  });
}

export interface ImportRequest {
  source: ImportSource;
  mode: ImportMode;
  fileName: string;
  body: AsyncIterable<string | Uint8Array>;
  actor: Actor;
  requestId: string;
}

/** The import was refused: nothing was kept. Carries what the answer and the audit entry say. */
function refusal(importId: string, detail: string, skipped = 0, skips: ImportSkip[] = [], stoppedEarly = false): Problem {
  return new Problem('funding.import-refused', detail, { importId, skipped, skips, ...(stoppedEarly ? { stoppedEarly } : {}) });
}

/**
 * Imports a file as reported flows, all or nothing. Resolves with the report of what was
 * imported; throws a `funding.import-refused` problem when nothing was (after recording and
 * auditing why).
 */
export async function runImport(db: Db, request: ImportRequest): Promise<ImportReport> {
  const { source, mode, fileName, actor, requestId } = request;
  await abandonStale(db);
  const started = await db.transaction((tx) =>
    tx.query<{ id: string }>(sql`
      insert into funding_imports (source, mode, file_name, started_by)
      values (${source}, ${mode}, ${fileName}, ${actorLabel(actor)}) returning id`),
  );
  const id = started.rows[0].id;
  try {
    const read = await readInWorker(request.body, { source, mode }, (rows) => stage(db, id, rows));
    if (read.refused) throw refusal(id, read.refused);
    const unit = source === 'iati' ? 'activities' : 'flows';
    if (read.records === 0) throw refusal(id, `The file holds no ${unit}.`);
    if (mode === 'strict' && read.skipped > 0)
      throw refusal(
        id,
        `${read.skipped}${read.stoppedEarly ? ' or more' : ''} of the ${unit} in the file ${read.skipped === 1 ? 'is' : 'are'} not valid, so nothing was imported. ` +
          'Correct them, or import with the lenient mode to keep the valid ones.',
        read.skipped,
        read.skips,
        read.stoppedEarly,
      );
    return await db.transaction(async (tx) => {
      const moved = await tx.query<{ n: number }>(sql`
        with moved as (
          insert into reported_flows (source, import_id, imported_by, ${STAGED_COLUMNS})
          select ${source}, import_id, ${actorLabel(actor)}, ${STAGED_COLUMNS}
          from funding_import_rows where import_id = ${id}::uuid
          on conflict (source, external_ref) do nothing
          returning 1)
        select count(*)::int as n from moved`);
      const staged = await tx.query<{ n: number }>(sql`
        with gone as (delete from funding_import_rows where import_id = ${id}::uuid returning 1) select count(*)::int as n from gone`);
      const report: ImportReport = {
        id,
        source,
        mode,
        fileName,
        records: read.records,
        transactions: read.transactions,
        imported: moved.rows[0].n,
        alreadyImported: staged.rows[0].n - moved.rows[0].n,
        skipped: read.skipped,
        skippedTransactions: read.skippedTransactions,
        skips: read.skips,
        duplicates: read.duplicates,
        duplicateList: read.duplicateList,
        figures: await flowFigures(tx, sql`where f.import_id = ${id}::uuid`),
      };
      const recorded = {
        ...report,
        skips: report.skips.slice(0, SKIPS_RECORDED),
        duplicateList: report.duplicateList.slice(0, SKIPS_RECORDED),
      };
      await tx.query(sql`
        update funding_imports set status = 'imported', finished_at = now(), report = ${JSON.stringify(recorded)}::jsonb
        where id = ${id}::uuid`);
      await insertAudit(tx, actor, requestId, {
        action: `funding.import.${source}`,
        entityType: 'funding_imports',
        entityId: id,
        after: recorded,
      });
      return report;
    });
  } catch (error) {
    const problem =
      error instanceof Problem && error.code === 'funding.import-refused'
        ? error
        : error instanceof WorkerMemoryError
          ? refusal(id, error.message)
          : null;
    const detail = problem?.detail ?? 'The import failed on the server; nothing was kept.';
    await db
      .transaction(async (tx) => {
        await tx.query(sql`delete from funding_import_rows where import_id = ${id}::uuid`);
        await tx.query(sql`
          update funding_imports set status = 'refused', finished_at = now(), problem = ${detail},
            report = ${JSON.stringify({ skipped: problem?.extensions.skipped ?? 0, skips: ((problem?.extensions.skips as ImportSkip[]) ?? []).slice(0, SKIPS_RECORDED) })}::jsonb
          where id = ${id}::uuid`);
        await insertAudit(tx, actor, requestId, {
          action: 'funding.import.refused',
          entityType: 'funding_imports',
          entityId: id,
          after: { source, mode, fileName, problem: detail, skipped: problem?.extensions.skipped ?? 0 },
        });
      })
      // If even this fails (the database went away), the stale-import sweep cleans up later.
      .catch(() => undefined);
    throw problem ?? error;
  }
}

export interface ImportRecord {
  id: string;
  source: ImportSource;
  mode: ImportMode;
  fileName: string;
  status: 'running' | 'imported' | 'refused' | 'abandoned';
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  problem: string | null;
  imported: number | null;
  skipped: number | null;
}

export async function listImports(db: Queryable, page: { page: number; pageSize: number }) {
  const [items, total] = await Promise.all([
    db.query<ImportRecord>(sql`
      select id, source, mode, file_name as "fileName", status, started_by as "startedBy", started_at as "startedAt",
             finished_at as "finishedAt", problem, (report ->> 'imported')::int as imported, (report ->> 'skipped')::int as skipped
      from funding_imports order by started_at desc, id limit ${page.pageSize} offset ${(page.page - 1) * page.pageSize}`),
    db.query<{ n: number }>(sql`select count(*)::int as n from funding_imports`),
  ]);
  return { items: items.rows, total: total.rows[0].n, page: page.page, pageSize: page.pageSize };
}

// --- Reported flows ------------------------------------------------------------------------

export interface ReportedFlow {
  id: string;
  source: ImportSource;
  externalRef: string;
  activityIdentifier: string | null;
  status: ReportedStatus;
  direction: Direction | null;
  transactionType: string | null;
  flowDate: string | null;
  amount: string;
  currency: string;
  /** Null when there is no rate: then `noRate` says for which currency and date. */
  amountUsd: string | null;
  noRate: { currency: string; date: string | null } | null;
  donorName: string | null;
  recipientName: string | null;
  description: string;
  importedAt: Date;
}

export async function listReportedFlows(
  db: Queryable,
  filter: { source?: ImportSource; status?: ReportedStatus; direction?: Direction; page: number; pageSize: number },
) {
  const conditions = [
    sql`true`,
    ...(filter.source ? [sql`f.source = ${filter.source}`] : []),
    ...(filter.status ? [sql`f.status = ${filter.status}`] : []),
    ...(filter.direction ? [sql`f.direction = ${filter.direction}`] : []),
  ];
  const where = sql`where ${join(conditions, ' and ')}`;
  const [items, figures] = await Promise.all([
    db.query<Omit<ReportedFlow, 'noRate'> & { rateDate: string | null }>(sql`
      select id, source, external_ref as "externalRef", activity_identifier as "activityIdentifier", status, direction,
             transaction_type as "transactionType", flow_date::text as "flowDate", amount::text, currency, usd::text as "amountUsd",
             coalesce(value_date, flow_date)::text as "rateDate",
             donor_name as "donorName", recipient_name as "recipientName", description, imported_at as "importedAt"
      from (${flowsWithUsd(where)}) f order by flow_date desc nulls last, external_ref
      limit ${filter.pageSize} offset ${(filter.page - 1) * filter.pageSize}`),
    flowFigures(db, where),
  ]);
  return {
    items: items.rows.map(({ rateDate, ...flow }) => ({
      ...flow,
      noRate: flow.amountUsd === null ? { currency: flow.currency, date: rateDate } : null,
    })),
    total: figures.reduce((n, f) => n + f.count, 0),
    figures,
    page: filter.page,
    pageSize: filter.pageSize,
  };
}
