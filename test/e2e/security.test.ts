import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chooseLanguage, HAS_CHROMIUM, shownText, signIn, snapshot, suiteTitle, UI_TIMEOUT_MS, useE2E, visible } from './support/e2e.ts';

/** Signs in over HTTP and returns a function that calls the API as that user, with the status and body. */
async function apiAs(baseUrl: string, email: string, password: string) {
  const signIn = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('what the security review asked of the web app'), { timeout: 180_000 }, () => {
  const e2e = useE2E();

  it('shows the administrator the alert repeated refusals raised, in the navigation and on its page, until acknowledged', async () => {
    const reporter = await apiAs(e2e.server.url, 'reporter@concord.example', e2e.server.demoPassword);
    for (let i = 0; i < 10; i++) expect((await reporter('GET', '/api/users')).status).toBe(403);

    const page = await (await e2e.newContext()).newPage();
    await signIn(page, e2e.server, 'admin@concord.example');
    await visible(page.getByTestId('nav-security-alerts'));
    await page.getByTestId('nav-security').click();
    const row = page.getByTestId('security-alert-reporter@concord.example');
    await visible(row);
    expect(await shownText(row)).toContain('10');
    await chooseLanguage(page, 'ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { timeout: UI_TIMEOUT_MS });
    expect(await shownText(page.locator('main'))).toContain('تنبيهات الأمان');
    await snapshot(page, 'security-alerts-ar');
    await row.getByTestId('security-acknowledge').click();
    await expect.poll(() => row.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
  });

  it('shows a condition the reader cannot see in a tranche gate as such, in English and Arabic', async () => {
    const political = await apiAs(e2e.server.url, 'political@concord.example', e2e.server.demoPassword);
    const donor = await apiAs(e2e.server.url, 'donor@concord.example', e2e.server.demoPassword);
    const hidden = (await political('POST', '/api/conditions', { code: 'e2e-hidden', titleEn: 'Hidden later', titleAr: 'يُخفى لاحقًا' }))
      .body;
    const shown = (await political('POST', '/api/conditions', { code: 'e2e-shown', titleEn: 'Shown', titleAr: 'ظاهر' })).body;
    const me = (await donor('GET', '/api/auth/session')).body;
    const instruments = (await donor('GET', `/api/funding/instruments?donorOrgId=${me.user.organisation.id}`)).body;
    const pledge = (
      await donor('POST', '/api/funding/pledges', {
        instrumentId: instruments.items[0].id,
        title: 'Browser test pledge',
        amount: '1000.00',
        currency: 'USD',
        pledgedOn: '2026-03-01',
        tranches: [{ amount: '1000.00', gate: { op: 'and', args: [shown.id, hidden.id] } }],
      })
    ).body;
    expect((await political('PATCH', `/api/conditions/${hidden.id}`, { classification: 'restricted' })).status).toBe(200);

    const page = await (await e2e.newContext()).newPage();
    await signIn(page, e2e.server, 'donor@concord.example');
    await page.goto(`${e2e.server.url}/funding/pledges/${pledge.id}`);
    const gate = page.getByTestId('tranche-gate');
    await visible(gate);
    const words = async () => (await shownText(gate)).replace(/\s+/g, ' ').trim();
    await expect.poll(words, { timeout: UI_TIMEOUT_MS }).toBe('Gate: e2e-shown AND a condition you cannot see');
    expect(await page.content()).not.toContain(hidden.id);
    await chooseLanguage(page, 'ar');
    await expect.poll(() => shownText(gate), { timeout: UI_TIMEOUT_MS }).toContain('شرط لا يمكنك رؤيته');
  });
});
