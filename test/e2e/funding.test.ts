import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, shownText, signIn, snapshot, suiteTitle, UI_TIMEOUT_MS, useE2E, visible } from './support/e2e.ts';
import type { ConcordServer } from './support/server.ts';

/** A signed-in API session for setting up what the pages need but offer no form for. */
async function apiAs(server: ConcordServer, email: string) {
  const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: server.demoPassword }),
  });
  const session = (await signIn.json()) as { csrfToken: string; user: { organisation: { id: string } } };
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
  return {
    organisationId: session.user.organisation.id,
    post: async (path: string, body: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { id: string };
      if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    },
  };
}

async function openPledge(page: Page, server: ConcordServer, id: string) {
  await page.goto(`${server.url}/funding/pledges/${id}`);
  await visible(page.getByTestId('tranches-table'));
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('a donor officer gates a tranche on a condition'), { timeout: 180_000 }, () => {
  const e2e = useE2E();

  it('records a pledge whose tranche is blocked until a political officer records that the condition is met', async () => {
    const donorApi = await apiAs(e2e.server, 'donor@concord.example');
    const politicalApi = await apiAs(e2e.server, 'political@concord.example');
    const suffix = randomUUID().slice(0, 8);
    const instrument = await donorApi.post('/api/funding/instruments', {
      donorOrgId: donorApi.organisationId,
      name: `Stabilization fund ${suffix}`,
      kind: 'trust_fund',
    });
    const condition = await politicalApi.post('/api/conditions', {
      code: `e2e-funding-${suffix}`,
      titleEn: `Vetting of recipient units ${suffix}`,
      titleAr: `التحقق من الوحدات المستفيدة ${suffix}`,
    });

    // The donor officer records the pledge: a first tranche with no condition, a second gated.
    const donor = await (await e2e.newContext()).newPage();
    await signIn(donor, e2e.server, 'donor@concord.example');
    await donor.getByTestId('nav-funding').click();
    await donor.waitForURL(/\/funding$/);
    await donor.getByTestId('funding-tab-pledges').click();
    await donor.waitForURL(/\/funding\/pledges$/);
    await donor.getByTestId('pledge-record').click();
    const dialog = donor.getByRole('dialog');
    await visible(dialog);
    await donor.waitForFunction((id) => !!document.querySelector(`select[name="instrumentId"] option[value="${id}"]`), instrument.id, {
      timeout: UI_TIMEOUT_MS,
    });
    await dialog.locator('select[name="instrumentId"]').selectOption(instrument.id);
    await dialog.locator('input[name="title"]').fill(`Pledge ${suffix}`);
    await dialog.locator('input[name="amount"]').fill('1000000.00');
    await dialog.locator('input[name="tranches.0.amount"]').fill('400000.00');
    await dialog.getByTestId('tranche-add').click();
    await dialog.locator('input[name="tranches.1.amount"]').fill('600000.00');
    await dialog.getByTestId('tranche-gate-1').click();
    await dialog.getByTestId('tranche-gate-1').fill(suffix);
    await donor.getByRole('option', { name: new RegExp(`Vetting of recipient units ${suffix}`) }).click();
    await donor.keyboard.press('Escape');
    await snapshot(donor, 'funding-pledge-form-en');
    // Escape may close the dropdown only; the dialog stays open for the submit.
    await visible(dialog.getByTestId('pledge-submit'));
    await dialog.getByTestId('pledge-submit').click();
    await donor.waitForURL(/\/funding\/pledges\/[0-9a-f-]{36}$/);
    const pledgeId = donor.url().split('/').at(-1) as string;

    // The second tranche is blocked and says what it waits on, linking to the condition.
    await visible(donor.getByTestId('tranche-2'));
    expect(await donor.getByTestId('tranche-1').getAttribute('data-state')).toBe('open');
    expect(await donor.getByTestId('tranche-2').getAttribute('data-state')).toBe('blocked');
    const waits = donor.getByTestId(`waits-on-${condition.id}`);
    expect(await shownText(waits)).toContain(`Vetting of recipient units ${suffix}`);
    expect(await waits.getAttribute('href')).toBe(`/conditions/${condition.id}`);
    await snapshot(donor, 'funding-pledge-blocked-en');

    // The political officer records evidence that the condition is met.
    const political = await (await e2e.newContext()).newPage();
    await signIn(political, e2e.server, 'political@concord.example');
    await political.goto(`${e2e.server.url}/conditions/${condition.id}`);
    await political.getByTestId('evidence-record').click();
    const evidence = political.getByRole('dialog');
    await visible(evidence);
    await evidence.locator('select[name="status"]').selectOption('met');
    await evidence.locator('input[name="source"]').fill('Vetting cell report');
    await evidence.getByTestId('evidence-submit').click();
    await evidence.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });

    // The donor officer sees the tranche released.
    await openPledge(donor, e2e.server, pledgeId);
    await expect.poll(() => donor.getByTestId('tranche-2').getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('open');
    expect(await donor.getByTestId('tranche-waits-on').count()).toBe(0);
    await snapshot(donor, 'funding-pledge-released-en');
  });

  it('shows public funding figures on the transparency page without signing in', async () => {
    const donorApi = await apiAs(e2e.server, 'donor@concord.example');
    const instrument = await donorApi.post('/api/funding/instruments', {
      donorOrgId: donorApi.organisationId,
      name: `Public fund ${randomUUID().slice(0, 8)}`,
      kind: 'grant',
      classification: 'public',
    });
    await donorApi.post('/api/funding/pledges', {
      instrumentId: instrument.id,
      title: 'Public pledge',
      amount: '250000.00',
      currency: 'USD',
      pledgedOn: '2026-03-01',
      classification: 'public',
    });

    const page = await (await e2e.newContext()).newPage();
    await page.goto(`${e2e.server.url}/sign-in`);
    await page.getByTestId('transparency-link').click();
    await page.waitForURL(/\/transparency$/);
    await visible(page.getByTestId('funding-totals'));
    // Public money pledged by this donor, and marked as not counted as funding.
    expect(await shownText(page.getByTestId('total-pledged-value'))).toMatch(/^\$[\d,]+$/);
    expect(await shownText(page.getByTestId('total-pledged-value'))).not.toBe('$0');
    expect(await shownText(page.getByTestId('total-pledged'))).toContain('Not counted as funding');
    expect(await page.getByTestId('donor-row').count()).toBeGreaterThan(0);
    await snapshot(page, 'transparency-en');
  });
});
