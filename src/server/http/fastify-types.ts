import type { Permission } from '../../shared/permissions.ts';
import type { Db } from '../db/db.ts';
import type { ConditionsRuntime } from '../modules/conditions/gate-state.ts';
import type { Actor } from './actor.ts';
import type { RouteAudit } from './context.ts';

/**
 * Who may call a route. Every route declares one; the app refuses to start with a route
 * that does not, and the authorization matrix test is built from these declarations.
 */
export type Access =
  | { public: true }
  /** sessionOnly: the caller's own account and tokens, which an API token must not touch. */
  | { signedIn: true; duringTotpEnrolment?: boolean; sessionOnly?: boolean }
  | { permission: Permission };

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /** The conditions capability's kept models and gate state, built with the app's gated subject types. */
    conditions: ConditionsRuntime;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** false: the handler manages its own transactions (e.g. to record a failed sign-in). */
    transaction?: boolean;
    /** true: a POST that only computes (its input is too rich for a query string) and writes nothing. */
    readOnly?: boolean;
    /** true: a money write that needs an Idempotency-Key header; a retry replays the first response. */
    idempotent?: boolean;
    /** true: answers 401 to say no one is signed in, which the security log does not count as a refusal. */
    sessionProbe?: boolean;
    /** The audit entry of a write route (every write route declares one; see context.ts). */
    audit?: RouteAudit;
  }
}
