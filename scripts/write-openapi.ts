// Writes the OpenAPI document generated from the routes to docs/openapi.json, and the web
// app's API types generated from it to src/web/http/api-types.ts, so that contract changes
// show in review and the web app is checked against them. A test fails when either
// committed file is out of date.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPENAPI_JSON, OPENAPI_TYPES, openApiFiles } from '../test/support/openapi.ts';

const root = join(import.meta.dirname, '..');
const { json, types } = await openApiFiles();
await writeFile(join(root, OPENAPI_JSON), json);
await writeFile(join(root, OPENAPI_TYPES), types);
console.log(`Wrote ${OPENAPI_JSON} and ${OPENAPI_TYPES}`);
