// A first visit, then offline: the Text starter writes text before anything is trained, and
// Fine-tune trains a copy of it on a text of the person's own with the network off; the Face parts
// starter predicts a built-in face's parts; the Faces starter generates faces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { StarterCard } from '../../src/shared/starters';

// The app's download address (src/ui/text/controller.ts); the test answers it itself.
const NIETZSCHE_URL =
  'https://storage.googleapis.com/tfjs-examples/lstm-text-generation/data/nietzsche.txt';
import { backendReady, openApp, pauseAndWait, stepShown, useApp } from './harness';

const OWN = 'the free spirit laughs at the old truths and makes new ones. '.repeat(20);
// The card the app under test shows: its build's starter index.
const index = JSON.parse(
  readFileSync(join(process.env.E2E_DIST ?? 'dist', 'starters/index.json'), 'utf8'),
) as Record<string, StarterCard>;
const card = index['char-lstm'];

/** A first visit (the service worker takes over), then offline and reloaded, on `tab`: its panel once its backend is ready. */
async function openOffline(browser: Browser, url: string, tab: string, panel: string) {
  const { context, page, seen } = await openApp(browser, url);
  await expect
    .poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 60_000 })
    .toBe(true);
  await context.setOffline(true);
  await page.reload();
  await page.getByRole('tab', { name: tab }).click();
  const ui = page.locator(panel);
  await backendReady(ui);
  return { context, page, seen, ui };
}

describe('starter models in Chromium, offline (WebGPU on SwiftShader)', () => {
  const app = useApp();

  it('samples the Text starter at first open and fine-tunes it offline', async () => {
    const { context, page, seen } = await openApp(app.browser, app.server.url);
    await expect
      .poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 60_000 })
      .toBe(true);
    // The real download path, answered by a small text of the test's own instead of the network.
    await context.route(NIETZSCHE_URL, (route) =>
      route.fulfill({ body: 'Supposing that truth is a woman, what then? '.repeat(40) }),
    );
    await page
      .locator('text-panel')
      .getByRole('button', { name: 'Download Nietzsche corpus' })
      .click();
    await expect
      .poll(() =>
        page
          .locator('text-panel')
          .getByText(/Nietzsche is stored on this device/)
          .count(),
      )
      .toBe(1);
    await context.setOffline(true);
    await page.reload();
    const text = page.locator('text-panel');
    await backendReady(text);
    await expect
      .poll(() => text.getByTestId('starter-summary').textContent())
      .toContain(`${card.steps.toLocaleString('en-US')} steps`);
    await expect.poll(() => text.getByTestId('sample-source').textContent()).toMatch(/starter/);

    await text.getByLabel('Length', { exact: true }).fill('200');
    await text.getByRole('button', { name: 'Sample', exact: true }).click();
    const first = text.getByTestId('sample').first();
    await expect
      .poll(async () => (await first.textContent())?.length ?? 0, { timeout: 180_000 })
      .toBe(200);
    // Each sample of the set says how many of its words are real words.
    const rates = text.locator('section[aria-labelledby="sample-h"]').getByTestId('word-rate');
    await expect.poll(() => rates.count(), { timeout: 60_000 }).toBe(4);
    console.log(`starter word rates: ${(await rates.allTextContents()).join(' ')}`);
    console.log(`starter sample: ${await text.getByTestId('sample').nth(1).textContent()}`);
    // What a person sees at first open, offline: the Sample card first, on the starter.
    await page.screenshot({ path: 'test-results/starter-text-desktop.png' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test-results/starter-text-phone.png' });
    await page.setViewportSize({ width: 1280, height: 900 });

    await text.getByLabel('Choose text file', { exact: true }).setInputFiles({
      name: 'own.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(OWN),
    });
    await expect
      .poll(() => text.getByLabel('Corpus', { exact: true }).inputValue())
      .not.toBe('bundled');
    await text.getByRole('button', { name: 'Fine-tune the starter' }).click();
    await expect
      .poll(() => stepShown(text), { timeout: 240_000 })
      .toBeGreaterThanOrEqual(card.steps + 2);
    await pauseAndWait(text);
    await expect
      .poll(() => text.getByText(/Nietzsche on own\.txt/).count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(seen.csp).toEqual([]);
    expect(seen.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
    await context.close();
  });

  it('predicts a built-in face with the Segmentation starter at first open, offline', async () => {
    const parts = index.segmenter;
    expect(parts, 'the build ships no segmentation starter').toBeDefined();
    const { context, page, seen, ui } = await openOffline(
      app.browser,
      app.server.url,
      'Segmentation',
      'seg-panel',
    );
    await expect
      .poll(() => ui.getByTestId('starter-summary').textContent())
      .toContain(`mIoU ${parts.figures.miouParts.toFixed(2)} on held-out faces`);
    await expect.poll(() => ui.getByTestId('predict-source').textContent()).toMatch(/starter/);
    // Predict comes first; training is below it.
    const top = (name: string) =>
      ui
        .getByRole('heading', { name, exact: true })
        .boundingBox()
        .then((b) => b?.y ?? NaN);
    expect(await top('Predict')).toBeLessThan(await top('Data, stages and training'));

    await ui.getByRole('button', { name: 'Predict a built-in face' }).click();
    const mask = ui.getByRole('img', { name: 'Predicted mask of held-out face 1' });
    await mask.waitFor({ timeout: 180_000 });
    // Not blank: most of the head is coloured, in several part colours.
    const drawn = await mask.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<number>();
      let shown = 0;
      for (let i = 0; i < d.length; i += 4)
        if (d[i + 3] > 0) {
          shown++;
          colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        }
      return { share: shown / (d.length / 4), colours: colours.size };
    });
    console.log(
      `segmentation starter: ${(drawn.share * 100).toFixed(0)}% of pixels coloured in ` +
        `${drawn.colours} colours, mean IoU ${await ui.getByTestId('face-iou').textContent()}`,
    );
    expect(drawn.share).toBeGreaterThan(0.2);
    expect(drawn.colours).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: 'test-results/starter-segmentation-desktop.png' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test-results/starter-segmentation-phone.png' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    // A different held-out face on each press.
    await ui.getByRole('button', { name: 'Predict a built-in face' }).click();
    await ui.getByRole('img', { name: 'Predicted mask of held-out face 2' }).waitFor();
    expect(seen.csp).toEqual([]);
    expect(seen.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
    await context.close();
  });

  it('generates faces with the Faces starter at first open, offline', async () => {
    const faces = index.gan;
    expect(faces, 'the build ships no faces starter').toBeDefined();
    const { context, seen, ui } = await openOffline(
      app.browser,
      app.server.url,
      'Faces',
      'faces-panel',
    );
    await expect
      .poll(() => ui.getByTestId('starter-summary').textContent())
      .toContain(`${faces.steps.toLocaleString('en-US')} steps`);
    await ui.getByRole('button', { name: 'Generate', exact: true }).click();
    const first = ui.getByRole('button', { name: 'Face 1', exact: true }).locator('img');
    await first.waitFor({ timeout: 180_000 });
    expect(await ui.getByRole('button', { name: /^Face \d+$/ }).count()).toBe(16);
    // Not blank and not one flat colour: the pixels of one face spread over many values.
    const spread = await first.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const grey: number[] = [];
      for (let i = 0; i < d.length; i += 4) grey.push((d[i] + d[i + 1] + d[i + 2]) / 3);
      const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
      return Math.sqrt(grey.reduce((a, b) => a + (b - mean) ** 2, 0) / grey.length);
    });
    console.log(`faces starter: grey-level spread of face 1 ${spread.toFixed(1)}`);
    expect(spread).toBeGreaterThan(10);
    expect(seen.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
    await context.close();
  });
});
