/**
 * Every page, as every demo role sees it. Signed in as each role, one browser session walks
 * the pages it may open (taken from the navigation's definition, so a new page is walked the
 * day it is added) so that every page comes right after every other page once: a page that
 * breaks on what the previous one left in the cache (as Funding did after Stakeholders) shows
 * up here as a page error or an empty main area.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_SIGN_INS } from '../../src/server/scenario/gaza.ts';
import { allowedPages } from '../../src/web/shell/nav-items.ts';
import { HAS_CHROMIUM, signIn, suiteTitle, UI_TIMEOUT_MS, useE2E } from './support/e2e.ts';

/**
 * A walk through pages 0..n-1 in which every ordered pair (a, b), a != b, is one step:
 * an Euler circuit of the complete directed graph (Hierholzer), n(n-1) steps.
 */
function everyPairWalk(n: number): number[] {
  if (n < 2) return n === 1 ? [0] : [];
  const next = Array.from({ length: n }, (_, a) => Array.from({ length: n - 1 }, (_, i) => (i >= a ? i + 1 : i)).reverse());
  const stack = [0];
  const walk: number[] = [];
  while (stack.length > 0) {
    const at = stack[stack.length - 1];
    const to = next[at].pop();
    if (to === undefined) walk.push(stack.pop() as number);
    else stack.push(to);
  }
  return walk.reverse();
}

/** Goes to a page inside the app, as a click on a link does (no reload: the cache stays). */
async function goInside(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    window.history.pushState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

/** Waits until the page's main area has settled: shown, with text, and no loader left (a busy button aside). */
async function settled(page: Page): Promise<{ text: string; loading: boolean }> {
  try {
    await page.waitForFunction(
      () => {
        const main = document.querySelector('main');
        if (!main) return false;
        const loading = main.querySelector('.mantine-Loader-root:not(button *)');
        return !loading && (main as HTMLElement).textContent.trim().length > 0;
      },
      undefined,
      { timeout: UI_TIMEOUT_MS, polling: 50 },
    );
  } catch {
    // Reported below with what was there.
  }
  return page.evaluate(() => {
    const main = document.querySelector('main') as HTMLElement | null;
    return {
      text: main?.textContent.trim() ?? '',
      loading: Boolean(main?.querySelector('.mantine-Loader-root:not(button *)')),
    };
  });
}

async function permissionsOf(page: Page): Promise<{ permissions: string[]; mustEnrolTotp: boolean }> {
  return page.evaluate(async () => {
    const response = await fetch('/api/auth/session', { headers: { accept: 'application/json' } });
    const body = (await response.json()) as { user: { permissions: string[]; mustEnrolTotp: boolean } };
    return body.user;
  });
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('every page, for every demo role'), { timeout: 600_000 }, () => {
  const e2e = useE2E();

  it('walks every ordered pair of pages without a blank page or an error', () => {
    expect(everyPairWalk(4).length).toBe(4 * 3 + 1);
    const steps = new Set<string>();
    const walk = everyPairWalk(5);
    for (let i = 1; i < walk.length; i += 1) steps.add(`${walk[i - 1]}>${walk[i]}`);
    expect(steps.size).toBe(5 * 4);
  });

  for (const { email, role } of DEMO_SIGN_INS) {
    it(`${role} (${email}): every page after every other, in one session`, async () => {
      const context = await e2e.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      let here = '(sign-in)';
      page.on('pageerror', (error) => errors.push(`${here}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`${here}: ${message.text()}`);
      });

      await signIn(page, e2e.server, email);
      const me = await permissionsOf(page);
      const can = (permission: string) => me.permissions.includes(permission);
      const paths = me.mustEnrolTotp ? ['/account'] : allowedPages(can).map((p) => p.path);
      expect(paths.length).toBeGreaterThan(0);

      const problems: string[] = [];
      const check = async (from: string, to: string) => {
        const shown = await settled(page);
        if (!new URL(page.url()).pathname.startsWith(to)) problems.push(`${from} -> ${to}: landed on ${page.url()}`);
        // A page still loading on a busy machine is slow, not broken; one that shows nothing is broken.
        if (!shown.text && !shown.loading) problems.push(`${from} -> ${to}: the main area is empty`);
      };

      // 1. Every page right after every other page, in one session (the cache carries over).
      const walk = everyPairWalk(paths.length);
      let previous = '(sign-in)';
      for (const index of walk) {
        const to = paths[index];
        here = `${previous} -> ${to}`;
        await goInside(page, to);
        await check(previous, to);
        previous = to;
      }
      expect(problems, 'pages that came up blank or broken').toEqual([]);
      expect(errors, 'errors in the page').toEqual([]);

      await context.close();
    });
  }
});
