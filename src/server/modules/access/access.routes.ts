import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { PERMISSIONS } from '../../../shared/permissions.ts';
import { run } from '../../http/context.ts';
import { notFound } from '../../http/problems.ts';
import { notFoundOrHidden } from '../../http/refusals.ts';
import { idParams, problemResponses } from '../../http/schemas.ts';
import * as schema from './access.schema.ts';
import * as service from './access.service.ts';
import * as orgs from './organisations.repo.ts';
import * as roles from './roles.repo.ts';
import * as users from './users.repo.ts';

const roleKey = (role: unknown) => (role as { key: string }).key;

export function accessRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const organisationTags = ['organisations'];
  const userTags = ['users'];
  const roleTags = ['roles'];

  r.get('/api/organisations', {
    config: { access: { permission: 'organisations.read' } },
    schema: {
      tags: organisationTags,
      summary: 'List organisations',
      querystring: schema.organisationQuery,
      response: { 200: schema.organisationPage, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await orgs.listOrganisations(ctx.db, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.get('/api/organisations/:id', {
    config: { access: { permission: 'organisations.read' } },
    schema: {
      tags: organisationTags,
      summary: 'One organisation',
      params: idParams,
      response: { 200: schema.organisationSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => (await orgs.getOrganisation(ctx.db, req.params.id)) ?? Promise.reject(notFound('organisation'))),
  });

  r.post('/api/organisations', {
    config: { access: { permission: 'organisations.manage' }, audit: { action: 'access.organisation.create', entityType: 'organisation' } },
    schema: {
      tags: organisationTags,
      summary: 'Create an organisation',
      body: schema.organisationCreate,
      response: { 201: schema.organisationSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        reply.code(201);
        return service.createOrganisation(ctx, req.body);
      }),
  });

  r.patch('/api/organisations/:id', {
    config: { access: { permission: 'organisations.manage' }, audit: { action: 'access.organisation.update', entityType: 'organisation' } },
    schema: {
      tags: organisationTags,
      summary: 'Change an organisation',
      params: idParams,
      body: schema.organisationUpdate,
      response: { 200: schema.organisationSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.updateOrganisation(ctx, req.params.id, req.body)),
  });

  r.get('/api/users', {
    config: { access: { permission: 'users.read' } },
    schema: {
      tags: userTags,
      summary: 'List the people you work with: your organisation and headquarters (administrators see everyone)',
      querystring: schema.userQuery,
      response: { 200: schema.userPage, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        ...(await users.listUsers(ctx.db, ctx.actor, req.query)),
        page: req.query.page,
        pageSize: req.query.pageSize,
      })),
  });

  r.get('/api/users/:id', {
    config: { access: { permission: 'users.read' } },
    schema: { tags: userTags, summary: 'One user', params: idParams, response: { 200: schema.userSchema, ...problemResponses } },
    handler: (req, reply) =>
      run(
        req,
        reply,
        async (ctx) =>
          (await users.getVisibleUser(ctx.db, ctx.actor, req.params.id)) ??
          Promise.reject(await notFoundOrHidden(ctx.db, 'users', req.params.id, 'user')),
      ),
  });

  r.post('/api/users', {
    config: { access: { permission: 'users.manage' }, audit: { action: 'access.user.create', entityType: 'user' } },
    schema: {
      tags: userTags,
      summary: 'Create a user',
      body: schema.userCreate,
      response: { 201: schema.userSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        reply.code(201);
        return service.createUser(ctx, req.body);
      }),
  });

  r.patch('/api/users/:id', {
    config: { access: { permission: 'users.manage' }, audit: { action: 'access.user.update', entityType: 'user' } },
    schema: {
      tags: userTags,
      summary: 'Change a user',
      params: idParams,
      body: schema.userUpdate,
      response: { 200: schema.userSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.updateUser(ctx, req.params.id, req.body)),
  });

  r.post('/api/users/:id/disable', {
    config: { access: { permission: 'users.manage' }, audit: { action: 'access.user.disable', entityType: 'user' } },
    schema: {
      tags: userTags,
      summary: 'Disable a user: ends their sessions at once',
      params: idParams,
      response: { 200: schema.userSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.setUserDisabled(ctx, req.params.id, true)),
  });

  r.post('/api/users/:id/enable', {
    config: { access: { permission: 'users.manage' }, audit: { action: 'access.user.enable', entityType: 'user' } },
    schema: {
      tags: userTags,
      summary: 'Enable a disabled user',
      params: idParams,
      response: { 200: schema.userSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.setUserDisabled(ctx, req.params.id, false)),
  });

  r.post('/api/users/:id/reset-password', {
    config: {
      access: { permission: 'users.manage' },
      audit: { action: 'access.user.reset-password', entityType: 'user', answerIsSecret: true },
    },
    schema: {
      tags: userTags,
      summary: 'Set a new password (generated when none is given); ends their sessions and revokes their API tokens',
      params: idParams,
      body: schema.resetPasswordBody.optional(),
      response: { 200: schema.resetPasswordResponse, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.resetPassword(ctx, req.params.id, req.body?.password)),
  });

  r.get('/api/roles', {
    config: { access: { permission: 'roles.read' } },
    schema: { tags: roleTags, summary: 'Roles and the permissions they bundle', response: { 200: schema.roleList, ...problemResponses } },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => ({
        items: await roles.listRoles(ctx.db),
        permissions: Object.entries(PERMISSIONS).map(([key, description]) => ({ key, description })),
      })),
  });

  r.post('/api/roles', {
    config: { access: { permission: 'roles.manage' }, audit: { action: 'access.role.create', entityType: 'role', entityId: roleKey } },
    schema: {
      tags: roleTags,
      summary: 'Create a role',
      body: schema.roleCreate,
      response: { 201: schema.roleSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        reply.code(201);
        return service.createRole(ctx, req.body);
      }),
  });

  r.patch('/api/roles/:key', {
    config: { access: { permission: 'roles.manage' }, audit: { action: 'access.role.update', entityType: 'role', entityId: roleKey } },
    schema: {
      tags: roleTags,
      summary: "Change a role's names or permissions",
      params: schema.roleParams,
      body: schema.roleUpdate,
      response: { 200: schema.roleSchema, ...problemResponses },
    },
    handler: (req, reply) => run(req, reply, async (ctx) => service.updateRole(ctx, req.params.key, req.body)),
  });
}
