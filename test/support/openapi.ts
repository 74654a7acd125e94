import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import type { Db } from '../../src/server/db/db.ts';

/** The OpenAPI document the app generates; building it needs no database. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApp({ db: {} as Db, config: loadConfig({}) });
  await app.ready();
  const document = app.swagger() as Record<string, unknown>;
  await app.close();
  return document;
}
