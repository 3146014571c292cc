// How soon a person sees what they came for: in Chromium on the cpu backend, with the starters
// already cached (one visit, then a fresh page), the time from pressing Sample to the first
// characters on screen, and from pressing Generate to the first face grid.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { STARTER_FOLDERS } from '../src/shared/starters';
import { launch, serve } from '../tests/e2e/browser';
import type { BenchResult } from './run';

/** Runs the starter timings; one row per shipped starter (backend `chromium-cpu`). */
export async function runStartersBench(): Promise<BenchResult> {
  execSync('npm run build', { stdio: ['ignore', 'ignore', 'inherit'] });
  const index = JSON.parse(readFileSync('public/starters/index.json', 'utf8')) as Record<
    string,
    unknown
  >;
  const server = await serve('dist');
  const browser = await launch();
  const row: Record<string, number> = {};
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const url = `${server.url}?backend=cpu`;
    await page.goto(url);
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, {
      timeout: 120_000,
    });
    await page.reload();
    if ('char-lstm' in index) {
      const text = page.locator('text-panel');
      await text.getByTestId('backend').filter({ hasText: 'cpu' }).waitFor({ timeout: 120_000 });
      await text.getByTestId('starter-summary').waitFor();
      const t0 = Date.now();
      await text.getByRole('button', { name: 'Sample', exact: true }).click();
      await text
        .getByTestId('sample')
        .first()
        .filter({ hasText: /\S/ })
        .waitFor({ timeout: 60_000 });
      row.starterFirstSampleMs = Date.now() - t0;
    }
    if ('gan' in index) {
      await page.getByRole('tab', { name: 'Faces' }).click();
      const faces = page.locator('faces-panel');
      await faces.getByTestId('backend').filter({ hasText: 'cpu' }).waitFor({ timeout: 120_000 });
      await faces.getByTestId('starter-summary').waitFor();
      const t0 = Date.now();
      await faces.getByRole('button', { name: 'Generate', exact: true }).click();
      await faces.getByRole('button', { name: 'Face 1', exact: true }).waitFor({ timeout: 60_000 });
      row.starterFirstGridMs = Date.now() - t0;
    }
    await context.close();
  } finally {
    await browser.close();
    server.stop();
  }
  return {
    backends: { 'chromium-cpu': row },
    starters: Object.keys(index).map((k) => STARTER_FOLDERS[k as keyof typeof STARTER_FOLDERS]),
  };
}
