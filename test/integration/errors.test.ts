import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import type { Db } from '../../src/server/db/db.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('problem responses', () => {
  it('lists every invalid field with a JSON pointer', async () => {
    const response = await t.admin.client.post('/api/organisations', { name: '', type: 'pirates', countryCode: 'Gaza', extra: 1 });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('request.invalid');
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/countryCode', '/extra', '/name', '/type']);
    expect(response.body.errors).toContainEqual({ pointer: '/extra', detail: 'Unknown field.' });
    const query = await t.admin.client.get('/api/users?pageSize=1000');
    expect(query.body.errors).toEqual([{ pointer: '/pageSize', detail: expect.any(String), in: 'querystring' }]);
  });

  it('explains malformed JSON and a body that is not JSON', async () => {
    const malformed = await t.admin.client.request('POST', '/api/organisations', '{"name": ', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'request.malformed', detail: 'The body is not valid JSON.' });
    const form = await t.admin.client.request('POST', '/api/organisations', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
  });

  it('serves the catalogue each problem type points to', async () => {
    const catalogue = await t.client().get('/api/problems');
    expect(catalogue.body).toContainEqual({
      type: '/api/problems#resource.not-found',
      code: 'resource.not-found',
      status: 404,
      title: 'Not found',
    });
  });

  it('answers an unexpected error with 500 and a correlation id that is also in the log', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // A database that fails in a way nothing expects, for one query.
    const failing: Db = {
      ...t.db,
      query: async (query, values) => {
        const text = typeof query === 'string' ? query : query.text;
        if (text.includes('from organisations') && text.includes('count(*)')) throw new TypeError('something unexpected');
        return t.db.query(query as string, values);
      },
      transaction: (work) => t.db.transaction(work),
      exec: (script) => t.db.exec(script),
      close: async () => {},
    };
    const app = await buildApp({ db: failing, config: loadConfig({}), logger: { level: 'error', stream } });
    try {
      const response = await app.inject({ method: 'GET', url: '/api/organisations', headers: { cookie: t.admin.client.cookie! } });
      expect(response.statusCode).toBe(500);
      const body = response.json();
      expect(body).toMatchObject({ code: 'server.internal', correlationId: expect.any(String) });
      expect(JSON.stringify(body)).not.toContain('something unexpected');
      expect(lines.some((line) => line.includes(body.correlationId) && line.includes('something unexpected'))).toBe(true);
    } finally {
      await app.close();
    }
  });
});
