import { describe, expect, it } from 'vitest';
import { chooseLanguage, HAS_CHROMIUM, shownText, signIn, snapshot, suiteTitle, UI_TIMEOUT_MS, useE2E, visible } from './support/e2e.ts';

describe.skipIf(!HAS_CHROMIUM)(suiteTitle("a political officer follows a stakeholder's positions"), { timeout: 120_000 }, () => {
  const e2e = useE2E();

  it('shows positions over time with their sources, the stance as of a date, and records a new one', async () => {
    const page = await (await e2e.newContext()).newPage();
    await signIn(page, e2e.server, 'political@concord.example');
    await chooseLanguage(page, 'en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr', undefined, { timeout: UI_TIMEOUT_MS });
    await page.getByTestId('nav-stakeholders').click();
    await page.waitForURL(/\/stakeholders$/);
    await visible(page.getByTestId('stakeholders-table'));
    const israel = page.getByTestId('stakeholder-row').filter({ hasText: 'Israel (government)' });
    // The current stances are summed up in the list.
    await visible(israel.getByTestId('stance-summary'));
    expect(await shownText(israel.locator('[data-stance="opposes"]'))).toMatch(/^opposes \d+$/i);
    await snapshot(page, 'stakeholders-en');

    await israel.getByRole('link').first().click();
    await page.waitForURL(/\/stakeholders\/[0-9a-f-]{36}$/);
    await visible(page.getByTestId('position-history'));
    // Every position of the scenario is cited with its source.
    const items = page.getByTestId('position-item');
    const count = await items.count();
    expect(count).toBeGreaterThan(5);
    for (const item of await items.all()) expect((await shownText(item.getByTestId('position-source'))).length).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="position-source"][href^="https://"]').count()).toBeGreaterThan(0);
    // The stakeholder must act on some conditions, each a link to its page (once the conditions have come).
    await visible(page.getByTestId('must-act'));
    expect(await page.getByTestId('must-act').getByRole('link').count()).toBeGreaterThan(0);

    // As of today every subject has one stance; before the first statement, none.
    const subjects = await page.getByTestId('position-subject').count();
    await visible(page.getByTestId('stance-as-of'));
    expect(await page.getByTestId('stance-as-of-row').count()).toBe(subjects);
    await snapshot(page, 'stakeholder-en');
    const earliest = (await items.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-stated-on') ?? ''))).sort()[0];
    const dayBefore = new Date(Date.parse(earliest) - 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('stakeholder-as-of').fill(dayBefore);
    await visible(page.getByTestId('stance-as-of-empty'));
    await page.getByTestId('stakeholder-as-of').fill(earliest);
    await visible(page.getByTestId('stance-as-of'));
    expect(await page.getByTestId('stance-as-of-row').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('stance-as-of-row').count()).toBeLessThan(subjects);

    // A new position on a new topic, with its source.
    const today = new Date().toISOString().slice(0, 10);
    await page.getByTestId('stakeholder-as-of').fill(today);
    await page.getByTestId('position-record').click();
    const dialog = page.getByRole('dialog');
    await visible(dialog);
    await dialog.getByText('A topic', { exact: true }).click();
    await dialog.locator('input[name="topic"]').fill('Reopening of the Rafah crossing');
    await dialog.locator('select[name="stance"]').selectOption('conditional');
    await dialog.locator('input[name="statedOn"]').fill(today);
    await dialog.locator('input[name="source"]').fill('Cabinet communiqué');
    await dialog.locator('input[name="sourceUrl"]').fill('https://example.org/communique');
    await snapshot(page, 'stakeholder-position-form-en');
    await dialog.getByTestId('position-submit').click();
    await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });

    const row = page.getByTestId('stance-as-of-row').filter({ hasText: 'Reopening of the Rafah crossing' });
    await visible(row);
    expect(await row.getByTestId('stance').getAttribute('data-stance')).toBe('conditional');
    expect(await row.getByRole('link', { name: 'Cabinet communiqué' }).getAttribute('href')).toBe('https://example.org/communique');
    await expect.poll(() => page.getByTestId('position-subject').count(), { timeout: UI_TIMEOUT_MS }).toBe(subjects + 1);

    // The same page in Arabic runs from the right.
    await chooseLanguage(page, 'ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { timeout: UI_TIMEOUT_MS });
    expect(await shownText(page.getByTestId('nav-stakeholders'))).toBe('الأطراف المعنية');
    await visible(page.getByTestId('stance-strip').first());
    await snapshot(page, 'stakeholder-ar');
  });
});
