/**
 * What every answer carries, and what every request may hold (security review items 18 and
 * 19): the usual security headers with a Content-Security-Policy that allows no inline
 * script, the server listening on 127.0.0.1 unless HOST says otherwise; text taken exactly
 * as sent or refused (invalid UTF-8, lone surrogates), and dates bounded to what each field
 * can mean, with a plain message.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.ts';

let t: TestApp;
let political: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  political = await t.user(['political_officer'], (await t.organisation('authority')).id);
});
afterAll(() => t?.close());

describe('headers', () => {
  it('sends a Content-Security-Policy without inline scripts, and the usual set, on pages and the API', async () => {
    for (const url of ['/', '/api/health', '/api/nothing-here']) {
      const response = await t.app.inject({ method: 'GET', url });
      const csp = String(response.headers['content-security-policy']);
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      );
      expect(directives.get('script-src'), url).toEqual(["'self'"]);
      expect(directives.get('script-src-attr')).toEqual(["'none'"]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(directives.get('worker-src')).toContain('blob:');
      expect(csp).not.toContain('unsafe-eval');
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'same-origin',
        'cross-origin-opener-policy': 'same-origin',
        'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      });
    }
  });

  it('listens on 127.0.0.1 unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });
});

const condition = (titleEn: string) => ({ code: t.unique('t').toLowerCase(), titleEn, titleAr: 'شرط' });

describe('text', () => {
  it('refuses a lone surrogate in a body value or key, pointing at it, and saves nothing', async () => {
    const before = (await t.db.query<{ n: number }>('select count(*)::int as n from conditions')).rows[0].n;
    const raw = (body: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/conditions',
        headers: { cookie: political.client.cookie!, 'x-csrf-token': political.client.csrf!, 'content-type': 'application/json' },
        payload: body,
      });
    const lone = await raw(`{"code":"lone-1","titleEn":"Ceasefire \\ud800 holds","titleAr":"شرط"}`);
    expect(lone.statusCode).toBe(400);
    expect(JSON.parse(lone.body).errors).toEqual([{ pointer: '/titleEn', detail: expect.stringMatching(/lone surrogate/) }]);
    const low = await raw(`{"code":"lone-2","titleEn":"x","titleAr":"\\udc00","descriptionEn":"ok"}`);
    expect(JSON.parse(low.body).errors[0].pointer).toBe('/titleAr');
    const key = await raw(`{"code":"lone-3","titleEn":"x","titleAr":"x","\\ud83d":"x"}`);
    expect(key.statusCode).toBe(400);
    const bytes = await t.app.inject({
      method: 'POST',
      url: '/api/conditions',
      headers: { cookie: political.client.cookie!, 'x-csrf-token': political.client.csrf!, 'content-type': 'application/json' },
      payload: Buffer.concat([Buffer.from('{"code":"bad-utf8","titleEn":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","titleAr":"x"}')]),
    });
    expect(bytes.statusCode).toBe(400);
    expect(JSON.parse(bytes.body).detail).toBe('The body is not valid UTF-8 text.');
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from conditions')).rows[0].n).toBe(before);
  });

  it('keeps whole characters, emoji and Arabic included, exactly as sent', async () => {
    const title = 'Corridor 🚚 open — ممر مفتوح 𝔸';
    const created = await political.client.post('/api/conditions', condition(title));
    expect(created.status).toBe(201);
    expect((await political.client.get(`/api/conditions/${created.body.id}`)).body.titleEn).toBe(title);
  });

  it('refuses half a character in the query string instead of keeping its escapes as text', async () => {
    for (const q of ['a%ED%A0%80', 'a%FF', '%F0%9F']) {
      const response = await political.client.get(`/api/conditions?q=${q}`);
      expect(response.status, q).toBe(400);
      expect(response.body.errors).toEqual([{ pointer: '/q', in: 'querystring', detail: expect.stringMatching(/not UTF-8/) }]);
    }
    expect((await political.client.get(`/api/conditions?q=${encodeURIComponent('ممر 🚚')}`)).status).toBe(200);
  });
});

describe('dates', () => {
  it('refuses 0001-01-01 and 9999-12-31 in every kind of date field, with a plain sentence', async () => {
    const donor = await t.user(['donor_officer'], (await t.organisation('donor')).id);
    const instrument = (
      await donor.client.post('/api/funding/instruments', { donorOrgId: donor.organisationId, name: t.unique('I'), kind: 'grant' })
    ).body.id;
    const check = async (what: string, body: () => Promise<{ status: number; body: any }>, pointer: string) => {
      const response = await body();
      expect(response.status, what).toBe(400);
      const error = response.body.errors.find((e: { pointer: string }) => e.pointer === pointer);
      expect(error?.detail, what).toMatch(/ is a date from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\.$/);
    };
    for (const date of ['0001-01-01', '9999-12-31']) {
      await check('target date', () => political.client.post('/api/conditions', { ...condition('x'), targetDate: date }), '/targetDate');
      await check(
        'pledge',
        () =>
          donor.client.post('/api/funding/pledges', {
            instrumentId: instrument,
            title: 'P',
            amount: '1',
            currency: 'USD',
            pledgedOn: date,
          }),
        '/pledgedOn',
      );
      await check(
        'rate',
        () => donor.client.post('/api/funding/rates', { currency: 'EUR', rateDate: date, usdPerUnit: '1.1', source: 'x' }),
        '/rateDate',
      );
      const audit = await t.admin.client.get(`/api/audit?from=${date}`);
      expect(audit.status).toBe(400);
    }
  });

  it('refuses evidence and stances dated in the future, and a value date tomorrow is the latest', async () => {
    const id = (await political.client.post('/api/conditions', condition('x'))).body.id;
    const nextYear = `${new Date().getUTCFullYear() + 1}-06-01`;
    const evidence = await political.client.post(`/api/conditions/${id}/evidence`, { datedOn: nextYear, status: 'met', source: 'x' });
    expect(evidence.status).toBe(400);
    expect(evidence.body.errors[0].detail).toMatch(/^Evidence is a date from 1945-01-01 to /);
    expect(
      (await political.client.post(`/api/conditions/${id}/evidence`, { datedOn: '1948-05-14', status: 'met', source: 'x' })).status,
    ).toBe(201);
  });

  it('accepts an "as of" date exactly when it lies from 1945-01-01 to 2100-12-31 (any calendar date)', async () => {
    const day = fc.integer({ min: Date.UTC(1, 0, 1) / 86_400_000, max: Date.UTC(9999, 11, 31) / 86_400_000 });
    const toDate = (n: number) => {
      const d = new Date(0);
      d.setUTCFullYear(1970, 0, 1 + n);
      return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(day, fc.integer({ min: Date.UTC(1940, 0, 1) / 86_400_000, max: Date.UTC(2105, 0, 1) / 86_400_000 })),
        async (n) => {
          const date = toDate(n);
          const response = await political.client.get(`/api/conditions/analysis?asOf=${date}`);
          const inRange = date >= '1945-01-01' && date <= '2100-12-31';
          expect(response.status, date).toBe(inRange ? 200 : 400);
        },
      ),
      { numRuns: 40 },
    );
  });
});
