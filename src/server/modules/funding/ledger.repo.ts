/**
 * The double-entry ledger. A posting is one transaction with two entries of opposite
 * sign, in USD and in its own currency; the database keeps balances, refuses overdrafts,
 * checks the balance of every transaction at commit and refuses changes (migrations 0004
 * and 0007).
 */
import sql, { join, type Sql } from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import type { Page } from '../conditions/conditions.repo.ts';
import { paging } from '../conditions/conditions.repo.ts';

export type AccountKind = 'donor' | 'fund' | 'line' | 'payee' | 'spent';
export type PostingKind = 'receipt' | 'allocation' | 'disbursement' | 'expenditure';
export type TransactionKind = PostingKind | 'reversal';

/** Where each kind of posting moves money: from the credited account to the debited one. */
export const LEGS: Record<PostingKind, { debit: AccountKind; credit: AccountKind }> = {
  receipt: { debit: 'fund', credit: 'donor' },
  allocation: { debit: 'line', credit: 'fund' },
  disbursement: { debit: 'payee', credit: 'line' },
  expenditure: { debit: 'spent', credit: 'payee' },
};

interface AccountRef {
  kind: AccountKind;
  instrumentId: string;
  budgetLineId: string | null;
  payeeOrgId: string | null;
}

function accountRef(
  kind: AccountKind,
  posting: { instrumentId: string; budgetLineId?: string | null; payeeOrgId?: string | null },
): AccountRef {
  return {
    kind,
    instrumentId: posting.instrumentId,
    budgetLineId: kind === 'donor' || kind === 'fund' ? null : (posting.budgetLineId ?? null),
    payeeOrgId: kind === 'payee' || kind === 'spent' ? (posting.payeeOrgId ?? null) : null,
  };
}

export interface PostingInput {
  kind: PostingKind;
  instrumentId: string;
  budgetLineId?: string | null;
  payeeOrgId?: string | null;
  trancheId?: string | null;
  claimId?: string | null;
  valueDate: string;
  currency: string;
  amount: string;
  usdPerUnit: string;
  amountUsd: string;
  reference?: string;
  description?: string;
  origin?: 'manual' | 'scenario' | 'iati' | 'fts' | 'claim';
  externalRef?: string | null;
  illustrative?: boolean;
  postedBy: string;
}

/** An entry's account: an account reference (found or made as it is posted) or a known account id. */
type LegAccount = AccountRef | { id: string };

interface Leg {
  account: LegAccount;
  sign: 1 | -1;
}

/** A leg as a row of (account_id, sign, kind, budget_line_id, payee_org_id). */
const legSql = ({ account, sign }: Leg): Sql =>
  'id' in account
    ? sql`(select (${account.id}::uuid, ${sign}::int, a.kind, a.budget_line_id, a.payee_org_id)::ledger_leg from ledger_accounts a where a.id = ${account.id}::uuid)`
    : sql`(ledger_account(${account.kind}, ${account.instrumentId}::uuid, ${account.budgetLineId}::uuid, ${account.payeeOrgId}::uuid),
          ${sign}::int, ${account.kind}, ${account.budgetLineId}::uuid, ${account.payeeOrgId}::uuid)::ledger_leg`;

/**
 * One transaction and its entries in one statement (one round trip): the accounts are found
 * or made by ledger_account(), and the entries are inserted in account-id order, so that
 * concurrent postings always lock accounts in the same order and never deadlock.
 */
async function insertTransaction(
  db: Queryable,
  posting: Omit<PostingInput, 'kind'> & { kind: TransactionKind; reversesId?: string | null },
  legs: Leg[],
): Promise<Transaction> {
  const result = await db.query<Transaction>(sql`
    with posted as (
      insert into ledger_transactions (kind, instrument_id, budget_line_id, payee_org_id, tranche_id, claim_id, reverses_id, value_date,
        currency, amount, usd_per_unit, amount_usd, reference, description, origin, external_ref, illustrative, posted_by)
      values (${posting.kind}, ${posting.instrumentId}::uuid, ${posting.budgetLineId ?? null}::uuid, ${posting.payeeOrgId ?? null}::uuid,
        ${posting.trancheId ?? null}::uuid, ${posting.claimId ?? null}::uuid, ${posting.reversesId ?? null}::uuid, ${posting.valueDate}::date,
        ${posting.currency}, ${posting.amount}::numeric, ${posting.usdPerUnit}::numeric, ${posting.amountUsd}::numeric,
        ${posting.reference ?? ''}, ${posting.description ?? ''}, ${posting.origin ?? 'manual'}, ${posting.externalRef ?? null},
        ${posting.illustrative ?? false}, ${posting.postedBy})
      returning *
    ), legs as materialized (
      select (l).* from (values ${join(legs.map((leg) => sql`(${legSql(leg)})`))}) v(l)
    ), entries as (
      insert into ledger_entries (transaction_id, account_id, amount, amount_usd)
      select posted.id, legs.account_id, legs.sign * ${posting.amount}::numeric, legs.sign * ${posting.amountUsd}::numeric
      from posted, legs order by legs.account_id
      returning transaction_id, account_id, amount, amount_usd
    )
    -- Accounts ledger_account() made in this statement are not visible to the rest of it: the legs say what they are.
    select ${transactionColumns(sql`(select e.transaction_id, e.amount, e.amount_usd, l.kind, l.budget_line_id, l.payee_org_id
      from entries e join legs l on l.account_id = e.account_id)`)}
    from posted t join funding_instruments i on i.id = t.instrument_id`);
  return result.rows[0];
}

/** Posts one balanced money movement, and answers it as the ledger lists it; the database refuses it if an account would go short. */
export async function post(db: Queryable, posting: PostingInput): Promise<Transaction> {
  const { debit, credit } = LEGS[posting.kind];
  return insertTransaction(db, posting, [
    { account: accountRef(debit, posting), sign: 1 },
    { account: accountRef(credit, posting), sign: -1 },
  ]);
}

/** Posts the mirror image of a transaction; a transaction can be reversed once. */
export async function reverse(
  db: Queryable,
  original: Transaction,
  input: { valueDate: string; reason: string; postedBy: string },
): Promise<Transaction> {
  const legs = (
    await db.query<{ accountId: string; sign: number }>(sql`
      select account_id as "accountId", sign(amount_usd)::int as sign from ledger_entries where transaction_id = ${original.id}::uuid`)
  ).rows.map((e): Leg => ({ account: { id: e.accountId }, sign: e.sign > 0 ? -1 : 1 }));
  return insertTransaction(
    db,
    {
      ...original,
      kind: 'reversal',
      reversesId: original.id,
      trancheId: null,
      claimId: null,
      externalRef: null,
      valueDate: input.valueDate,
      description: input.reason,
      origin: 'manual',
      postedBy: input.postedBy,
    },
    legs,
  );
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
  postedAt: Date;
  entries: { account: AccountKind; budgetLineId: string | null; payeeOrgId: string | null; amount: string; amountUsd: string }[];
}

/**
 * A transaction as the ledger lists it (`t` its row, `i` its instrument). `entries` gives its
 * entries with their accounts (transaction_id, amount, amount_usd, kind, budget_line_id,
 * payee_org_id): from the tables, or from what a posting statement has just inserted, which
 * the rest of that statement cannot read from the tables.
 */
const transactionColumns = (
  entries: Sql = sql`(select e.transaction_id, e.amount, e.amount_usd, a.kind, a.budget_line_id, a.payee_org_id
    from ledger_entries e join ledger_accounts a on a.id = e.account_id)`,
) => sql`t.id, t.kind, t.instrument_id as "instrumentId", i.name as "instrumentName", i.donor_org_id as "donorOrgId",
  t.budget_line_id as "budgetLineId", t.payee_org_id as "payeeOrgId", t.tranche_id as "trancheId", t.claim_id as "claimId",
  t.reverses_id as "reversesId", (select r.id from ledger_transactions r where r.reverses_id = t.id) as "reversedById",
  t.value_date::text as "valueDate", t.currency, t.amount::text, t.usd_per_unit::text as "usdPerUnit", t.amount_usd::text as "amountUsd",
  t.reference, t.description, t.origin, t.illustrative, t.posted_by as "postedBy", t.posted_at as "postedAt",
  (select json_agg(json_build_object('account', x.kind, 'budgetLineId', x.budget_line_id, 'payeeOrgId', x.payee_org_id,
     'amount', x.amount::text, 'amountUsd', x.amount_usd::text) order by x.amount_usd desc)
   from ${entries} x where x.transaction_id = t.id) as entries`;
const transactionFrom = sql`from ledger_transactions t join funding_instruments i on i.id = t.instrument_id`;

export interface TransactionFilter extends Page {
  kind?: TransactionKind;
  instrumentId?: string;
  budgetLineId?: string;
  payeeOrgId?: string;
  from?: string;
  to?: string;
}

export async function listTransactions(db: Queryable, actor: Actor | null, filter: TransactionFilter) {
  const where: Sql[] = [visibleTo(actor, 'i')];
  if (filter.kind) where.push(sql`t.kind = ${filter.kind}`);
  if (filter.instrumentId) where.push(sql`t.instrument_id = ${filter.instrumentId}::uuid`);
  if (filter.budgetLineId) where.push(sql`t.budget_line_id = ${filter.budgetLineId}::uuid`);
  if (filter.payeeOrgId) where.push(sql`t.payee_org_id = ${filter.payeeOrgId}::uuid`);
  if (filter.from) where.push(sql`t.value_date >= ${filter.from}::date`);
  if (filter.to) where.push(sql`t.value_date <= ${filter.to}::date`);
  const clause = sql`where ${join(where, ' and ')}`;
  const [items, count] = await Promise.all([
    db.query<Transaction>(
      sql`select ${transactionColumns()} ${transactionFrom} ${clause} order by t.posted_at desc, t.id ${paging(filter)}`,
    ),
    db.query<{ total: number }>(sql`select count(*) as total ${transactionFrom} ${clause}`),
  ]);
  return { items: items.rows, total: count.rows[0].total };
}

export async function getTransaction(db: Queryable, actor: Actor | null, id: string): Promise<Transaction | undefined> {
  return (
    await db.query<Transaction>(
      sql`select ${transactionColumns()} ${transactionFrom} where t.id = ${id}::uuid and ${visibleTo(actor, 'i')}`,
    )
  ).rows[0];
}
