/**
 * A donor's statement for a period: its pledges (with each tranche's state), agreements,
 * receipts, and where the money went (allocated by budget line, disbursed by payee, spent),
 * gathered with what the caller may see, and drawn as a PDF with pdfkit. A reversal
 * counts against the kind of transaction it reverses. Pledges are listed but not counted
 * as funding, as in the overview.
 */
import PDFDocument from 'pdfkit';
import { centsOf, formatAmount, formatMoney, REPORTING_CURRENCY, usdOf } from '../../../shared/money.ts';
import type { Actor } from '../../http/actor.ts';
import type { Ctx } from '../../http/context.ts';
import { MAX_PAGE_SIZE } from '../../http/schemas.ts';
import { getOrganisation } from '../access/organisations.repo.ts';
import * as repo from './funding.repo.ts';
import * as service from './funding.service.ts';
import * as ledger from './ledger.repo.ts';

type Pledge = Awaited<ReturnType<typeof service.getPledge>>;
type PostingKind = 'receipt' | 'allocation' | 'disbursement' | 'expenditure';

export interface Statement {
  donorName: string;
  from: string | null;
  to: string | null;
  generatedAt: Date;
  pledges: Pledge[];
  agreements: repo.Agreement[];
  receipts: ledger.Transaction[];
  /** Net US dollars by budget line (allocations) and by payee (disbursements, spending). */
  allocatedByLine: { name: string; usd: string }[];
  disbursedByPayee: { name: string; usd: string }[];
  spentByPayee: { name: string; usd: string }[];
  totals: { pledged: string; committed: string; received: string; allocated: string; disbursed: string; spent: string };
}

/** Every page of a paged listing. */
async function all<T>(list: (page: { page: number; pageSize: number }) => Promise<{ items: T[]; total: number }>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page += 1) {
    const result = await list({ page, pageSize: MAX_PAGE_SIZE });
    items.push(...result.items);
    if (result.items.length < MAX_PAGE_SIZE || items.length >= result.total) return items;
  }
}

const inPeriod = (date: string, from?: string, to?: string) => (!from || date >= from) && (!to || date <= to);

/** The statement, or undefined when there is no such organisation. */
export async function gatherStatement(ctx: Ctx, query: { donorOrgId: string; from?: string; to?: string }): Promise<Statement | undefined> {
  const donor = await getOrganisation(ctx.db, query.donorOrgId);
  if (!donor) return undefined;
  const actor: Actor | null = ctx.actor;
  const { from, to } = query;
  const instruments = await all((p) => repo.listInstruments(ctx.db, actor, { ...p, donorOrgId: donor.id }));
  const pledgeRows = (await all((p) => repo.listPledges(ctx.db, actor, { ...p, donorOrgId: donor.id }))).filter((p) =>
    inPeriod(p.pledgedOn, from, to),
  );
  const pledges = await service.presentPledges(ctx, pledgeRows);
  const agreements: repo.Agreement[] = [];
  const transactions: ledger.Transaction[] = [];
  for (const instrument of instruments) {
    agreements.push(
      ...(await all((p) => repo.listAgreements(ctx.db, actor, { ...p, instrumentId: instrument.id }))).filter((a) =>
        inPeriod(a.signedOn, from, to),
      ),
    );
    transactions.push(...(await all((p) => ledger.listTransactions(ctx.db, actor, { ...p, instrumentId: instrument.id, from, to }))));
  }
  transactions.sort((a, b) => a.valueDate.localeCompare(b.valueDate) || a.postedAt.getTime() - b.postedAt.getTime());

  // A reversal takes back what it reverses, under that transaction's kind and account.
  const byId = new Map(transactions.map((t) => [t.id, t]));
  for (const t of transactions) {
    if (t.reversesId && !byId.has(t.reversesId)) {
      const original = await ledger.getTransaction(ctx.db, actor, t.reversesId);
      if (original) byId.set(original.id, original);
    }
  }
  const net: { kind: PostingKind; budgetLineId: string | null; payeeOrgId: string | null; cents: bigint }[] = [];
  for (const t of transactions) {
    if (t.kind !== 'reversal')
      net.push({ kind: t.kind, budgetLineId: t.budgetLineId, payeeOrgId: t.payeeOrgId, cents: centsOf(t.amountUsd) });
    else {
      const original = t.reversesId ? byId.get(t.reversesId) : undefined;
      if (original && original.kind !== 'reversal')
        net.push({
          kind: original.kind,
          budgetLineId: original.budgetLineId,
          payeeOrgId: original.payeeOrgId,
          cents: -centsOf(t.amountUsd),
        });
    }
  }

  const lineNames = new Map((await all((p) => repo.listBudgetLines(ctx.db, p))).map((l) => [l.id, `${l.code} ${l.nameEn}`]));
  const payeeNames = new Map<string, string>();
  for (const id of new Set(net.map((n) => n.payeeOrgId).filter((id): id is string => id !== null)))
    payeeNames.set(id, (await getOrganisation(ctx.db, id))?.name ?? id);
  const grouped = (kind: PostingKind, key: 'budgetLineId' | 'payeeOrgId', names: Map<string, string>) => {
    const sums = new Map<string, bigint>();
    for (const n of net) if (n.kind === kind && n[key]) sums.set(n[key]!, (sums.get(n[key]!) ?? 0n) + n.cents);
    return [...sums.entries()]
      .filter(([, cents]) => cents !== 0n)
      .map(([id, cents]) => ({ name: names.get(id) ?? id, usd: usdOf(cents) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  };
  const total = (kind: PostingKind) => usdOf(net.filter((n) => n.kind === kind).reduce((sum, n) => sum + n.cents, 0n));
  const sum = (values: string[]) => usdOf(values.reduce((s, v) => s + centsOf(v), 0n));

  return {
    donorName: donor.name,
    from: from ?? null,
    to: to ?? null,
    generatedAt: new Date(),
    pledges,
    agreements,
    receipts: transactions.filter(
      (t) => t.kind === 'receipt' || (t.kind === 'reversal' && byId.get(t.reversesId ?? '')?.kind === 'receipt'),
    ),
    allocatedByLine: grouped('allocation', 'budgetLineId', lineNames),
    disbursedByPayee: grouped('disbursement', 'payeeOrgId', payeeNames),
    spentByPayee: grouped('expenditure', 'payeeOrgId', payeeNames),
    totals: {
      pledged: sum(pledges.map((p) => p.amountUsd)),
      committed: sum(agreements.map((a) => a.amountUsd)),
      received: total('receipt'),
      allocated: total('allocation'),
      disbursed: total('disbursement'),
      spent: total('expenditure'),
    },
  };
}

/** "1234567.5" as "$1,234,567.50", from the decimal string, exactly. */
/** "1500000.5" as "$1,500,000.50". */
export function dollars(usd: string): string {
  return formatMoney(usd, REPORTING_CURRENCY, 'en');
}

/** "1000000.0000" EUR as "1,000,000.00 EUR": grouped, with the currency's own decimals. */
export function amountIn(amount: string, currency: string): string {
  return `${formatAmount(amount, currency, 'en')} ${currency}`;
}

const TRANCHE_STATE_LABEL = { blocked: 'blocked', expected: 'expected to open', open: 'open', received: 'received' } as const;

/** The statement as a PDF (A4, Helvetica; names outside Latin-1 are shown as sent by the font). */
export function renderStatement(s: Statement): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Funding statement: ${s.donorName}`, Author: 'Concord' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const period = s.from || s.to ? `${s.from ?? 'the start'} to ${s.to ?? 'today'}` : 'all dates';
  doc.font('Helvetica-Bold').fontSize(18).text('Funding statement');
  doc.font('Helvetica').fontSize(12).text(`Donor: ${s.donorName}`);
  doc.text(`Period: ${period}`);
  doc.text(`Generated: ${s.generatedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC`);
  doc.text('Amounts in US dollars at the exchange rate of each transaction.');
  doc.moveDown();

  const heading = (text: string) => doc.moveDown(0.5).font('Helvetica-Bold').fontSize(13).text(text).font('Helvetica').fontSize(10);
  const row = (label: string, value: string) => {
    const y = doc.y;
    doc.text(label, 50, y, { width: 300 });
    const after = doc.y;
    doc.text(value, 355, y, { width: 190, align: 'right' });
    doc.y = Math.max(after, doc.y);
    doc.x = 50;
  };
  const none = () => doc.fillColor('#666').text('None in this period.').fillColor('black');

  heading('Totals');
  row('Pledged (not counted as funding)', dollars(s.totals.pledged));
  row('Committed (signed agreements)', dollars(s.totals.committed));
  row('Received', dollars(s.totals.received));
  row('Allocated to budget lines', dollars(s.totals.allocated));
  row('Disbursed to payees', dollars(s.totals.disbursed));
  row('Reported spent', dollars(s.totals.spent));

  heading('Pledges');
  doc
    .fontSize(9)
    .fillColor('#555')
    .text('A pledge is a promise: it is not counted as funding until the money is received.')
    .fillColor('black')
    .fontSize(10);
  if (!s.pledges.length) none();
  for (const p of s.pledges) {
    doc.font('Helvetica-Bold');
    row(`${p.title} (${p.instrumentName}), pledged ${p.pledgedOn}`, amountIn(p.amount, p.currency));
    doc.font('Helvetica');
    row('  In US dollars; received so far', `${dollars(p.amountUsd)}; ${dollars(p.receivedUsd)}`);
    for (const t of p.tranches) {
      const waits = t.waitsOn.map((c) => c.titleEn).join('; ');
      const hidden = t.hiddenWaitsOn ? `${t.hiddenWaitsOn} condition${t.hiddenWaitsOn === 1 ? '' : 's'} you may not see` : '';
      const all = [waits, hidden].filter(Boolean).join('; ');
      const waiting = t.state === 'blocked' || t.state === 'expected';
      const detail = `${t.opensOn ? ` on ${t.opensOn}` : ''}${waiting && all ? `, waits on ${all}` : ''}`;
      row(`  Tranche ${t.seq}: ${TRANCHE_STATE_LABEL[t.state]}${detail}`, amountIn(t.amount, t.currency));
    }
  }

  heading('Agreements');
  if (!s.agreements.length) none();
  for (const a of s.agreements) row(`${a.reference}, signed ${a.signedOn}`, `${amountIn(a.amount, a.currency)} (${dollars(a.amountUsd)})`);

  heading('Receipts');
  if (!s.receipts.length) none();
  for (const t of s.receipts) {
    const what = t.kind === 'reversal' ? `Reversal: ${t.description}` : t.reference || t.instrumentName;
    row(`${t.valueDate} ${what}`, `${t.kind === 'reversal' ? '-' : ''}${amountIn(t.amount, t.currency)} (${dollars(t.amountUsd)})`);
  }

  heading('Where the money went');
  const list = (title: string, items: { name: string; usd: string }[]) => {
    doc.font('Helvetica-Bold').text(title).font('Helvetica');
    if (!items.length) none();
    for (const item of items) row(`  ${item.name}`, dollars(item.usd));
  };
  list('Allocated, by budget line', s.allocatedByLine);
  list('Disbursed, by payee', s.disbursedByPayee);
  list('Reported spent, by payee', s.spentByPayee);

  doc.end();
  return done;
}
