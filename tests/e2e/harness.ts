import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Rollup } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import { launch, serve, type Served } from './browser';

export { launch, serve, type Served } from './browser';

/** Collects console errors, page errors and CSP violations of a page for assertions. */
export function watchPage(page: Page): { errors: string[]; csp: string[] } {
  const seen = { errors: [] as string[], csp: [] as string[] };
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Content-Security-Policy/i.test(text)) seen.csp.push(text);
    if (m.type() === 'error') seen.errors.push(text);
  });
  return seen;
}

/** A fresh context at phone or desktop size. */
export function newContext(browser: Browser, phone = false): Promise<BrowserContext> {
  return browser.newContext(
    phone
      ? {
          viewport: { width: 390, height: 844 },
          deviceScaleFactor: 2,
          isMobile: true,
          hasTouch: true,
        }
      : { viewport: { width: 1280, height: 900 } },
  );
}

/** A fresh context (desktop, or phone with `phone`) with one page, watched by `watchPage`, opened at `url`. */
export async function openApp(
  browser: Browser,
  url: string,
  phone = false,
): Promise<{ context: BrowserContext; page: Page; seen: ReturnType<typeof watchPage> }> {
  const context = await newContext(browser, phone);
  const page = await context.newPage();
  const seen = watchPage(page);
  await page.goto(url);
  return { context, page, seen };
}

/** Waits until a panel's backend line names `backend` (its worker started and passed its self-test). */
export async function backendReady(ui: Locator | Page, backend = 'webgpu'): Promise<void> {
  await expect
    .poll(() => ui.getByTestId('backend').textContent(), { timeout: 120_000 })
    .toContain(backend);
}

/** `tests/e2e/probes/<file>` bundled as one classic script, to evaluate in a page or a worker (it defines its own globals). */
export async function bundleProbe(file: string): Promise<string> {
  // Imported here, not at the top: most e2e tests bundle nothing and need not load vite.
  const { build } = await import('vite');
  const entry = fileURLToPath(new URL(`./probes/${file}`, import.meta.url));
  const out = (await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry, formats: ['iife'], name: 'probeBundle' },
    },
  })) as Rollup.RollupOutput[];
  return (out[0].output[0] as Rollup.OutputChunk).code;
}

/** Serves the build and launches chromium once for a test file; closes both after it. */
export function useApp(): { readonly server: Served; readonly browser: Browser } {
  const app = {} as { server: Served; browser: Browser };
  beforeAll(async () => {
    app.server = await serve();
    app.browser = await launch();
  });
  afterAll(async () => {
    await app.browser?.close();
    app.server?.stop();
  });
  return app;
}

/** The step a panel's progress view shows. */
export async function stepShown(ui: Locator): Promise<number> {
  return Number(await ui.getByTestId('step').textContent());
}

/** Presses the panel's Pause and waits until the worker reports it paused (checkpoint written). */
export async function pauseAndWait(ui: Locator, timeout = 60_000): Promise<void> {
  await ui.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(() => ui.getByTestId('state').textContent(), { timeout }).toBe('paused');
}

/** After a reload: opens `tab`, checks the session is listed at `saved`, resumes it from exactly there, trains a step and pauses. */
export async function resumeAt(
  page: Page,
  tab: string,
  ui: Locator,
  saved: number,
  pauseTimeout = 60_000,
): Promise<void> {
  await page.getByRole('tab', { name: tab }).click();
  await expect.poll(() => ui.getByText(`step ${saved} ·`).count(), { timeout: 60_000 }).toBe(1);
  await backendReady(ui);
  await ui
    .getByRole('button', { name: /^Resume / })
    .first()
    .click();
  // Resuming rebuilds the networks (and the GAN's face pool) in a fresh worker: slow on a busy CI.
  await expect
    .poll(() => ui.getByText(`from step ${saved}.`).count(), { timeout: 180_000 })
    .toBe(1);
  await expect.poll(() => stepShown(ui), { timeout: 120_000 }).toBeGreaterThan(saved);
  await pauseAndWait(ui, pauseTimeout);
}

/** Where a test's screenshot `name` goes: test-results/, or docs/ under `npm run screenshots` (SCREENSHOT_DIR=docs), so `npm test` never rewrites tracked files. */
export function shotPath(name: string): string {
  return `${process.env.SCREENSHOT_DIR ?? 'test-results'}/${name}`;
}

/** Desktop (1280x800) and phone (390x844) screenshots named `name-desktop.png` and `name-phone.png`, `what` centred in view. */
export async function shotsOf(page: Page, what: Locator, name: string): Promise<void> {
  const viewport = page.viewportSize();
  for (const [size, width, height] of [
    ['desktop', 1280, 800],
    ['phone', 390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await what.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: shotPath(`${name}-${size}.png`) });
  }
  if (viewport) await page.setViewportSize(viewport);
}

/** The tiny corpus the cpu e2e tests train on, and the name its session gets. */
export const TINY_TEXT = 'the quick brown fox jumps over the lazy dog. '.repeat(30);
export const TINY_NAME = 'Text on tiny.txt';

/** Opens `url` in `page`, waits for the cpu backend and sets the Text tab up for a tiny session (tiny.txt, batch 8, 8 LSTM units), ready to Train; returns the tab. */
export async function setUpTinyText(page: Page, url: string): Promise<Locator> {
  await page.goto(url);
  const ui = page.locator('text-panel');
  await backendReady(ui, 'cpu');
  await ui.getByLabel('Choose text file', { exact: true }).setInputFiles({
    name: 'tiny.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from(TINY_TEXT),
  });
  await expect
    .poll(() => ui.getByLabel('Corpus', { exact: true }).inputValue())
    .not.toBe('bundled');
  await ui.getByLabel('Batch size', { exact: true }).fill('8');
  await ui.getByLabel('LSTM units', { exact: true }).fill('8');
  return ui;
}
