import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chooseLanguage, HAS_CHROMIUM, shownText, signIn, snapshot, suiteTitle, UI_TIMEOUT_MS, useE2E, visible } from './support/e2e.ts';

/** Signs in over HTTP and returns a function that calls the API as that user. */
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
    const json = await response.json();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}

async function status(page: Page): Promise<string | null> {
  return page.locator('main [data-testid="claim-status"]').first().getAttribute('data-status');
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('a country claims reimbursement and finance pays it'), { timeout: 180_000 }, () => {
  const e2e = useE2E();

  it('imports strength figures, drafts and submits a claim; finance verifies, approves and pays it', async () => {
    // Money on a personnel line, through the API, for the payment at the end.
    const admin = await apiAs(e2e.server.url, 'admin@concord.example', e2e.server.demoPassword);
    const organisations = await admin('GET', '/api/organisations?pageSize=100');
    const donor = organisations.items.find((o: { type: string }) => o.type === 'donor');
    const instrument = await admin('POST', '/api/funding/instruments', {
      donorOrgId: donor.id,
      name: 'Browser test fund',
      kind: 'trust_fund',
    });
    const line = await admin('POST', '/api/funding/budget-lines', {
      code: 'E2E-TCC',
      nameEn: 'Troop cost reimbursement',
      nameAr: 'سداد تكاليف القوات',
      category: 'personnel_reimbursement',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      amountUsd: '5000000.00',
    });
    const money = { instrumentId: instrument.id, amount: '2000000.00', valueDate: '2026-03-01' };
    await admin('POST', '/api/funding/receipts', money);
    await admin('POST', '/api/funding/allocations', { ...money, budgetLineId: line.id });

    // The country's liaison imports its figures: one good row, one bad.
    const country = await (await e2e.newContext()).newPage();
    await signIn(country, e2e.server, 'liaison@concord.example');
    await chooseLanguage(country, 'en');
    await country.getByTestId('nav-claims').click();
    await country.waitForURL(/\/funding\/claims$/);
    await country
      .getByTestId('strength-csv')
      .fill('contingent,month,personnel_days\nGarada Battalion,2026-04,24000\nEngineers,2026-4,10\n');
    await country.getByTestId('strength-import').click();
    const result = country.getByTestId('import-result');
    await visible(result);
    expect(await shownText(result)).toContain('Imported 1');
    expect(await shownText(result)).toContain('Line 3');
    await visible(country.getByTestId('strengths-table').getByText('Garada Battalion'));
    await snapshot(country, 'claims-import-en');

    // A draft without personnel-days takes them from the figure just imported.
    await country.getByTestId('draft-claim').click();
    const dialog = country.getByRole('dialog');
    await dialog.getByLabel('Contingent').fill('Garada Battalion');
    await dialog.getByLabel('Month').fill('2026-04');
    await dialog.getByLabel('Funding instrument').click();
    await country.getByRole('option', { name: /Browser test fund/ }).click();
    await dialog.getByLabel('Budget line').click();
    await country.getByRole('option', { name: /E2E-TCC/ }).click();
    await country.getByTestId('draft-claim-submit').click();
    await country.waitForURL(/\/funding\/claims\/[0-9a-f-]{36}$/);
    const claimUrl = country.url();
    await expect.poll(() => status(country), { timeout: UI_TIMEOUT_MS }).toBe('drafted');
    // 24,000 personnel-days × USD 1,428 ÷ 30 days
    expect(await shownText(country.locator('main'))).toContain('$1,142,400.00');
    await country.getByTestId('move-submitted').click();
    await expect.poll(() => status(country), { timeout: UI_TIMEOUT_MS }).toBe('submitted');
    expect(await country.getByTestId('move-verified').count(), 'a country cannot verify its own claim').toBe(0);

    // Headquarters verifies and approves; separation of duties leaves the payment to another finance officer.
    const approver = await (await e2e.newContext()).newPage();
    await signIn(approver, e2e.server, 'admin@concord.example');
    await approver.goto(claimUrl);
    for (const to of ['verified', 'approved']) {
      await approver.getByTestId(`move-${to}`).click();
      await expect.poll(() => status(approver), { timeout: UI_TIMEOUT_MS }).toBe(to);
    }
    expect(await approver.getByTestId('move-paid').count(), 'whoever approved does not pay').toBe(0);

    // Finance, in Arabic, pays it.
    const finance = await (await e2e.newContext()).newPage();
    await signIn(finance, e2e.server, 'finance@concord.example');
    await chooseLanguage(finance, 'ar');
    await finance.goto(claimUrl);
    await finance.getByTestId('move-paid').click();
    await expect.poll(() => status(finance), { timeout: UI_TIMEOUT_MS }).toBe('paid');
    expect(await finance.getByTestId('claim-event').count()).toBe(5);
    await finance.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { timeout: UI_TIMEOUT_MS });
    await snapshot(finance, 'claim-paid-ar');

    const paid = await admin('GET', `/api/funding/transactions?kind=disbursement&budgetLineId=${line.id}`);
    expect(paid.items).toHaveLength(1);
    expect(paid.items[0].amountUsd).toBe('1142400.00');
    expect(paid.items[0].claimId).toBe(claimUrl.split('/').at(-1));
  });
});
