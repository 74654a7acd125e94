import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  HAS_CHROMIUM,
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

const NEW_USER = {
  email: 'field.reporter@concord.example',
  name: 'Farah Field',
  password: 'reporting-from-rafah-2026',
  organisation: 'UN OCHA',
  role: 'Field reporter',
};

/** Opens a Mantine select or multiselect by its label and picks an option by its text. */
async function pick(page: Page, scope: Locator, label: string, option: string) {
  const input = scope
    .getByRole('textbox', { name: label, exact: true })
    .or(scope.getByLabel(label, { exact: true }))
    .first();
  await input.click();
  await input.pressSequentially(option.slice(0, 4));
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('an administrator creates a user'), { timeout: 120_000 }, () => {
  const e2e = useE2E();

  it('creates a field reporter who can then sign in and sees only what the role allows', async () => {
    const admin = await (await e2e.newContext()).newPage();
    await signIn(admin, e2e.server, 'admin@concord.example');
    await admin.getByTestId('nav-users').click();
    await admin.waitForURL(/\/users$/);
    // The seeded users are listed.
    await visible(admin.getByTestId('user-row-admin@concord.example'));

    await admin.getByTestId('user-create').click();
    const dialog = admin.getByRole('dialog');
    await visible(dialog);
    await dialog.locator('input[name="email"]').fill(NEW_USER.email);
    await dialog.locator('input[name="name"]').fill(NEW_USER.name);
    await dialog.locator('input[name="password"]').fill(NEW_USER.password);
    await pick(admin, dialog, 'Organisation', NEW_USER.organisation);
    await pick(admin, dialog, 'Roles', NEW_USER.role);
    // Close the open option list by clicking the dialog's title, as a person would.
    await dialog.getByRole('heading').first().click();
    await snapshot(admin, 'user-create-filled');
    await dialog.getByTestId('user-create-submit').click();

    await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    const row = admin.getByTestId(`user-row-${NEW_USER.email}`);
    await visible(row);
    // textContent: badges are shown in capitals, but the words are the role's name.
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain(NEW_USER.name);
    expect(rowText).toContain(NEW_USER.email);
    expect(rowText).toContain(NEW_USER.organisation);
    expect(rowText).toContain(NEW_USER.role);
    expect(rowText).toContain('Active');
    await snapshot(admin, 'users-with-new-user');

    // At 1280 px the table fits beside the navigation: each row's actions are one button,
    // named after the user, in view without scrolling sideways.
    const actions = row.getByRole('button', { name: `Actions for ${NEW_USER.name}`, exact: true });
    const box = await actions.boundingBox();
    expect(box, 'the actions button is laid out').not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(VIEWPORT.width);
    const table = admin.locator('main table');
    expect(await table.evaluate((element) => element.scrollWidth <= (element.parentElement?.clientWidth ?? 0))).toBe(true);
    await actions.click();
    const menu = admin.getByRole('menu');
    await visible(menu);
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual(['Edit', 'Reset password', 'Disable']);
    await admin.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });

    // The new user, in a browser profile of their own.
    const reporter = await (await e2e.newContext()).newPage();
    await signIn(reporter, e2e.server, NEW_USER.email, NEW_USER.password);
    expect(await shownText(reporter.getByTestId('user-menu'))).toContain(NEW_USER.name);
    // A field reporter starts on the map and may see the map and their account, nothing else.
    await reporter.waitForURL(/\/map$/, { timeout: UI_TIMEOUT_MS });
    await visible(reporter.getByTestId('nav-map'));
    await visible(reporter.getByTestId('nav-account'));
    for (const item of ['organisations', 'users', 'roles', 'audit']) {
      expect(await reporter.getByTestId(`nav-${item}`).count(), `nav-${item}`).toBe(0);
    }
    // The map is theirs to use.
    await waitForMap(reporter);
    await snapshot(reporter, 'field-reporter-map');

    // Typing the address of a page the role does not allow says so, and shows no users.
    await reporter.goto(`${e2e.server.url}/users`);
    await visible(reporter.getByText('Not available', { exact: true }));
    expect(await reporter.getByTestId('user-create').count()).toBe(0);
    expect(await reporter.getByTestId('user-row-admin@concord.example').count()).toBe(0);
    await snapshot(reporter, 'field-reporter-users-page');
  });
});
