import openapiTS from 'openapi-typescript';
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

/** Where `npm run openapi` writes the document and the web app's types made from it. */
export const OPENAPI_JSON = 'docs/openapi.json';
export const OPENAPI_TYPES = 'src/web/http/api-types.ts';

/**
 * The two generated files, as `npm run openapi` writes them: the document, and the web
 * app's TypeScript types of every path, request and answer (openapi-typescript).
 */
export async function openApiFiles(): Promise<{ json: string; types: string }> {
  const document = await openApiDocument();
  const json = `${JSON.stringify(document, null, 2)}\n`;
  // Made from the text as committed, so the types are exactly those of docs/openapi.json.
  const types = await openapiTS(JSON.parse(json), { exportType: false });
  return { json, types };
}
