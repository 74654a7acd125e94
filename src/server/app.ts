/**
 * Builds the Fastify application: plugins, the authentication hook, every module's
 * routes, the OpenAPI document, the web app's static files, and the one error handler
 * that turns anything thrown into an RFC 9457 problem.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { databaseErrorToProblem } from './db/errors.ts';
import { registerAuthentication } from './http/authenticate.ts';
import './http/fastify-types.ts';
import { type FieldError, Problem } from './http/problems.ts';
import { isLoggedRefusal, logRefusal } from './http/refusals.ts';
import { serializerCompiler } from './http/serialize.ts';
import { decodeUtf8, refuseIllFormed, refuseUndecodableQuery } from './http/text.ts';
import { accessRoutes } from './modules/access/access.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { tokenRoutes } from './modules/auth/tokens.ts';
import { commitmentSubject } from './modules/conditions/commitments.repo.ts';
import { conditionsRoutes } from './modules/conditions/conditions.routes.ts';
import { ConditionsRuntime } from './modules/conditions/gate-state.ts';
import { GatedSubjects } from './modules/conditions/gates.ts';
import { graphRoutes } from './modules/conditions/graph.routes.ts';
import { claimsRoutes } from './modules/funding/claims.routes.ts';
import { fundingExportRoutes } from './modules/funding/exports.routes.ts';
import { fundingRoutes } from './modules/funding/funding.routes.ts';
import { fundingImportRoutes } from './modules/funding/imports.routes.ts';
import { statementRoutes } from './modules/funding/statement.routes.ts';
import { trancheSubject } from './modules/funding/tranches.ts';
import { geoRoutes } from './modules/geo/geo.routes.ts';
import { systemRoutes } from './modules/health/system.routes.ts';
import { securityRoutes } from './modules/security/security.routes.ts';

/**
 * Every type of object that can wait on conditions, one per capability that has them. The
 * conditions capability reads their values and labels through these; the server refuses to
 * start while the database holds gates of a type not listed here.
 */
export const GATED_SUBJECT_TYPES = [commitmentSubject, trancheSubject];

export interface RouteEntry {
  method: string;
  url: string;
  access: NonNullable<import('fastify').FastifyContextConfig['access']>;
  /** A POST that writes nothing (see FastifyContextConfig.readOnly). */
  readOnly?: boolean;
  /** A write that needs an Idempotency-Key header (see FastifyContextConfig.idempotent). */
  idempotent?: boolean;
  /** Answers 401 to say no one is signed in, which the security log does not count (see FastifyContextConfig.sessionProbe). */
  sessionProbe?: boolean;
}

export interface AppOptions {
  db: Db;
  config: Config;
  logger?: FastifyServerOptions['logger'];
  /** The secret that marks requests from the local CLI channel (see control-socket.ts). */
  localSecret?: string;
}

/** Zod issues as JSON pointers (RFC 6901); an unknown field is pointed at itself. */
function validationErrors(error: FastifyError): FieldError[] {
  const where = error.validationContext && error.validationContext !== 'body' ? { in: error.validationContext } : {};
  return (error.validation ?? []).flatMap((issue) => {
    const base = issue.instancePath === '/' ? '' : issue.instancePath;
    const keys = (issue.params as { keys?: string[] }).keys;
    if (issue.keyword === 'unrecognized_keys' && keys) {
      return keys.map((key) => ({
        pointer: `${base}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        detail: 'Unknown field.',
        ...where,
      }));
    }
    return [{ pointer: base, detail: issue.message ?? 'Not valid.', ...where }];
  });
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A write route declares its audit entry (context.ts writes it), unless it only computes;
 * a route that runs its own transactions writes its own entries, and says so.
 */
function checkAuditDeclared(method: string | string[], url: string, config: import('fastify').FastifyContextConfig | undefined) {
  if (![method].flat().some((m) => WRITE_METHODS.has(m)) || config?.readOnly || url.startsWith('/api/docs')) return;
  if (!config?.audit) throw new Error(`Write route ${method} ${url} declares no audit entry (config.audit).`);
  if ((config.transaction === false) !== (config.audit.writtenBy === 'handler'))
    throw new Error(
      `Route ${method} ${url}: a route with transactions of its own writes its own audit entries (audit.writtenBy: 'handler'), and only such a route.`,
    );
}

/**
 * The usual security headers (helmet), with a Content-Security-Policy that allows no inline
 * script: the web app is built by Vite into script files, and MapLibre's workers start from
 * blob: URLs. Styles may be inline (the UI library sets style attributes and tags). A basemap
 * style at another address brings tiles, glyphs and sprites from wherever it names.
 */
export function securityHeaders(config: Config): FastifyHelmetOptions {
  const remote = config.basemapStyleUrl ? ['https:'] : [];
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...remote],
        fontSrc: ["'self'", 'data:', ...remote],
        connectSrc: ["'self'", ...remote],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  };
}

export type ConcordApp = FastifyInstance & { routeTable: RouteEntry[] };

export async function buildApp({ db, config, logger = false, localSecret = randomUUID() }: AppOptions): Promise<ConcordApp> {
  const app = Fastify({
    logger,
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
  });
  const routeTable: RouteEntry[] = [];

  app.decorate('db', db);
  app.decorate('conditions', new ConditionsRuntime(db, new GatedSubjects(GATED_SUBJECT_TYPES)));
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // An empty JSON body reads as "no body", so POSTs without content are simple to send.
  // Text is taken exactly as sent or refused: invalid UTF-8 and lone surrogates are never changed silently (text.ts).
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      const text = decodeUtf8(body as Buffer);
      if (text.trim() === '') return done(null, undefined);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Problem('request.malformed', 'The body is not valid JSON.');
      }
      refuseIllFormed(parsed);
      done(null, parsed);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('preValidation', async (req) => {
    refuseUndecodableQuery(req.url);
    refuseIllFormed(req.query, 'querystring');
    refuseIllFormed(req.params, 'params');
  });

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    // The documentation pages come from a plugin; they are as public as the document itself.
    if (route.url.startsWith('/api/docs')) route.config = { ...route.config, access: { public: true } };
    const access = route.config?.access;
    if (!access) throw new Error(`Route ${route.method} ${route.url} declares no access policy.`);
    checkAuditDeclared(route.method, route.url, route.config);
    for (const method of [route.method].flat())
      if (method !== 'HEAD')
        routeTable.push({
          method,
          url: route.url,
          access,
          ...(route.config?.readOnly ? { readOnly: true } : {}),
          ...(route.config?.idempotent ? { idempotent: true } : {}),
          ...(route.config?.sessionProbe ? { sessionProbe: true } : {}),
        });
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await app.register(fastifyHelmet, securityHeaders(config));

  app.setErrorHandler(async (error: FastifyError, req, reply) => {
    let problem: Problem | undefined;
    if (error instanceof Problem) problem = error;
    else if (hasZodFastifySchemaValidationErrors(error))
      problem = new Problem('request.invalid', 'Some fields are not valid.', { errors: validationErrors(error) });
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') problem = new Problem('request.unsupported-media-type');
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') problem = new Problem('request.too-large');
    else if (error.code?.startsWith('FST_ERR_CTP') || error.statusCode === 400) problem = new Problem('request.malformed', error.message);
    else problem = databaseErrorToProblem(error);

    if (!problem) {
      req.log.error({ err: error, correlationId: req.id }, 'unexpected error');
      problem = new Problem('server.internal', `Quote this correlation id when reporting it: ${req.id}.`, { correlationId: req.id });
    }
    if (isLoggedRefusal(problem, req)) await logRefusal(req, problem);
    for (const [name, value] of Object.entries(problem.extensions.headers ?? {})) reply.header(name, value);
    return reply.code(problem.status).type('application/problem+json').send(problem.toBody(req.url));
  });

  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0];
    // A missing file (an old asset, a typo) is a 404; any other path is a page of the app.
    if (path.startsWith('/api/') || /\.[a-z0-9]+$/i.test(path) || !existsSync(config.webDir)) {
      const problem = new Problem('route.not-found', `Nothing at ${req.method} ${path}.`);
      return reply.code(404).type('application/problem+json').send(problem.toBody(req.url));
    }
    // Any other path belongs to the single-page web app.
    return reply.type('text/html').sendFile('index.html');
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Concord API',
        version: config.version,
        description: 'Coordination platform for a donor-funded, multinational stabilization mission.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'concord_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/api/openapi.json', { config: { access: { public: true } }, schema: { hide: true } }, async () => app.swagger());

  registerAuthentication(app, localSecret);
  systemRoutes(app, config);
  authRoutes(app);
  tokenRoutes(app);
  accessRoutes(app);
  auditRoutes(app, config);
  securityRoutes(app);
  geoRoutes(app);
  conditionsRoutes(app);
  graphRoutes(app);
  fundingRoutes(app);
  fundingImportRoutes(app);
  fundingExportRoutes(app);
  claimsRoutes(app);
  statementRoutes(app);

  await app.register(fastifyStatic, { root: config.webDir, serve: existsSync(config.webDir), wildcard: true, index: ['index.html'] });
  if (config.basemapPmtiles) {
    const file = config.basemapPmtiles;
    // Served with range requests, which is how MapLibre's PMTiles protocol reads it.
    app.get('/basemap.pmtiles', { config: { access: { public: true } } }, (_req, reply) => reply.sendFile(basename(file), dirname(file)));
  }

  return Object.assign(app, { routeTable }) as unknown as ConcordApp;
}
