/**
 * Request and response schemas for stakeholders, positions, conditions, evidence,
 * commitments and the analysis. Update schemas are built from shapes without defaults:
 * under .partial() a default would reset what a PATCH leaves out.
 */
import { z } from 'zod';
import { CLASSIFICATIONS } from '../../../shared/organisations.ts';
import { asOfDate, missionDate, pageOf, pastDate } from '../../http/schemas.ts';
import { STAKEHOLDER_KINDS, STANCES } from './conditions.repo.ts';
import { CONDITION_STATUSES, DIMENSIONS, expressionSchemaOf } from './expressions.ts';
import { HIDDEN, HIDDEN_DESCRIPTION } from './hidden-conditions.ts';

export const dateString = asOfDate();
const name = z.string().trim().min(1).max(200);
const longText = z.string().trim().max(5000);
const source = z.string().trim().min(1).max(2000);
const url = z.url().max(2000);
const classification = z.enum(CLASSIFICATIONS);
const sharedWith = z.array(z.uuid()).max(100);
const count = z.number().int().min(0).max(1_000_000_000);
export const money = z
  .string()
  .regex(/^\d{1,18}(\.\d{1,2})?$/, 'US dollars as a decimal string with at most two decimals, e.g. "10000000000.00".');

const conditionLeaf = z
  .string()
  .refine((leaf) => leaf === HIDDEN || z.uuid().safeParse(leaf).success, 'A condition id (a UUID), or "hidden" for one you cannot see.');

/** An AND/OR expression over condition ids, where "hidden" stands for a condition the caller cannot see (hidden-conditions.ts). */
export const conditionExpression = expressionSchemaOf(conditionLeaf).describe(HIDDEN_DESCRIPTION).meta({ id: 'ConditionExpression' });

const classifiedOut = { ownerOrgId: z.uuid(), classification, sharedWith: z.array(z.uuid()) };
const stamps = { createdAt: z.date(), updatedAt: z.date() };

// --- Stakeholders

export const stakeholderSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  nameAr: z.string(),
  kind: z.enum(STAKEHOLDER_KINDS),
  organisationId: z.uuid().nullable(),
  ...classifiedOut,
  ...stamps,
});

const stakeholderFields = z.object({
  name,
  nameAr: z.string().trim().max(200),
  kind: z.enum(STAKEHOLDER_KINDS),
  organisationId: z.uuid().nullable(),
  classification,
  sharedWith,
});

export const stakeholderCreate = stakeholderFields
  .extend({
    nameAr: stakeholderFields.shape.nameAr.default(''),
    organisationId: stakeholderFields.shape.organisationId.default(null),
    classification: classification.default('mission'),
    sharedWith: sharedWith.default([]),
  })
  .strict();
export const stakeholderUpdate = stakeholderFields.partial().strict();

// --- Positions

export const positionSchema = z.object({
  id: z.uuid(),
  stakeholderId: z.uuid(),
  conditionId: z.uuid().nullable(),
  topic: z.string().nullable(),
  stance: z.enum(STANCES),
  statedOn: z.string(),
  source: z.string(),
  sourceUrl: z.string().nullable(),
  note: z.string(),
  ...classifiedOut,
  createdAt: z.date(),
});

export const positionCreate = z
  .object({
    conditionId: z.uuid().optional(),
    topic: z.string().trim().min(1).max(200).optional(),
    stance: z.enum(STANCES),
    statedOn: pastDate('A stance'),
    source,
    sourceUrl: url.optional(),
    note: longText.default(''),
    classification: classification.default('mission'),
    sharedWith: sharedWith.default([]),
  })
  .strict()
  .refine((p) => (p.conditionId === undefined) !== (p.topic === undefined), {
    message: 'Give either a conditionId or a topic, not both.',
    path: ['topic'],
  });

export const positionQuery = z.object({ asOf: dateString.optional() });

// --- Conditions

const values = z.object({
  money_usd: z.string().describe('US dollars, exact decimal'),
  personnel: z.number().int(),
  aid_trucks_per_day: z.number().int(),
  projects: z.number().int(),
});

export const conditionSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  titleEn: z.string(),
  titleAr: z.string(),
  descriptionEn: z.string(),
  descriptionAr: z.string(),
  status: z.enum(CONDITION_STATUSES),
  targetDate: z.string().nullable(),
  requires: conditionExpression.nullable(),
  stakeholderIds: z.array(z.uuid()),
  ...classifiedOut,
  ...stamps,
});

// What a condition stands in front of, in one sentence each: the API documentation of the
// measures, the same words as the web app's.
export const MEASURES = {
  heldBack: 'Blocked gates that cannot open while this condition is unmet, whatever else is met: what it holds back on its own.',
  inUnlockingSets:
    'Blocked gates this condition is part of at least one smallest way to open (a minimal unlocking set), alone or with others: what it holds back together with others; the long pole ranks by it.',
  unlocks: 'Blocked gates that would open if this condition alone were met now, everything else as it is.',
} as const;

const heldBack = values.describe(MEASURES.heldBack);
const inUnlockingSets = values.describe(MEASURES.inUnlockingSets);
const unlocks = values.describe(MEASURES.unlocks);

export const conditionListItem = conditionSchema.extend({ heldBack, inUnlockingSets });

export const evidenceSchema = z.object({
  id: z.uuid(),
  conditionId: z.uuid(),
  datedOn: z.string(),
  status: z.enum(CONDITION_STATUSES),
  source: z.string(),
  sourceUrl: z.string().nullable(),
  note: z.string(),
  recordedBy: z.string(),
  recordedAt: z.date(),
});

export const conditionDetail = conditionSchema.extend({
  effective: z.boolean(),
  heldBack,
  inUnlockingSets,
  unlocks,
  heldBackGateCount: z.number().int().describe('How many gates it holds back: GET /api/conditions/{id}/gates lists them'),
  inUnlockingSetsGateCount: z.number().int().describe('How many gates it is in a minimal unlocking set of: relation=inUnlockingSets'),
  unlocksGateCount: z.number().int().describe('How many gates marking it met alone would open'),
  evidence: z.array(evidenceSchema),
});

const conditionFields = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'Lowercase letters, digits and dashes.'),
  titleEn: name,
  titleAr: name,
  descriptionEn: longText,
  descriptionAr: longText,
  targetDate: missionDate('A target date').nullable(),
  requires: conditionExpression.nullable(),
  stakeholderIds: z.array(z.uuid()).max(50),
  classification,
  sharedWith,
});

export const conditionCreate = conditionFields
  .extend({
    descriptionEn: longText.default(''),
    descriptionAr: longText.default(''),
    targetDate: conditionFields.shape.targetDate.default(null),
    requires: conditionFields.shape.requires.default(null),
    stakeholderIds: conditionFields.shape.stakeholderIds.default([]),
    classification: classification.default('mission'),
    sharedWith: sharedWith.default([]),
  })
  .strict();
export const conditionUpdate = conditionFields.partial().strict();

export const conditionQuery = z.object({ status: z.enum(CONDITION_STATUSES).optional(), q: z.string().trim().max(200).optional() });

export const evidenceCreate = z
  .object({
    datedOn: pastDate('Evidence'),
    status: z.enum(CONDITION_STATUSES),
    source,
    sourceUrl: url.optional(),
    note: longText.default(''),
  })
  .strict();

// --- Commitments

export const commitmentSchema = z.object({
  id: z.uuid(),
  stakeholderId: z.uuid(),
  titleEn: z.string(),
  titleAr: z.string(),
  description: z.string(),
  moneyUsd: z.string().describe('US dollars, exact decimal'),
  personnel: z.number().int(),
  aidTrucksPerDay: z.number().int(),
  projects: z.number().int(),
  source: z.string(),
  illustrative: z.boolean(),
  gate: conditionExpression.nullable(),
  ...classifiedOut,
  ...stamps,
});

const commitmentFields = z.object({
  stakeholderId: z.uuid(),
  titleEn: name,
  titleAr: name,
  description: longText,
  moneyUsd: money,
  personnel: count,
  aidTrucksPerDay: count,
  projects: count,
  source: z.string().trim().max(2000),
  illustrative: z.boolean(),
  gate: conditionExpression.nullable(),
  classification,
  sharedWith,
});

export const commitmentCreate = commitmentFields
  .extend({
    description: longText.default(''),
    moneyUsd: money.default('0'),
    personnel: count.default(0),
    aidTrucksPerDay: count.default(0),
    projects: count.default(0),
    source: commitmentFields.shape.source.default(''),
    illustrative: z.boolean().default(false),
    gate: commitmentFields.shape.gate.default(null),
    classification: classification.default('mission'),
    sharedWith: sharedWith.default([]),
  })
  .strict();
export const commitmentUpdate = commitmentFields.partial().strict();

export const commitmentQuery = z.object({ stakeholderId: z.uuid().optional(), q: z.string().trim().max(200).optional() });

// --- Analysis

const opening = z.object({ kind: z.enum(['open', 'expected', 'unknown', 'never']), date: z.string().optional() });
const dimensionEnum = z.enum(DIMENSIONS);

export const analysisQuery = z.object({ asOf: dateString.optional() });

const gateCount = z.number().int();

export const analysisSchema = z.object({
  asOf: z.string().nullable(),
  totals: z.object({
    open: values,
    blocked: values,
    blockedOnlyByHidden: values.describe(
      'The part of blocked that waits only on conditions you may not see: no condition you may see is in any of its minimal unlocking sets',
    ),
  }),
  gateCounts: z.object({
    open: gateCount,
    blocked: gateCount,
    unlockingSetsTruncated: gateCount.describe(
      'Blocked gates with more ways to open than the 64 minimal unlocking sets worked out for each: for them, inUnlockingSets may leave out a condition',
    ),
  }),
  conditions: z.array(
    z.object({
      id: z.uuid(),
      code: z.string(),
      titleEn: z.string(),
      titleAr: z.string(),
      status: z.enum(CONDITION_STATUSES),
      effective: z.boolean(),
      heldBack,
      heldBackDirectly: values.describe('The part of heldBack from gates that name the condition themselves, not through requirements'),
      inUnlockingSets,
      unlocks,
      heldBackGateCount: gateCount.describe('GET /api/conditions/{id}/gates?relation=heldBack lists them'),
      inUnlockingSetsGateCount: gateCount.describe('GET /api/conditions/{id}/gates?relation=inUnlockingSets lists them'),
      unlocksGateCount: gateCount.describe('GET /api/conditions/{id}/gates?relation=unlocks lists them'),
    }),
  ),
  longPole: z
    .record(
      dimensionEnum,
      z.object({
        conditions: z.array(z.object({ id: z.uuid(), code: z.string(), titleEn: z.string(), inUnlockingSets, heldBack })),
        stakeholders: z.array(
          z.object({
            id: z.uuid(),
            name: z.string(),
            nameAr: z.string(),
            inUnlockingSets: values.describe('Blocked gates with one of their conditions in a minimal unlocking set, each counted once'),
            heldBack: values.describe('Blocked gates that one of their conditions holds back on its own, each counted once'),
          }),
        ),
      }),
    )
    .describe(
      'Per dimension, the conditions and stakeholders by inUnlockingSets, most first, then by heldBack: every blocked gate counts for at least one condition',
    ),
});

/** A gate in the analysis; labels come from the gated subject (null when it has none, labelAr when it has no Arabic one). */
export const gateSchema = z.object({
  id: z.uuid(),
  subjectType: z.string(),
  subjectId: z.uuid(),
  label: z.string().nullable(),
  labelAr: z.string().nullable(),
  values,
  open: z.boolean(),
  heldBackBy: z.array(z.uuid()).describe('The conditions you may see that hold it back: those in every minimal unlocking set'),
  unlockedBy: z.array(z.uuid()).describe('The conditions you may see each of which, met alone, would open it'),
  unlockingSets: z
    .array(
      z.object({
        conditionIds: z.array(z.uuid()).describe('The conditions you may see in this set'),
        includesHidden: z.boolean().describe('The set also needs conditions you may not see (how many is not shown)'),
      }),
    )
    .describe(
      'Empty when open. Otherwise its minimal unlocking sets, fewest conditions first: it opens when all the conditions of any one set are met, and no set can do without any of its conditions',
    ),
  unlockingSetsTruncated: z
    .boolean()
    .describe('Not all its minimal unlocking sets may be listed: at most 64 are worked out, and its expression has more ways than that'),
});

export const gateListQuery = z.object({
  asOf: dateString.optional(),
  open: z.enum(['true', 'false']).optional(),
  subjectType: z.string().trim().min(1).max(100).optional(),
  subjectId: z.uuid().optional(),
});

export const conditionGatesQuery = z.object({
  relation: z
    .enum(['heldBack', 'inUnlockingSets', 'unlocks'])
    .default('heldBack')
    .describe(
      'heldBack: the gates it holds back on its own; inUnlockingSets: those it is in a minimal unlocking set of; unlocks: those it opens alone',
    ),
  asOf: dateString.optional(),
});

export const whatIfBody = z
  .object({
    statuses: z.record(z.uuid(), z.enum(CONDITION_STATUSES)),
    asOf: dateString.optional(),
    gateLimit: z.number().int().min(0).max(500).default(50).describe('How many of the gates that open (and close) to list, largest first'),
  })
  .strict();

const gateChange = z.object({
  count: z.number().int(),
  gates: z.array(
    z.object({
      id: z.uuid(),
      subjectType: z.string(),
      subjectId: z.uuid(),
      label: z.string().nullable(),
      labelAr: z.string().nullable(),
      values,
    }),
  ),
});

export const whatIfSchema = z.object({
  opened: gateChange,
  closed: gateChange,
  gained: values,
  lost: values,
  nowEffective: z.array(z.string()),
  noLongerEffective: z.array(z.string()),
});

export const earliestSchema = z.object({
  conditions: z.array(z.object({ id: z.uuid(), code: z.string(), targetDate: z.string().nullable(), opening })),
  gates: pageOf(z.object({ id: z.string(), subjectType: z.string(), subjectId: z.string(), label: z.string().nullable(), opening })),
});
