import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('health and problems', () => {
  it('reports the database engine and version', async () => {
    const response = await t.client().get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      database: 'postgresql',
      version: expect.any(String),
    });
  });

  it('answers an unknown endpoint with a problem', async () => {
    const response = await t.client().get('/api/no-such-thing');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'route.not-found', status: 404, type: '/api/problems#route.not-found' });
  });
});

describe.skipIf(!existsSync(`${loadConfig({}).webDir}/index.html`))('the web app (skipped: not built; npm run build:web)', () => {
  it('serves the app for any page path, and a 404 for a missing file', async () => {
    for (const path of ['/', '/users', '/map?x=1']) {
      const page = await t.client().get(path);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
    }
    expect((await t.client().get('/assets/no-such-file.js')).status).toBe(404);
  });
});
