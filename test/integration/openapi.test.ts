import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../support/openapi.ts';

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

  it('matches docs/openapi.json, so contract changes show in review (npm run openapi updates it)', async () => {
    const committed = JSON.parse(await readFile(join(import.meta.dirname, '../../docs/openapi.json'), 'utf8'));
    expect(await openApiDocument()).toEqual(committed);
  });
});
