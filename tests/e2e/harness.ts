import { spawn, type ChildProcess } from 'node:child_process';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

/** Debian's chromium: tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that give headless Chromium real WebGPU on SwiftShader and keep it off the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A served build: its base URL and a way to stop it. */
export interface Served {
  url: string;
  stop(): void;
}

/** Serves `dir` (default: $E2E_DIST or dist) with the project's own static server on a free port. */
export function serve(dir = process.env.E2E_DIST ?? 'dist'): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['scripts/serve.mjs', '--port', '0', '--dir', dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Serving .* at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], stop: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
}

/** Launches headless Debian chromium with WebGPU on SwiftShader. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

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
  await expect
    .poll(() => ui.getByTestId('backend').textContent(), { timeout: 120_000 })
    .toContain('webgpu');
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
