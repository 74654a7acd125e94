/**
 * Request and response schemas of reimbursement claims and the contingent strength figures
 * they are computed from. Months are "YYYY-MM"; US dollars are decimal strings with two
 * decimals.
 */
import { z } from 'zod';
import { CLASSIFICATIONS } from '../../../shared/organisations.ts';
import { moneyDate } from '../../http/schemas.ts';

export const CLAIM_STATUSES = ['drafted', 'submitted', 'verified', 'approved', 'paid', 'rejected'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
export const LEASES = ['wet', 'dry'] as const;

export const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A month, YYYY-MM.')
  .refine((m) => m >= '2000-01' && m <= '2100-12', 'A month of the mission, from 2000-01 to 2100-12.');
const contingent = z.string().trim().min(1).max(200);
const personnelDays = z.number().int().min(0).max(100_000_000);
const usdRate = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'US dollars as a decimal string with at most two decimals, e.g. "5200.00".');

// --- Strengths

export const strengthSchema = z.object({
  countryOrgId: z.uuid(),
  countryName: z.string(),
  contingent: z.string(),
  month: z.string(),
  personnelDays: z.number().int(),
  source: z.string(),
  recordedAt: z.date(),
});
export const strengthPut = z
  .object({
    countryOrgId: z.uuid().optional(),
    contingent,
    month,
    personnelDays,
  })
  .strict();
export const strengthQuery = z.object({
  countryOrgId: z.uuid().optional(),
  contingent: z.string().optional(),
  month: month.optional(),
});
export const strengthImport = z.union([
  z.string().max(2_000_000),
  z.object({ csv: z.string().max(2_000_000), countryOrgId: z.uuid().optional() }).strict(),
]);
export const strengthImportQuery = z.object({ countryOrgId: z.uuid().optional() });
export const importResult = z.object({
  imported: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  refused: z.array(z.object({ line: z.number().int(), reason: z.string() })),
});

// --- Claims

export const equipmentLineIn = z
  .object({
    description: z.string().trim().min(1).max(500),
    lease: z.enum(LEASES),
    quantity: z.number().int().min(1).max(1_000_000),
    monthlyRateUsd: usdRate,
  })
  .strict();

export const claimSchema = z.object({
  id: z.uuid(),
  countryOrgId: z.uuid(),
  countryName: z.string(),
  contingent: z.string(),
  month: z.string(),
  instrumentId: z.uuid(),
  instrumentName: z.string(),
  budgetLineId: z.uuid(),
  budgetLineCode: z.string(),
  personnelDays: z.number().int(),
  daysInMonth: z.number().int(),
  rateUsd: z.string(),
  personnelUsd: z.string(),
  equipmentUsd: z.string(),
  totalUsd: z.string(),
  status: z.enum(CLAIM_STATUSES),
  paidTransactionId: z.uuid().nullable(),
  ownerOrgId: z.uuid(),
  classification: z.enum(CLASSIFICATIONS),
  sharedWith: z.array(z.uuid()),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const claimDetailSchema = claimSchema.extend({
  equipment: z.array(
    z.object({
      id: z.uuid(),
      description: z.string(),
      lease: z.enum(LEASES),
      quantity: z.number().int(),
      monthlyRateUsd: z.string(),
      amountUsd: z.string(),
    }),
  ),
  events: z.array(z.object({ status: z.string(), note: z.string(), recordedBy: z.string(), recordedAt: z.date() })),
  /** The statuses the caller may move this claim to now. */
  transitions: z.array(z.enum(CLAIM_STATUSES)),
});

const claimFields = z.object({
  countryOrgId: z.uuid(),
  contingent,
  month,
  instrumentId: z.uuid(),
  budgetLineId: z.uuid(),
  personnelDays,
  equipment: z.array(equipmentLineIn).max(200),
  classification: z.enum(CLASSIFICATIONS),
  sharedWith: z.array(z.uuid()).max(100),
});
export const claimCreate = claimFields
  .partial({ countryOrgId: true, personnelDays: true })
  .extend({
    equipment: claimFields.shape.equipment.default([]),
    classification: claimFields.shape.classification.default('mission'),
    sharedWith: claimFields.shape.sharedWith.default([]),
  })
  .strict();
export const claimUpdate = claimFields.omit({ countryOrgId: true, contingent: true, month: true }).partial().strict();
export const claimQuery = z.object({
  status: z.enum(CLAIM_STATUSES).optional(),
  countryOrgId: z.uuid().optional(),
  month: month.optional(),
});
export const transitionCreate = z
  .object({
    to: z.enum(CLAIM_STATUSES),
    note: z.string().trim().max(2000).default(''),
    valueDate: moneyDate('A value date').optional(),
  })
  .strict();

// --- Separation of duties

const dutyFields = {
  claimPayerNotSubmitter: z.boolean().describe('Whoever submitted a claim may not pay it'),
  claimPayerNotApprover: z.boolean().describe('Whoever approved a claim may not pay it'),
  claimApproverNotVerifier: z.boolean().describe('Whoever verified a claim may not approve it'),
};

export const separationOfDutiesSchema = z
  .object({ ...dutyFields, updatedAt: z.date(), updatedBy: z.string() })
  .describe("This mission's rules; that no one of a claiming country verifies, approves, rejects or pays its claim always holds")
  .meta({ id: 'SeparationOfDuties' });

export const separationOfDutiesUpdate = z.object(dutyFields).partial().strict();
