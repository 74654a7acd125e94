/**
 * Every page, as every demo role sees it. Signed in as each role, one browser session walks
 * the pages it may open (taken from the navigation's definition, so a new page is walked the
 * day it is added) so that every page comes right after every other page once: a page that
 * breaks on what the previous one left in the cache (as Funding did after Stakeholders) shows
 * up here as a page error or an empty main area. Then each page at phone size (360 x 740) in
 * English and in Arabic: nothing wider than the screen (tables scroll in their own box), and
 * the navigation within a thumb's reach.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_SIGN_INS } from '../../src/server/scenario/gaza.ts';
import { allowedPages } from '../../src/web/shell/nav-items.ts';
import { HAS_CHROMIUM, signIn, snapshot, suiteTitle, UI_TIMEOUT_MS, useE2E } from './support/e2e.ts';

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

/** How far the document reaches past the right (or, right to left, the left) edge of the screen. */
function overflow(page: Page): Promise<{ scrollWidth: number; width: number; widest: string }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    let widest = '';
    let reach = width;
    for (const element of document.querySelectorAll('body *')) {
      const box = element.getBoundingClientRect();
      // Nothing to see, or a drawer slid away off the screen (the navigation on a phone).
      if (box.width === 0 || box.height === 0 || box.right <= 0 || box.left >= width) continue;
      const out = Math.max(box.right - width, -box.left);
      // Inside a box that scrolls on its own, a wide element is fine.
      let scrolls = false;
      for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (/(auto|scroll|hidden|clip)/.test(style.overflowX)) {
          scrolls = true;
          break;
        }
      }
      if (!scrolls && out > 1 && width + out > reach) {
        reach = width + out;
        widest = `${element.tagName.toLowerCase()}.${[...element.classList].slice(0, 2).join('.')} "${element.textContent?.slice(0, 40) ?? ''}"`;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, widest };
  });
}

async function permissionsOf(page: Page): Promise<{ permissions: string[]; mustEnrolTotp: boolean }> {
  return page.evaluate(async () => {
    const response = await fetch('/api/auth/session', { headers: { accept: 'application/json' } });
    const body = (await response.json()) as { user: { permissions: string[]; mustEnrolTotp: boolean } };
    return body.user;
  });
}

async function switchLanguage(page: Page, language: 'en' | 'ar'): Promise<void> {
  await page.evaluate((lng) => localStorage.setItem('concord.language', lng), language);
  await page.reload();
  await page.waitForFunction((lng) => document.documentElement.lang === lng, language, { timeout: UI_TIMEOUT_MS });
}

const PHONE = { width: 360, height: 740 };
/** The least height a target needs to be hit by a thumb (WCAG 2.5.5 asks 44 CSS pixels). */
const THUMB = 44;

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
    it(`${role} (${email}): every page after every other in one session, then each at phone size in English and Arabic`, async () => {
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

      // 2. Each page at phone size, in English then in Arabic: nothing wider than the screen,
      // and the navigation opens from the header with targets a thumb can hit.
      await page.setViewportSize(PHONE);
      const wide: string[] = [];
      const thumb: string[] = [];
      for (const language of ['en', 'ar'] as const) {
        await switchLanguage(page, language);
        await page.getByRole('banner').getByRole('button').first().click();
        const links = page.locator('nav a[data-testid^="nav-"]');
        await links.first().waitFor({ state: 'visible' });
        // The navigation slides in; measure where it comes to rest.
        await page.waitForTimeout(600);
        for (const box of await links.evaluateAll((all) =>
          all.map((a) => ({ key: a.getAttribute('data-testid'), ...a.getBoundingClientRect().toJSON() })),
        )) {
          if (box.height < THUMB || box.left < 0 || box.right > PHONE.width)
            thumb.push(`${language}: ${box.key} is ${Math.round(box.height)} px tall at ${Math.round(box.left)}..${Math.round(box.right)}`);
        }
        await links.first().click();
        for (const to of paths) {
          here = `${to} (${language}, 360 px)`;
          await goInside(page, to);
          await check('(phone)', to);
          // Let charts and late rows take their size.
          await page.waitForTimeout(150);
          const o = await overflow(page);
          if (o.scrollWidth > o.width + 1) {
            await snapshot(page, `wide-${role}-${language}-${to.replaceAll('/', '_')}`);
            wide.push(`${to} (${language}): ${o.scrollWidth} px wide on a ${o.width} px screen; widest: ${o.widest}`);
          }
        }
      }
      expect(
        { problems, errors, wide, thumb },
        "at phone size: blank pages, errors, pages wider than the screen, navigation out of thumb's reach",
      ).toEqual({
        problems: [],
        errors: [],
        wide: [],
        thumb: [],
      });
      await context.close();
    });
  }
});
