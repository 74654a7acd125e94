/**
 * Organisations, users and roles: domain rules. Permission checks happen before this
 * (route access), who sees whom in access.policy.ts; what remains here are the rules that
 * depend on the data. Each route declares its audit entry; a change adds its state before.
 */

import { PERMISSION_KEYS } from '../../../shared/permissions.ts';
import type { Ctx } from '../../http/context.ts';
import { invalid, notFound, Problem } from '../../http/problems.ts';
import { deleteUserSessions, revokeUserTokens } from '../auth/auth.repo.ts';
import { generatePassword, hashPassword } from '../auth/credentials.ts';
import { checkPassword } from '../auth/passwords.ts';
import * as orgs from './organisations.repo.ts';
import * as roles from './roles.repo.ts';
import * as users from './users.repo.ts';

export async function createOrganisation(ctx: Ctx, input: orgs.OrganisationInput) {
  return orgs.insertOrganisation(ctx.db, input);
}

export async function updateOrganisation(ctx: Ctx, id: string, input: Partial<orgs.OrganisationInput>) {
  const before = await orgs.getOrganisation(ctx.db, id);
  if (!before) throw notFound('organisation');
  ctx.auditDetails({ before });
  return orgs.updateOrganisation(ctx.db, id, input);
}

async function checkRoles(ctx: Ctx, keys: string[]) {
  const unknown = await roles.unknownRoles(ctx.db, keys);
  if (unknown.length) {
    throw invalid(
      unknown.map((key) => ({ pointer: `/roles/${keys.indexOf(key)}`, detail: `No role "${key}".` })),
      'Some roles do not exist.',
    );
  }
}

async function checkOrganisation(ctx: Ctx, organisationId: string) {
  if (!(await orgs.getOrganisation(ctx.db, organisationId))) {
    throw invalid([{ pointer: '/organisationId', detail: 'No such organisation.' }]);
  }
}

export async function createUser(
  ctx: Ctx,
  input: { email: string; name: string; organisationId: string; roles: string[]; locale: string; password: string },
) {
  checkPassword(input.password, [input.email, input.name], '/password');
  await checkOrganisation(ctx, input.organisationId);
  await checkRoles(ctx, input.roles);
  const id = await users.insertUser(ctx.db, { ...input, passwordHash: await hashPassword(input.password) });
  await users.setUserRoles(ctx.db, id, [...new Set(input.roles)]);
  return (await users.getUser(ctx.db, id))!;
}

async function existingUser(ctx: Ctx, id: string) {
  const user = await users.getUser(ctx.db, id);
  if (!user) throw notFound('user');
  return user;
}

export async function updateUser(
  ctx: Ctx,
  id: string,
  input: { name?: string; organisationId?: string; roles?: string[]; locale?: string },
) {
  const before = await existingUser(ctx, id);
  if (input.organisationId) await checkOrganisation(ctx, input.organisationId);
  if (input.roles) {
    await checkRoles(ctx, input.roles);
    if (id === ctx.actor?.userId && !input.roles.includes('admin') && before.roles.includes('admin')) {
      throw new Problem('resource.conflict', 'You cannot remove your own administrator role.');
    }
    await users.setUserRoles(ctx.db, id, [...new Set(input.roles)]);
  }
  await users.updateUser(ctx.db, id, input);
  ctx.auditDetails({ before });
  return (await users.getUser(ctx.db, id))!;
}

export async function setUserDisabled(ctx: Ctx, id: string, disabled: boolean) {
  const before = await existingUser(ctx, id);
  if (disabled && id === ctx.actor?.userId) throw new Problem('resource.conflict', 'You cannot disable your own account.');
  await users.setDisabled(ctx.db, id, disabled);
  // Disabling ends every session at once; tokens stop working because lookups check the flag.
  const endedSessions = disabled ? await deleteUserSessions(ctx.db, id) : 0;
  const after = (await users.getUser(ctx.db, id))!;
  ctx.auditDetails({ action: disabled ? 'access.user.disable' : 'access.user.enable', before, after: { ...after, endedSessions } });
  return after;
}

/** A new password (generated when none is given): every session of the user ends and every API token is revoked. */
export async function resetPassword(ctx: Ctx, id: string, password?: string) {
  const user = await existingUser(ctx, id);
  if (password !== undefined) checkPassword(password, [user.email, user.name], '/password');
  const temporaryPassword = password ?? generatePassword();
  await users.setPasswordHash(ctx.db, id, await hashPassword(temporaryPassword));
  const endedSessions = await deleteUserSessions(ctx.db, id);
  const revokedTokens = await revokeUserTokens(ctx.db, id);
  ctx.auditDetails({ entityId: id, after: { endedSessions, revokedTokens } });
  return { temporaryPassword };
}

export async function createRole(ctx: Ctx, input: Omit<roles.Role, 'builtin'>) {
  return roles.insertRole(ctx.db, { ...input, permissions: [...new Set(input.permissions)] });
}

export async function updateRole(ctx: Ctx, key: string, changes: Partial<Omit<roles.Role, 'key' | 'builtin'>>) {
  const before = await roles.getRole(ctx.db, key);
  if (!before) throw notFound('role');
  if (key === 'admin' && changes.permissions && PERMISSION_KEYS.some((p) => !changes.permissions!.includes(p))) {
    throw new Problem('resource.conflict', 'The administrator role always holds every permission.');
  }
  ctx.auditDetails({ before });
  return (await roles.updateRole(ctx.db, key, {
    ...changes,
    ...(changes.permissions ? { permissions: [...new Set(changes.permissions)] } : {}),
  }))!;
}
