import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chooseLanguage, HAS_CHROMIUM, shownText, signIn, snapshot, suiteTitle, UI_TIMEOUT_MS, useE2E, visible } from './support/e2e.ts';

/** Posts as the signed-in user of `page`, with the session's CSRF token. */
async function post(page: Page, base: string, url: string, data: unknown) {
  const session = await (await page.request.get(`${base}/api/auth/session`)).json();
  const response = await page.request.post(`${base}${url}`, { data, headers: { 'x-csrf-token': session.csrfToken } });
  expect(response.status(), await response.text()).toBe(201);
  return response.json();
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('a political officer reads the long pole with an OR gate'), { timeout: 120_000 }, () => {
  const e2e = useE2E();

  it('shows both sides of an OR holding back the aid convoys with others, and on each what would open them', async () => {
    const page = await (await e2e.newContext()).newPage();
    await signIn(page, e2e.server, 'political@concord.example');
    await chooseLanguage(page, 'en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr', undefined, { timeout: UI_TIMEOUT_MS });

    // Aid convoys of 100 trucks a day, through the Kerem Shalom crossing or by sea from Larnaca.
    const base = e2e.server.url;
    const stakeholder = (await (await page.request.get(`${base}/api/stakeholders?pageSize=1`)).json()).items[0].id;
    const crossing = await post(page, base, '/api/conditions', {
      code: 'kerem-shalom-open',
      titleEn: 'Kerem Shalom crossing open to aid',
      titleAr: 'معبر كرم أبو سالم مفتوح للمساعدات',
    });
    const sea = await post(page, base, '/api/conditions', {
      code: 'larnaca-sea-corridor',
      titleEn: 'Sea corridor from Larnaca operating',
      titleAr: 'الممر البحري من لارنكا يعمل',
    });
    await post(page, base, '/api/commitments', {
      stakeholderId: stakeholder,
      titleEn: 'Aid convoys',
      titleAr: 'قوافل المساعدات',
      aidTrucksPerDay: 100,
      gate: { op: 'or', args: [crossing.id, sea.id] },
    });

    await page.getByTestId('nav-conditions').click();
    await page.waitForURL(/\/conditions$/);
    await page.getByTestId('dimension-aid_trucks_per_day').click();
    const rows = page.getByTestId('long-pole-row');
    await visible(rows.first());
    const ids = await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-condition-id')));
    expect(ids).toEqual(expect.arrayContaining([crossing.id, sea.id]));
    for (const id of [crossing.id, sea.id]) {
      const row = page.locator(`[data-testid="long-pole-row"][data-condition-id="${id}"]`);
      expect(await shownText(row.getByTestId('long-pole-with-others'))).toBe('100');
      expect(await shownText(row.getByTestId('long-pole-alone'))).toBe('0');
    }
    expect(await shownText(page.getByTestId('long-pole-measures'))).toContain('Holds back with others:');
    await snapshot(page, 'long-pole-or-en');

    await page.goto(`${base}/conditions/${crossing.id}`);
    // The convoys are the one blocked commitment the crossing stands in front of.
    const gate = page.getByTestId('blocked-gate');
    await visible(gate);
    expect(await gate.count()).toBe(1);
    expect(await shownText(gate)).toContain('Aid convoys');
    expect(await shownText(gate.getByTestId('opens-if'))).toContain('Opens once any one of these is met:');
    expect(await gate.getByTestId('opens-if-way').allInnerTexts()).toEqual([
      'Kerem Shalom crossing open to aid',
      'Sea corridor from Larnaca operating',
    ]);
    expect(await shownText(page.getByTestId('condition-with-others'))).toContain('100');
    expect(await shownText(page.getByTestId('condition-held-back'))).toContain('Nothing');

    await chooseLanguage(page, 'ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { timeout: UI_TIMEOUT_MS });
    await expect
      .poll(() => gate.getByTestId('opens-if-way').allInnerTexts(), { timeout: UI_TIMEOUT_MS })
      .toEqual(['معبر كرم أبو سالم مفتوح للمساعدات', 'الممر البحري من لارنكا يعمل']);
    await snapshot(page, 'condition-or-ar');
  });
});
