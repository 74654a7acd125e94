/**
 * Starting and stopping a Concord server: open the database, apply migrations, load the
 * scenario on first start, listen, and on SIGTERM/SIGINT stop accepting requests, let
 * the ones in flight finish, then close the database cleanly.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { serveControlSocket } from './control-socket.ts';
import { socketPath } from './db/data-dir.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { pruneIdempotencyKeys } from './http/idempotency.ts';
import { type AuditSealer, startAuditSealer } from './modules/audit/sealer.ts';
import { pruneAuthState } from './modules/auth/auth.repo.ts';
import { pruneAnalysisChanges } from './modules/conditions/model-cache.ts';
import { pruneSecurityEvents } from './modules/security/security.repo.ts';
import { DEMO_PASSWORD, DEMO_SIGN_INS, seedGaza, seedRoles } from './scenario/gaza.ts';

export interface RunningServer {
  address: string;
  stop(): Promise<void>;
}

export async function prepareDatabase(db: import('./db/db.ts').Db, seed: Config['seed']): Promise<{ migrated: number[]; seeded: boolean }> {
  const migrated = await migrate(db);
  await db.transaction((tx) => seedRoles(tx));
  const seeded = seed === 'gaza' ? await seedGaza(db) : false;
  return { migrated, seeded };
}

export async function startServer(config: Config, options: { quiet?: boolean; handleSignals?: boolean } = {}): Promise<RunningServer> {
  const say = (line: string) => options.quiet || console.log(line);
  const opened = await openDatabase(config, say);
  let control: Server | undefined;
  let sealer: AuditSealer | undefined;
  try {
    const { migrated, seeded } = await prepareDatabase(opened.db, config.seed);
    const secret = randomUUID();
    const app = await buildApp({
      db: opened.db,
      config,
      localSecret: secret,
      logger: { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-concord-local"]'] },
    });
    await app.conditions.subjects.check(opened.db);
    sealer = await startAuditSealer(opened.db, config, { log: app.log });
    await app.listen({ port: config.port, host: config.host });
    const port = (app.server.address() as { port: number }).port;
    const address = `http://localhost:${port}`;
    if (opened.lock) {
      opened.lock.setAddress(address);
      control = await serveControlSocket(app, socketPath(config.dataDir), secret);
    }
    // Housekeeping: expired sessions and old sign-in attempts, and idempotency keys past their retention.
    const prune = setInterval(() => {
      pruneAuthState(opened.db).catch((err) => app.log.warn({ err }, 'pruning sessions failed'));
      pruneIdempotencyKeys(opened.db).catch((err) => app.log.warn({ err }, 'pruning idempotency keys failed'));
      pruneAnalysisChanges(opened.db).catch((err) => app.log.warn({ err }, 'pruning analysis changes failed'));
      pruneSecurityEvents(opened.db).catch((err) => app.log.warn({ err }, 'pruning the security log failed'));
    }, 10 * 60_000);
    prune.unref();

    say('');
    say(`Concord ${config.version} is running at ${address}`);
    say(
      `  database: ${opened.embedded ? `embedded PostgreSQL ${opened.embedded.version} in ${config.dataDir} (Unix socket only)` : 'PostgreSQL (DATABASE_URL)'}`,
    );
    if (migrated.length) say(`  migrations applied: ${migrated.join(', ')}`);
    if (seeded) say('  loaded the Gaza scenario');
    if (config.seed === 'gaza') {
      say(`  demo sign-ins (password "${DEMO_PASSWORD}"):`);
      for (const { email, role } of DEMO_SIGN_INS) say(`    ${email.padEnd(28)} ${role}`);
    }
    say(`  API documentation: ${address}/api/docs`);
    say('');

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        clearInterval(prune);
        control?.close();
        // Requests in flight finish; new ones get 503. A keep-alive connection whose request
        // finishes after closing began would otherwise hold the close for Fastify's 72 s
        // keep-alive timeout, so idle connections are closed as they appear.
        const closeIdle = setInterval(() => app.server.closeIdleConnections(), 100);
        try {
          await app.close();
        } finally {
          clearInterval(closeIdle);
        }
        await sealer?.stop(); // seals the audit records of those last requests
        await opened.close();
      })());

    if (options.handleSignals) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          say(`${signal}: finishing requests in flight and closing the database...`);
          stop().then(
            () => process.exit(0),
            (error) => {
              console.error(error);
              process.exit(1);
            },
          );
        });
      }
    }
    return { address, stop };
  } catch (error) {
    control?.close();
    await sealer?.stop();
    await opened.close();
    throw error;
  }
}
