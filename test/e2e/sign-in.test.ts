import { describe, expect, it } from 'vitest';
import { fillSignIn, HAS_CHROMIUM, shownText, snapshot, suiteTitle, UI_TIMEOUT_MS, useE2E, visible } from './support/e2e.ts';

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('signing in and out in the browser'), { timeout: 90_000 }, () => {
  const e2e = useE2E();

  it('refuses a wrong password with a message, then signs in, then signs out', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();

    // A signed-out visitor is sent to the sign-in form.
    await page.goto(e2e.server.url);
    await page.waitForURL(/\/sign-in$/, { timeout: UI_TIMEOUT_MS });
    await visible(page.locator('input[name="email"]'));
    await snapshot(page, 'sign-in-en');

    await fillSignIn(page, 'admin@concord.example', 'not-the-password');
    const alert = page.getByRole('alert');
    await visible(alert);
    // A mistake the person can put right: a calm title saying what to check, not a fault.
    const alertText = await shownText(alert);
    expect(alertText).toContain('Check your email and password');
    expect(alertText).toContain('The email or password is not correct.');
    expect(alertText).not.toMatch(/something went wrong/i);
    expect(page.url()).toMatch(/\/sign-in$/);
    expect(await page.getByTestId('user-menu').count()).toBe(0);
    await snapshot(page, 'sign-in-wrong-password');

    await fillSignIn(page, 'admin@concord.example', e2e.server.demoPassword);
    await visible(page.getByTestId('user-menu'));
    // The administrator sees every page of the app.
    for (const item of ['map', 'organisations', 'users', 'roles', 'audit', 'account']) {
      await visible(page.getByTestId(`nav-${item}`));
    }
    expect(await shownText(page.getByTestId('nav-map'))).toBe('Map');
    expect(await shownText(page.getByTestId('user-menu'))).toContain('Alex Admin');
    expect(page.url()).not.toMatch(/\/sign-in/);
    await snapshot(page, 'signed-in-admin');

    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/sign-in$/, { timeout: UI_TIMEOUT_MS });
    await visible(page.locator('input[name="password"]'));
    expect(await page.getByTestId('nav-map').count()).toBe(0);

    // The session is really over: a page of the app sends the visitor back to sign in.
    await page.goto(`${e2e.server.url}/users`);
    await page.waitForURL(/\/sign-in\?next=%2Fusers$/, { timeout: UI_TIMEOUT_MS });
    await visible(page.locator('input[name="email"]'));
  });

  it('shows a fault of the server as one, with the reference to quote', async () => {
    const context = await e2e.newContext();
    // As if the server failed: the problem it answers with then carries a correlation id.
    await context.route('**/api/auth/sign-in', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: '/api/problems#server.internal',
          title: 'Something went wrong on the server',
          status: 500,
          code: 'server.internal',
          detail: 'Quote this correlation id when reporting it: req-4711.',
          correlationId: 'req-4711',
        }),
      }),
    );
    const page = await context.newPage();
    await page.goto(`${e2e.server.url}/sign-in`);
    await fillSignIn(page, 'admin@concord.example', e2e.server.demoPassword);
    const alert = page.getByRole('alert');
    await visible(alert);
    const alertText = await shownText(alert);
    expect(alertText).toContain('Something went wrong');
    expect(alertText).toContain('Reference: req-4711');
    expect(await page.getByTestId('user-menu').count()).toBe(0);
    await snapshot(page, 'sign-in-server-fault');
  });
});
