import { describe, expect, it } from 'vitest';
import { chooseLanguage, HAS_CHROMIUM, shownText, signIn, snapshot, suiteTitle, UI_TIMEOUT_MS, useE2E, visible } from './support/e2e.ts';

describe.skipIf(!HAS_CHROMIUM)(suiteTitle("an auditor checks the audit log's seal"), { timeout: 120_000 }, () => {
  const e2e = useE2E();

  it('sees the last signed tree head and an intact log, verifies every record, in English and in Arabic at 360 px', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await signIn(page, e2e.server, 'auditor@concord.example');
    await chooseLanguage(page, 'en');
    await page.getByTestId('nav-audit').click();
    await page.waitForURL(/\/audit$/);
    // Opening the page checks what was sealed since the last verification.
    const seal = page.getByTestId('audit-seal');
    await visible(seal.getByTestId('audit-seal-status'));
    expect(await shownText(seal.getByTestId('audit-seal-status'))).toMatch(/intact/i);
    expect(await shownText(seal.getByTestId('audit-seal-head'))).toMatch(/^Records: \d+ · signed /);
    expect(await shownText(seal)).toMatch(/\b[0-9a-f]{64}\b/);

    await seal.getByTestId('audit-verify').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="audit-seal"]')?.textContent?.includes('Every record recomputed'),
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    expect(await shownText(seal.getByTestId('audit-seal-status'))).toMatch(/intact/i);
    await snapshot(page, 'audit-seal-en');

    // Each sealed record shows its place in the log.
    await page.getByTestId('audit-row').first().getByRole('button').click();
    await page.waitForFunction(() => /Place \d+ in the log|Waiting to be sealed/.test(document.body.textContent ?? ''), undefined, {
      timeout: UI_TIMEOUT_MS,
    });

    await page.setViewportSize({ width: 360, height: 800 });
    await chooseLanguage(page, 'ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { timeout: UI_TIMEOUT_MS });
    await visible(seal.getByText('ختم السجل'));
    await seal.getByTestId('audit-verify-since').click();
    await visible(seal.getByTestId('audit-seal-status'));
    expect(await shownText(seal.getByTestId('audit-seal-status'))).toBe('سليم');
    // Nothing sticks out of a phone's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await snapshot(page, 'audit-seal-ar-360');
  });
});
