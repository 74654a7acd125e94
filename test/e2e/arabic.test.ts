import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  chooseLanguage,
  fillSignIn,
  HAS_CHROMIUM,
  openMap,
  shownText,
  signIn,
  snapshot,
  suiteTitle,
  UI_TIMEOUT_MS,
  useE2E,
  VIEWPORT,
  visible,
  waitForMap,
} from './support/e2e.ts';
import { ROOT } from './support/server.ts';

async function documentLanguage(page: Page) {
  return page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang }));
}

/** Where the navigation sits relative to the page's content (the map). */
async function layout(page: Page) {
  const navbar = await page.locator('nav:has([data-testid="nav-map"])').boundingBox();
  const content = await page.getByTestId('map').boundingBox();
  const title = await page.locator('main h2, main h1').first().boundingBox();
  if (!navbar || !content || !title) throw new Error('The navigation, the map or the page title is not on the page');
  return { navbar, content, title };
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('the app in Arabic'), { timeout: 120_000 }, () => {
  const e2e = useE2E();

  it('switches to Arabic: right-to-left, navigation on the right, Arabic labels', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await signIn(page, e2e.server, 'admin@concord.example');
    await openMap(page);

    // In English the navigation is on the left of the map.
    expect(await documentLanguage(page)).toEqual({ dir: 'ltr', lang: 'en' });
    const english = await layout(page);
    expect(english.navbar.x + english.navbar.width).toBeLessThanOrEqual(english.content.x + 1);

    await chooseLanguage(page, 'ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { timeout: UI_TIMEOUT_MS });
    expect(await documentLanguage(page)).toEqual({ dir: 'rtl', lang: 'ar' });

    // The navigation speaks Arabic.
    await page.waitForFunction(() => document.querySelector('[data-testid="nav-map"]')?.textContent?.trim() === 'الخريطة', undefined, {
      timeout: UI_TIMEOUT_MS,
    });
    expect(await shownText(page.getByTestId('nav-users'))).toBe('المستخدمون');
    expect(await shownText(page.getByTestId('nav-account'))).toBe('الحساب');
    expect(await shownText(page.locator('main h2, main h1').first())).toBe('الخريطة');

    // The map is rebuilt in Arabic: its labels and legend carry Arabic names.
    await page.locator('[data-testid="map"] .concord-map-label[lang="ar"]').first().waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    await waitForMap(page);
    const labels = await page.locator('[data-testid="map"] .concord-map-label').allInnerTexts();
    expect(labels).toEqual(expect.arrayContaining(['رفح', 'خان يونس']));
    expect(await shownText(page.getByTestId('map-legend'))).toContain('رفح');

    // Right to left: the navigation is now on the right of the map, and the title starts on the right.
    const arabic = await layout(page);
    expect(arabic.navbar.x).toBeGreaterThan(VIEWPORT.width / 2);
    expect(arabic.navbar.x).toBeGreaterThanOrEqual(arabic.content.x + arabic.content.width - 1);
    expect(arabic.title.x + arabic.title.width).toBeGreaterThan(arabic.content.x + arabic.content.width / 2);

    // The choice survives a reload.
    await page.reload();
    await visible(page.getByTestId('nav-map'));
    expect(await documentLanguage(page)).toEqual({ dir: 'rtl', lang: 'ar' });
    expect(await shownText(page.getByTestId('nav-map'))).toBe('الخريطة');
    await waitForMap(page);

    // Let labels and controls settle before the picture.
    await page.waitForTimeout(500);
    await snapshot(page, 'map-ar');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      const dir = join(ROOT, 'docs/screenshots');
      await mkdir(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'map-ar.png'), animations: 'disabled' });
    }

    // Other pages follow: the users page has an Arabic title and table headings.
    await page.getByTestId('nav-users').click();
    await visible(page.getByRole('heading', { name: 'المستخدمون', exact: true }));
    await visible(page.getByRole('columnheader').first());
    expect(await page.getByRole('columnheader').allInnerTexts()).toContain('الاسم');
    // Organisations go by their Arabic names, in the table and in the account menu.
    const adminRow = page.getByTestId('user-row-admin@concord.example');
    expect(await shownText(adminRow)).toContain('مركز التنسيق المدني العسكري');
    await visible(adminRow.getByRole('button', { name: 'إجراءات Alex Admin', exact: true }));
    await snapshot(page, 'users-ar');
    await page.getByTestId('user-menu').click();
    await visible(page.getByTestId('menu-account'));
    expect(await shownText(page.getByRole('menu'))).toContain('مركز التنسيق المدني العسكري');
    await page.keyboard.press('Escape');
  });

  it('shows the sign-in page, and its error, in Arabic', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(`${e2e.server.url}/sign-in`);
    await chooseLanguage(page, 'ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { timeout: UI_TIMEOUT_MS });
    expect(await shownText(page.locator('button[type="submit"]'))).toBe('تسجيل الدخول');

    await fillSignIn(page, 'admin@concord.example', 'not-the-password');
    const alert = page.getByRole('alert');
    await visible(alert);
    const alertText = await shownText(alert);
    expect(alertText).toContain('تحقّق من البريد الإلكتروني وكلمة المرور');
    expect(alertText).toContain('البريد الإلكتروني أو كلمة المرور غير صحيحة.');
    expect(alertText).not.toContain('حدث خطأ');
    await snapshot(page, 'sign-in-ar-wrong-password');

    // Signed in, the app stays in Arabic: the choice made on this browser wins.
    await fillSignIn(page, 'admin@concord.example', e2e.server.demoPassword);
    await visible(page.getByTestId('user-menu'));
    expect(await documentLanguage(page)).toEqual({ dir: 'rtl', lang: 'ar' });
    expect(await shownText(page.getByTestId('nav-map'))).toBe('الخريطة');
  });
});
