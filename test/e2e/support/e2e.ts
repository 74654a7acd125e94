/**
 * What every browser test file shares: whether Chromium is there (the tests are skipped,
 * with the reason in their name, when it is not), a built web app, one server and one
 * browser per file, and helpers for the things a user does on every page.
 *
 * UPDATE_SCREENSHOTS=1 rewrites the README's screenshots in docs/screenshots;
 * E2E_SCREENSHOT_DIR=<dir> saves a screenshot of each step there, to look at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type ConcordServer, ROOT, type ServerOptions, startServer } from './server.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
export const SKIP_REASON = `skipped: Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`;

/** The suite's title, with the reason appended when the suite is skipped. */
export function suiteTitle(title: string): string {
  if (HAS_CHROMIUM) return title;
  console.warn(`${title}: ${SKIP_REASON}`);
  return `${title} (${SKIP_REASON})`;
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--enable-unsafe-swiftshader',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Software WebGL is slow: waits on the map are long, but bounded. */
export const MAP_TIMEOUT_MS = 60_000;
export const UI_TIMEOUT_MS = 15_000;
export const VIEWPORT = { width: 1280, height: 800 };

/** Waits for an element to be visible, and fails after `timeout` if it never is. */
export function visible(locator: Locator, timeout = UI_TIMEOUT_MS): Promise<void> {
  return locator.waitFor({ state: 'visible', timeout });
}

const WEB_INDEX = join(ROOT, 'dist/web/index.html');
const BUILD_LOCK = join(ROOT, 'dist/.e2e-build.lock');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Builds the web app if dist/web is missing. Test files run in parallel, so the build
 * happens under a lock and the others wait for it. A build older than its sources is
 * left alone (rebuilding under a running test would break it) but reported.
 */
async function ensureWebApp(): Promise<void> {
  if (!existsSync(WEB_INDEX)) {
    mkdirSync(dirname(BUILD_LOCK), { recursive: true });
    const deadline = Date.now() + 110_000;
    for (;;) {
      try {
        mkdirSync(BUILD_LOCK);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`Gave up waiting for ${BUILD_LOCK}; remove it if no build is running.`);
        await new Promise((done) => setTimeout(done, 500));
      }
    }
    try {
      if (!existsSync(WEB_INDEX)) {
        execFileSync(process.execPath, [join(ROOT, 'scripts/build-web-if-needed.mjs')], { cwd: ROOT, stdio: 'inherit' });
      }
    } finally {
      rmdirSync(BUILD_LOCK);
    }
  }
  const sources = ['src/web', 'src/shared'].map((dir) => join(ROOT, dir)).filter(existsSync);
  if (Math.max(...sources.map(newest)) > statSync(WEB_INDEX).mtimeMs) {
    console.warn('dist/web is older than src/web: these tests run the old build. Run `node scripts/build-web-if-needed.mjs` first.');
  }
}

export interface E2E {
  server: ConcordServer;
  browser: Browser;
  /** Every request a page of this file made to a host other than the server. */
  foreignRequests: string[];
  /** A fresh browser profile (no cookies, no stored language) at 1280x800 in English. */
  newContext(): Promise<BrowserContext>;
}

/**
 * Registers beforeAll/afterAll hooks that start a server and launch Chromium for the
 * calling test file. Call it inside the (skippable) describe block.
 */
export function useE2E(serverOptions: ServerOptions = {}): E2E {
  const state = { foreignRequests: [] as string[] } as E2E;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await ensureWebApp();
    state.server = await startServer(serverOptions);
    state.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await state.browser?.close().catch(() => {});
    await state.server?.stop();
  });

  state.newContext = async () => {
    const origin = new URL(state.server.url).origin;
    const context = await state.browser.newContext({ viewport: VIEWPORT, locale: 'en-GB', serviceWorkers: 'block' });
    contexts.push(context);
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const isForeign = (url: string) => /^(https?|wss?):/.test(url) && new URL(url).origin !== origin;
    context.on('request', (request) => {
      if (isForeign(request.url())) state.foreignRequests.push(request.url());
    });
    // Nothing may leave the machine: anything not for the local server fails at once.
    await context.route(
      (url) => isForeign(url.href),
      (route) => route.abort('blockedbyclient'),
    );
    return context;
  };
  return state;
}

/** The text a person sees in an element: CSS applied, hidden parts left out, capitals as shown. */
export function shownText(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: this is a Playwright locator, and the visible text is the point
  return locator.innerText();
}

/** Signs in through the form and waits for the app shell. */
export async function signIn(page: Page, server: ConcordServer, email: string, password = server.demoPassword) {
  await page.goto(`${server.url}/sign-in`);
  try {
    await fillSignIn(page, email, password);
    await visible(page.getByTestId('user-menu'));
  } catch (error) {
    await snapshot(page, `failed-sign-in-${email}`);
    const text = await shownText(page.locator('body')).catch(() => '');
    throw new Error(`Signing in as ${email} failed at ${page.url()}; the page said:\n${text}`, { cause: error });
  }
}

export async function fillSignIn(page: Page, email: string, password: string) {
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
}

/** Saves a screenshot when E2E_SCREENSHOT_DIR is set, to look at what the tests saw. */
export async function snapshot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOT_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), animations: 'disabled' });
}

/**
 * Picks a language with the language switch, whether it is a segmented control (radio
 * buttons) or a select.
 */
export async function chooseLanguage(page: Page, language: 'en' | 'ar'): Promise<void> {
  const label = language === 'ar' ? 'العربية' : 'English';
  const control = page.getByTestId('language-switch').first();
  await visible(control);
  if ((await control.locator('input[type="radio"]').count()) > 0) {
    await control.getByText(label, { exact: true }).click();
    return;
  }
  await control.click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

/** Waits until the map page's map has loaded its layers and rendered. */
export async function waitForMap(page: Page): Promise<void> {
  await visible(page.locator('[data-testid="map"][data-ready="true"]'), MAP_TIMEOUT_MS);
  await page.waitForFunction(() => Boolean((window as { __concordMap?: unknown }).__concordMap), undefined, {
    timeout: MAP_TIMEOUT_MS,
  });
}

/** Opens the map page from the navigation and waits until its layers have rendered. */
export async function openMap(page: Page): Promise<void> {
  await page.getByTestId('nav-map').click();
  await page.waitForURL(/\/map$/);
  await waitForMap(page);
}
