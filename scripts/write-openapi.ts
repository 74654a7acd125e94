// Writes the OpenAPI document generated from the routes to docs/openapi.json, so that
// contract changes show in review. A test fails when the committed file is out of date.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openApiDocument } from '../test/support/openapi.ts';

await writeFile(join(import.meta.dirname, '../docs/openapi.json'), `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
console.log('Wrote docs/openapi.json');
