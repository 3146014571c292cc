import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  backendReady,
  openApp,
  pauseAndWait,
  resumeAt,
  shotPath,
  stepShown,
  useApp,
} from './harness';

const TINY = 'a stitch in time saves nine, said the whale. '.repeat(30);

async function trainUntil(ui: Locator, minStep: number): Promise<number> {
  await ui.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => stepShown(ui), { timeout: 240_000 }).toBeGreaterThanOrEqual(minStep);
  await pauseAndWait(ui);
  return stepShown(ui);
}

describe('offline PWA in Chromium (WebGPU on SwiftShader)', () => {
  const app = useApp();

  it('after one visit, loads, trains both models, samples, reloads and resumes with the network off', async () => {
    const { context, page, seen } = await openApp(app.browser, app.server.url);
    await expect
      .poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 60_000 })
      .toBe(true);

    await context.setOffline(true);
    const offlineRequests: { url: string; fromSw: boolean; failed: boolean }[] = [];
    context.on('requestfinished', async (r) => {
      const res = await r.response();
      offlineRequests.push({ url: r.url(), fromSw: !!res?.fromServiceWorker(), failed: false });
    });
    context.on('requestfailed', (r) =>
      offlineRequests.push({ url: r.url(), fromSw: false, failed: true }),
    );
    await page.reload();
    await page.getByRole('tab', { name: 'Text' }).waitFor();

    const text = page.locator('text-panel');
    await backendReady(text);
    await text.getByRole('button', { name: 'Download Nietzsche corpus' }).click();
    await expect
      .poll(() => text.getByRole('alert').textContent())
      .toMatch(/needs a network connection/);
    await text.getByLabel('Choose text file', { exact: true }).setInputFiles({
      name: 'offline.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(TINY),
    });
    await text.getByLabel('Batch size', { exact: true }).fill('16');
    await text.getByLabel('LSTM units', { exact: true }).fill('16');
    const textSaved = await trainUntil(text, 3);
    await text.getByLabel('Length', { exact: true }).fill('30');
    await text.getByRole('button', { name: 'Sample', exact: true }).click();
    await expect
      .poll(async () => (await text.getByTestId('sample').first().textContent())?.length, {
        timeout: 120_000,
      })
      .toBe(30);

    await page.getByRole('tab', { name: 'Faces' }).click();
    const faces = page.locator('faces-panel');
    await backendReady(faces);
    await faces.getByLabel('Batch size', { exact: true }).fill('4');
    await faces.getByLabel('Grid every N steps', { exact: true }).fill('2');
    const facesSaved = await trainUntil(faces, 2);
    await faces.getByTestId('sample-grid').waitFor();

    await page.reload();
    await resumeAt(page, 'Text', text, textSaved);
    // The faces worker starts again from the service worker's cache and lists its session; resuming
    // it is the faces e2e's job (here it would cost CI minutes of SwiftShader pipeline compiles).
    await page.getByRole('tab', { name: 'Faces' }).click();
    await backendReady(faces);
    await expect.poll(() => faces.getByText(`step ${facesSaved} ·`).count()).toBe(1);

    // blob: URLs are the page's own images; every http request must be answered by the service worker.
    const leaked = offlineRequests.filter(
      (r) => r.url.startsWith('http') && (r.failed || !r.fromSw),
    );
    expect(leaked).toEqual([]);
    expect(offlineRequests.length).toBeGreaterThan(3);
    expect(seen.csp).toEqual([]);
    expect(seen.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
    await page.screenshot({ path: shotPath('offline-desktop.png') });
    await context.close();
  });
});
