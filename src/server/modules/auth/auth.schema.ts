import { z } from 'zod';
import { email, locale, password, problemResponses } from '../../http/schemas.ts';

export const meSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    locale,
    organisation: z.object({ id: z.uuid(), name: z.string(), nameAr: z.string().nullable(), type: z.string() }),
    roles: z.array(z.string()),
    permissions: z.array(z.string()),
    totpEnabled: z.boolean(),
    mustEnrolTotp: z.boolean(),
  })
  .meta({ id: 'Me' });

export const sessionSchema = z.object({ user: meSchema, csrfToken: z.string().nullable() });

export const signInBody = z.object({
  email,
  password: z.string().min(1, 'Enter your password.').max(1000),
  totp: z.string().trim().max(10).optional(),
});

export const updateMeBody = z.object({ name: z.string().trim().min(1).max(200).optional(), locale: locale.optional() }).strict();
export const changePasswordBody = z.object({ currentPassword: z.string().min(1).max(1000), newPassword: password }).strict();
export const codeBody = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/, 'Six digits.'),
  })
  .strict();
export const enrolResponse = z.object({ secret: z.string(), otpauthUrl: z.string() });

export { problemResponses };
