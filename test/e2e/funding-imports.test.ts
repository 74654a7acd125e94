/**
 * A donor officer imports an IATI file on the Imports page: strict refuses it, naming the
 * line and rule, and keeps nothing; lenient keeps the valid activity and lists the one left
 * out; the totals show money received and money passed on apart, and name what has no
 * exchange rate. In English, in Arabic (right to left) and at 360 px wide.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chooseLanguage, HAS_CHROMIUM, shownText, signIn, snapshot, suiteTitle, useE2E, visible } from './support/e2e.ts';

const activity = (id: string, transactions: string) => `<iati-activity default-currency="USD">
  <iati-identifier>${id}</iati-identifier>
  <reporting-org ref="XM-E2E" type="10"><narrative>E2E donor</narrative></reporting-org>
  <title><narrative>Water network</narrative></title><description><narrative>Repairs</narrative></description>
  <participating-org ref="XM-E2E" role="1"/><activity-status code="2"/><activity-date type="2" iso-date="2026-01-01"/>
${transactions}
</iati-activity>`;
const tx = (type: string, value: string, currency = 'USD', date = '2026-02-01') =>
  `  <transaction><transaction-type code="${type}"/><transaction-date iso-date="${date}"/><value currency="${currency}" value-date="${date}">${value}</value></transaction>`;

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('a donor officer imports an IATI file'), { timeout: 180_000 }, () => {
  const e2e = useE2E();

  it('strict refuses with the line and rule; lenient keeps the valid activity; totals keep directions apart', async () => {
    const suffix = randomUUID().slice(0, 8);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
${activity(`XM-E2E-${suffix}-1`, [tx('1', '1000000'), tx('3', '400000.25'), tx('4', '1250.5', 'KWD', '2019-01-01')].join('\n'))}
${activity(`XM-E2E-${suffix}-2`, tx('3', '10', 'USD', '2026-02-30'))}
</iati-activities>`;
    const badLine = xml.split('\n').findIndex((l) => l.includes('2026-02-30')) + 1;

    const page = await (await e2e.newContext()).newPage();
    await signIn(page, e2e.server, 'donor@concord.example');
    await page.goto(`${e2e.server.url}/funding/imports`);
    await visible(page.getByTestId('import-submit'));
    await page.getByTestId('import-file').click();
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: `donor-${suffix}.xml`, mimeType: 'application/xml', buffer: Buffer.from(xml) });
    await page.getByTestId('import-submit').click();
    await visible(page.getByTestId('import-refused'));
    const refused = await shownText(page.getByTestId('import-refused'));
    expect(refused).toContain('1 of the activities in the file is not valid, so nothing was imported.');
    expect(refused).toContain(`line ${badLine} · transaction-date · transaction.date`);
    await expect(page.getByTestId('import-history')).toBeDefined();
    await visible(page.getByTestId('import-history').getByText('Refused').first());
    await snapshot(page, 'funding-imports-refused-en');

    await page.getByTestId('import-lenient').check();
    await page.getByTestId('import-submit').click();
    await visible(page.getByTestId('import-report'));
    const report = await shownText(page.getByTestId('import-report'));
    expect(report).toContain('imported 3, already imported 0, left out 1');
    const rows = await page.getByTestId('import-figures').getByTestId('figure-row').allInnerTexts();
    expect(rows.length, rows.join(' | ')).toBe(3);
    expect(rows.some((r) => /Incoming\s+Paid\s+1\s+\S*\$1,000,000\.00/.test(r))).toBe(true);
    expect(rows.some((r) => /Outgoing\s+Paid\s+1\s+\S*\$400,000\.25/.test(r))).toBe(true);
    expect(rows.find((r) => r.includes('Spent'))).toMatch(/Leaves out 1 flow with no exchange rate: KWD\s?1,250\.500/);
    await visible(page.getByTestId('reported-flows').getByTestId('no-rate').first());
    await snapshot(page, 'funding-imports-en');

    await chooseLanguage(page, 'ar');
    await visible(page.getByText('الاستيراد').first());
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await snapshot(page, 'funding-imports-ar');

    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await snapshot(page, 'funding-imports-ar-360');
    await chooseLanguage(page, 'en');
    await snapshot(page, 'funding-imports-en-360');
  });
});
