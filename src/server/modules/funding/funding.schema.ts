/**
 * Request and response schemas of the funding capability. Amounts are decimal strings in
 * their own currency (at most as many decimals as the currency's minor unit) and US
 * dollars as decimal strings with two decimals; update schemas are built from shapes
 * without defaults.
 */
import { z } from 'zod';
import { decimalsOf, isMoneyCurrency, minorDigits } from '../../../shared/money.ts';
import { CLASSIFICATIONS } from '../../../shared/organisations.ts';
import { missionDate, moneyDate } from '../../http/schemas.ts';
import { conditionExpression } from '../conditions/conditions.schema.ts';
import { CONDITION_STATUSES } from '../conditions/expressions.ts';

export const INSTRUMENT_KINDS = ['appropriation', 'security_assistance', 'trust_fund', 'grant', 'in_kind', 'other'] as const;
export const BUDGET_CATEGORIES = [
  'personnel_reimbursement',
  'contingent_equipment',
  'logistics',
  'training_equipment',
  'aid_operations',
  'reconstruction',
  'headquarters',
] as const;
export const POSTING_KINDS = ['receipt', 'allocation', 'disbursement', 'expenditure'] as const;
export const TRANSACTION_KINDS = [...POSTING_KINDS, 'reversal'] as const;
export const TRANCHE_STATES = ['blocked', 'expected', 'open', 'received'] as const;

const dateString = missionDate();
const name = z.string().trim().min(1).max(200);
const text = z.string().trim().max(2000);
const classification = z.enum(CLASSIFICATIONS);
const sharedWith = z.array(z.uuid()).max(100);
export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'An ISO 4217 currency code in capitals, e.g. "USD".')
  .refine(isMoneyCurrency, 'Not an ISO 4217 currency that money can be recorded in.');
/** A positive amount as a decimal string. */
export const amount = z
  .string()
  .regex(/^\d{1,18}(\.\d{1,4})?$/, 'An amount as a decimal string, e.g. "1250000.00".')
  .refine((v) => /[1-9]/.test(v), 'The amount must be more than zero.');
export const usd = z.string();

/** Refuses more decimals than the currency's minor unit (no fractions of a cent). */
export function checkMinorUnits(value: { amount?: string; currency?: string }, ctx: z.RefinementCtx, at: (string | number)[] = []): void {
  if (value.amount === undefined || value.currency === undefined || !isMoneyCurrency(value.currency)) return;
  const digits = minorDigits(value.currency);
  if (decimalsOf(value.amount) > digits)
    ctx.addIssue({ code: 'custom', path: [...at, 'amount'], message: `${value.currency} amounts have at most ${digits} decimals.` });
}

const classifiedOut = { ownerOrgId: z.uuid(), classification, sharedWith: z.array(z.uuid()) };

// --- Exchange rates

export const rateSchema = z.object({
  currency: z.string(),
  rateDate: z.string(),
  usdPerUnit: z.string(),
  source: z.string(),
});
export const rateCreate = z
  .object({
    currency: currency.refine((c) => c !== 'USD', 'USD is the reporting currency; its rate is always 1.'),
    rateDate: moneyDate('An exchange rate'),
    usdPerUnit: z
      .string()
      .regex(/^\d{1,12}(\.\d{1,12})?$/, 'US dollars per unit as a decimal string, e.g. "1.0842".')
      .refine((v) => /[1-9]/.test(v), 'The rate must be more than zero.'),
    source: name,
  })
  .strict();
export const rateQuery = z.object({ currency: z.string().optional() });

// --- Instruments

export const instrumentSchema = z.object({
  id: z.uuid(),
  donorOrgId: z.uuid(),
  donorName: z.string(),
  name: z.string(),
  nameAr: z.string(),
  kind: z.enum(INSTRUMENT_KINDS),
  restrictions: z.array(z.string()),
  reimbursementRateUsd: z.string(),
  source: z.string(),
  illustrative: z.boolean(),
  ...classifiedOut,
  createdAt: z.date(),
  updatedAt: z.date(),
});
const instrumentFields = z.object({
  donorOrgId: z.uuid(),
  name,
  nameAr: z.string().trim().max(200),
  kind: z.enum(INSTRUMENT_KINDS),
  restrictions: z.array(z.string().trim().min(1).max(500)).max(20),
  reimbursementRateUsd: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'US dollars per person per month, e.g. "1428.00".'),
  source: text,
  illustrative: z.boolean(),
  classification,
  sharedWith,
});
export const instrumentCreate = instrumentFields
  .extend({
    nameAr: instrumentFields.shape.nameAr.default(''),
    restrictions: instrumentFields.shape.restrictions.default([]),
    reimbursementRateUsd: instrumentFields.shape.reimbursementRateUsd.default('1428.00'),
    source: text.default(''),
    illustrative: z.boolean().default(false),
    classification: classification.default('mission'),
    sharedWith: sharedWith.default([]),
  })
  .strict();
export const instrumentUpdate = instrumentFields.omit({ donorOrgId: true }).partial().strict();
export const instrumentQuery = z.object({ donorOrgId: z.uuid().optional() });

// --- Budget lines

export const budgetLineSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  nameEn: z.string(),
  nameAr: z.string(),
  category: z.enum(BUDGET_CATEGORIES),
  periodStart: z.string(),
  periodEnd: z.string(),
  originalUsd: z.string(),
  currentUsd: z.string(),
  version: z.number().int(),
  versions: z.array(
    z.object({ version: z.number().int(), amountUsd: z.string(), reason: z.string(), recordedBy: z.string(), recordedAt: z.date() }),
  ),
});
export const budgetLineCreate = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'Letters, digits, dots, dashes and underscores; up to 40.'),
    nameEn: name,
    nameAr: name,
    category: z.enum(BUDGET_CATEGORIES),
    periodStart: dateString,
    periodEnd: dateString,
    amountUsd: z.string().regex(/^\d{1,18}(\.\d{1,2})?$/, 'US dollars as a decimal string, e.g. "250000000.00".'),
  })
  .strict()
  .refine((v) => v.periodEnd >= v.periodStart, { path: ['periodEnd'], message: 'The period must end on or after its start.' });
export const budgetLineQuery = z.object({ category: z.enum(BUDGET_CATEGORIES).optional() });
export const budgetRevisionCreate = z
  .object({
    amountUsd: z.string().regex(/^\d{1,18}(\.\d{1,2})?$/, 'US dollars as a decimal string, e.g. "250000000.00".'),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict();

// --- Pledges and tranches

const waitsOn = z.array(
  z.object({
    id: z.uuid(),
    code: z.string(),
    titleEn: z.string(),
    titleAr: z.string(),
    status: z.enum(CONDITION_STATUSES),
    targetDate: z.string().nullable(),
  }),
);
export const trancheSchema = z.object({
  id: z.uuid(),
  pledgeId: z.uuid(),
  seq: z.number().int(),
  amount: z.string(),
  currency: z.string(),
  amountUsd: z.string(),
  receivedUsd: z.string(),
  expectedOn: z.string().nullable(),
  note: z.string(),
  gate: conditionExpression.nullable(),
  state: z
    .enum(TRANCHE_STATES)
    .describe(
      'The gate state of the conditions capability: blocked (waits on conditions), expected (blocked, due to open on opensOn), open (may be received), or received in full',
    ),
  opensOn: z.string().nullable().describe('When a waiting tranche could open at the earliest, from the target dates of what it waits on'),
  /** Conditions you may see that keep the gate shut. */
  waitsOn,
  hiddenWaitsOn: z.number().int().describe('How many unmet conditions it also waits on that you may not see'),
});
export const trancheInput = z
  .object({
    amount,
    expectedOn: dateString.nullable().default(null),
    note: text.default(''),
    gate: conditionExpression.nullable().default(null),
  })
  .strict();
export const trancheUpdate = z
  .object({ expectedOn: dateString.nullable(), note: text, gate: conditionExpression.nullable() })
  .partial()
  .strict();

export const pledgeSchema = z.object({
  id: z.uuid(),
  instrumentId: z.uuid(),
  instrumentName: z.string(),
  donorOrgId: z.uuid(),
  donorName: z.string(),
  title: z.string(),
  amount: z.string(),
  currency: z.string(),
  amountUsd: z.string(),
  pledgedOn: z.string(),
  earmarks: z.array(z.uuid()),
  source: z.string(),
  illustrative: z.boolean(),
  receivedUsd: z.string(),
  tranches: z.array(trancheSchema),
  ...classifiedOut,
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const pledgeCreate = z
  .object({
    instrumentId: z.uuid(),
    title: name,
    amount,
    currency,
    pledgedOn: moneyDate('A pledge'),
    earmarks: z.array(z.uuid()).max(20).default([]),
    source: text.default(''),
    illustrative: z.boolean().default(false),
    /** Without tranches the pledge is one ungated tranche of its whole amount. */
    tranches: z.array(trancheInput).min(1).max(50).optional(),
    classification: classification.default('mission'),
    sharedWith: sharedWith.default([]),
  })
  .strict()
  .superRefine((value, ctx) => {
    checkMinorUnits(value, ctx);
    for (const [i, tranche] of (value.tranches ?? []).entries())
      checkMinorUnits({ ...tranche, currency: value.currency }, ctx, ['tranches', i]);
  });
export const pledgeUpdate = z
  .object({ title: name, source: text, illustrative: z.boolean(), earmarks: z.array(z.uuid()).max(20), classification, sharedWith })
  .partial()
  .strict();
export const pledgeQuery = z.object({ instrumentId: z.uuid().optional(), donorOrgId: z.uuid().optional() });

// --- Agreements

export const agreementSchema = z.object({
  id: z.uuid(),
  instrumentId: z.uuid(),
  pledgeId: z.uuid().nullable(),
  reference: z.string(),
  amount: z.string(),
  currency: z.string(),
  amountUsd: z.string(),
  signedOn: z.string(),
  source: z.string(),
  illustrative: z.boolean(),
  ...classifiedOut,
  createdAt: z.date(),
});
export const agreementCreate = z
  .object({
    instrumentId: z.uuid(),
    pledgeId: z.uuid().nullable().default(null),
    reference: name,
    amount,
    currency,
    signedOn: moneyDate('An agreement'),
    source: text.default(''),
    illustrative: z.boolean().default(false),
    classification: classification.default('mission'),
    sharedWith: sharedWith.default([]),
  })
  .strict()
  .superRefine(checkMinorUnits);

// --- Ledger

const postingBase = {
  instrumentId: z.uuid(),
  amount,
  currency: currency.default('USD'),
  valueDate: moneyDate('A value date'),
  reference: z.string().trim().max(200).default(''),
  description: text.default(''),
  illustrative: z.boolean().default(false),
};
export const receiptCreate = z
  .object({ ...postingBase, trancheId: z.uuid().nullable().default(null) })
  .strict()
  .superRefine(checkMinorUnits);
export const allocationCreate = z
  .object({ ...postingBase, budgetLineId: z.uuid() })
  .strict()
  .superRefine(checkMinorUnits);
export const disbursementCreate = z
  .object({ ...postingBase, budgetLineId: z.uuid(), payeeOrgId: z.uuid() })
  .strict()
  .superRefine(checkMinorUnits);
export const expenditureCreate = disbursementCreate;
export interface PostingBody {
  instrumentId: string;
  amount: string;
  currency: string;
  valueDate: string;
  reference: string;
  description: string;
  illustrative: boolean;
  budgetLineId?: string;
  payeeOrgId?: string;
  trancheId?: string | null;
}
export const reversalCreate = z
  .object({ reason: z.string().trim().min(1).max(2000), valueDate: moneyDate('A value date').optional() })
  .strict();

export const transactionSchema = z.object({
  id: z.uuid(),
  kind: z.enum(TRANSACTION_KINDS),
  instrumentId: z.uuid(),
  instrumentName: z.string(),
  donorOrgId: z.uuid(),
  budgetLineId: z.uuid().nullable(),
  payeeOrgId: z.uuid().nullable(),
  trancheId: z.uuid().nullable(),
  claimId: z.uuid().nullable(),
  reversesId: z.uuid().nullable(),
  reversedById: z.uuid().nullable(),
  valueDate: z.string(),
  currency: z.string(),
  amount: z.string(),
  usdPerUnit: z.string(),
  amountUsd: z.string(),
  reference: z.string(),
  description: z.string(),
  origin: z.string(),
  illustrative: z.boolean(),
  postedBy: z.string(),
  postedAt: z.date(),
  entries: z.array(
    z.object({
      account: z.enum(['donor', 'fund', 'line', 'payee', 'spent']),
      budgetLineId: z.uuid().nullable(),
      payeeOrgId: z.uuid().nullable(),
      amount: z.string(),
      amountUsd: z.string(),
    }),
  ),
});
export const transactionQuery = z.object({
  kind: z.enum(TRANSACTION_KINDS).optional(),
  instrumentId: z.uuid().optional(),
  budgetLineId: z.uuid().optional(),
  payeeOrgId: z.uuid().optional(),
  from: dateString.optional(),
  to: dateString.optional(),
});

// --- Figures

const figures = z.object({
  pledged: usd,
  committed: usd,
  received: usd,
  allocated: usd,
  disbursed: usd,
  spent: usd,
});
export const overviewQuery = z.object({ from: dateString.optional(), to: dateString.optional() });
export const overviewSchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  currency: z.literal('USD'),
  totals: figures.extend({ budget: usd, gap: usd, cashOnHand: usd }),
  donors: z.array(figures.extend({ donorOrgId: z.uuid(), donorName: z.string(), donorCountryCode: z.string().nullable() })),
  lines: z.array(
    z.object({
      budgetLineId: z.uuid(),
      code: z.string(),
      nameEn: z.string(),
      nameAr: z.string(),
      category: z.enum(BUDGET_CATEGORIES),
      budget: usd,
      allocated: usd,
      disbursed: usd,
      spent: usd,
      gap: usd,
    }),
  ),
  months: z.array(z.object({ month: z.string(), received: usd, allocated: usd, disbursed: usd, spent: usd, cashOnHand: usd })),
  /** Average monthly disbursement over the last three months with any, and months of cash left at that rate. */
  burnRate: usd,
  runwayMonths: z.number().nullable(),
  flows: z.array(
    z.object({
      donorOrgId: z.uuid(),
      instrumentId: z.uuid(),
      budgetLineId: z.uuid().nullable(),
      payeeOrgId: z.uuid().nullable(),
      kind: z.enum(POSTING_KINDS),
      amountUsd: usd,
    }),
  ),
  names: z.record(z.string(), z.string()),
});

export const publicOverviewSchema = overviewSchema.omit({ flows: true, names: true });

// --- The ledger check

const keptAndComputed = { kind: z.string(), instrumentId: z.uuid(), budgetLineId: z.uuid().nullable(), payeeOrgId: z.uuid().nullable() };

export const ledgerCheckSchema = z
  .object({
    status: z.enum(['consistent', 'different']),
    checkedAt: z.date(),
    accounts: z.number().int().describe('Accounts recomputed'),
    months: z.number().int().describe('Monthly figures (month, kind, instrument, line, payee) recomputed'),
    balances: z.array(
      z.object({ accountId: z.uuid(), ...keptAndComputed, keptUsd: usd, fromEntriesUsd: usd.describe('The sum of the account’s entries') }),
    ),
    monthly: z.array(
      z.object({
        month: z.string(),
        ...keptAndComputed,
        keptUsd: usd,
        fromTransactionsUsd: usd,
        keptTransactions: z.number().int(),
        fromTransactions: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'LedgerCheck' });
