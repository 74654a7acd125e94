import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENAPI_JSON, OPENAPI_TYPES, openApiDocument, openApiFiles } from '../support/openapi.ts';

describe('OpenAPI document', () => {
  it('describes every route with its schemas', async () => {
    const document = (await openApiDocument()) as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(document.openapi).toBe('3.1.0');
    const createUser = document.paths['/api/users'].post;
    expect(createUser.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['email', 'name', 'organisationId', 'password']),
    );
    expect(Object.keys(createUser.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
    expect(document.paths['/api/users'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'organisationId', 'role', 'status', 'page', 'pageSize']),
    );
  });

  it('matches the committed docs/openapi.json and src/web/http/api-types.ts, so contract changes show in review (npm run openapi updates both)', async () => {
    const root = join(import.meta.dirname, '../..');
    const generated = await openApiFiles();
    const committedJson = await readFile(join(root, OPENAPI_JSON), 'utf8');
    const committedTypes = await readFile(join(root, OPENAPI_TYPES), 'utf8');
    expect(JSON.parse(committedJson), `${OPENAPI_JSON} is out of date: run npm run openapi`).toEqual(JSON.parse(generated.json));
    expect(committedTypes === generated.types, `${OPENAPI_TYPES} is out of date: run npm run openapi`).toBe(true);
  });

  it('gives the web app the types of the answers, so a changed answer fails the web typecheck', async () => {
    const types = await readFile(join(import.meta.dirname, '../..', OPENAPI_TYPES), 'utf8');
    const document = (await openApiDocument()) as { paths: Record<string, unknown> };
    for (const path of Object.keys(document.paths)) expect(types).toContain(`"${path}": {`);
    // The web app takes its shapes from there rather than typing them again.
    const webTypes = await readFile(join(import.meta.dirname, '../../src/web/http/types.ts'), 'utf8');
    expect(webTypes).toContain("from './api-types'");
    expect(webTypes).not.toMatch(/export interface (Me|Organisation|User|Role|ApiToken|AuditEntry)\b/);
  });
});
