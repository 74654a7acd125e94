import { z } from 'zod';
import { ORGANISATION_TYPES } from '../../../shared/organisations.ts';
import { PERMISSION_KEYS } from '../../../shared/permissions.ts';
import { email, locale, pageOf, pageQuery, password } from '../../http/schemas.ts';

const countryCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'A two-letter ISO 3166 country code.');

export const organisationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    nameAr: z.string().nullable(),
    type: z.enum(ORGANISATION_TYPES),
    countryCode: z.string().nullable(),
    requireTotp: z.boolean(),
    createdAt: z.date(),
  })
  .meta({ id: 'Organisation' });

// Update schemas are built from shapes without defaults: a default in a PATCH would
// silently reset every field the request does not name.
const organisationFields = z.object({
  name: z.string().trim().min(1).max(200),
  nameAr: z.string().trim().max(200).nullish(),
  type: z.enum(ORGANISATION_TYPES),
  countryCode: countryCode.nullish(),
  requireTotp: z.boolean(),
});

export const organisationCreate = organisationFields.extend({ requireTotp: z.boolean().default(false) }).strict();
export const organisationUpdate = organisationFields.partial().strict();

export const organisationQuery = z.object({
  q: z.string().trim().max(200).optional(),
  type: z.enum(ORGANISATION_TYPES).optional(),
  ...pageQuery,
});

export const organisationPage = pageOf(organisationSchema);

const roleKeys = z.array(z.string().min(1).max(40)).max(20);

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    locale,
    organisation: z.object({ id: z.uuid(), name: z.string(), nameAr: z.string().nullable() }),
    roles: z.array(z.string()),
    disabled: z.boolean(),
    totpEnabled: z.boolean(),
    createdAt: z.date(),
  })
  .meta({ id: 'User' });

export const userCreate = z
  .object({
    email,
    name: z.string().trim().min(1).max(200),
    organisationId: z.uuid(),
    roles: roleKeys.default([]),
    locale: locale.default('en'),
    password,
  })
  .strict();

export const userUpdate = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    organisationId: z.uuid().optional(),
    roles: roleKeys.optional(),
    locale: locale.optional(),
  })
  .strict();

export const userQuery = z.object({
  q: z.string().trim().max(200).optional(),
  organisationId: z.uuid().optional(),
  role: z.string().max(40).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  ...pageQuery,
});

export const userPage = pageOf(userSchema);

export const resetPasswordBody = z.object({ password: password.optional() }).strict();
export const resetPasswordResponse = z.object({ temporaryPassword: z.string() });

const permission = z.enum(PERMISSION_KEYS as [string, ...string[]]);

export const roleSchema = z
  .object({
    key: z.string(),
    nameEn: z.string(),
    nameAr: z.string(),
    description: z.string(),
    permissions: z.array(z.string()),
    builtin: z.boolean(),
  })
  .meta({ id: 'Role' });

export const roleList = z.object({
  items: z.array(roleSchema),
  permissions: z.array(z.object({ key: z.string(), description: z.string() })),
});

const roleFields = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'Lowercase letters, digits and underscores, starting with a letter.'),
  nameEn: z.string().trim().min(1).max(100),
  nameAr: z.string().trim().min(1).max(100),
  description: z.string().trim().max(500),
  permissions: z.array(permission).max(PERMISSION_KEYS.length),
});

export const roleCreate = roleFields.extend({ description: roleFields.shape.description.default('') }).strict();
export const roleUpdate = roleFields.omit({ key: true }).partial().strict();
export const roleParams = z.object({ key: z.string().max(40) });

export const tokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(z.string()),
    createdAt: z.date(),
    lastUsedAt: z.date().nullable(),
    expiresAt: z.date(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiToken' });

export const tokenCreate = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(permission).min(1).max(PERMISSION_KEYS.length),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(366)
      .default(90)
      .describe('Days until the token stops working: 90 unless given, at most 366'),
  })
  .strict();

export const tokenCreated = tokenSchema.extend({ token: z.string() });
