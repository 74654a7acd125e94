/**
 * Prepares one migrated database that every test file copies, so no test file pays for
 * migrations and no test sees another's data. On PGlite the copy is a dump of the data
 * directory; on PostgreSQL (TEST_DATABASE_URL) it is a template database.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/server/db/migrate.ts';
import { openPglite } from '../../src/server/db/pglite.ts';
import { PostgresDb } from '../../src/server/db/postgres.ts';
import { seedRoles } from '../../src/server/scenario/gaza.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `concord_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const db = new PostgresDb(withDatabase(url, name), 2);
    await migrate(db);
    await db.transaction((tx) => seedRoles(tx));
    await db.close();
    project.provide('postgresTemplate', name);
    project.provide('pgliteTemplate', '');
    return async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const dir = join(import.meta.dirname, '../../.test-output');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `pglite-template-${process.pid}.tar`);
  const db = await openPglite();
  await migrate(db);
  await db.transaction((tx) => seedRoles(tx));
  await writeFile(file, Buffer.from(await (await db.dump()).arrayBuffer()));
  await db.close();
  project.provide('pgliteTemplate', file);
  project.provide('postgresTemplate', '');
  return async () => {
    await rm(file, { force: true });
  };
}
