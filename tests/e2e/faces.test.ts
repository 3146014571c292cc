import { zipSync } from 'fflate';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/data/png';
import {
  backendReady,
  newContext,
  pauseAndWait,
  resumeAt,
  stepShown,
  useApp,
  watchPage,
} from './harness';
import { observeLongTasks, reportLongTasks } from './long-tasks';

/** Mean and standard deviation of the sample grid's pixels, read back in the page. */
function gridStats(page: Locator): Promise<{ mean: number; std: number; pixels: number[] }> {
  return page.getByTestId('sample-grid').evaluate(async (img: HTMLImageElement) => {
    await img.decode();
    const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < d.length; i += 4) {
      sum += d[i];
      sq += d[i] * d[i];
    }
    const n = d.length / 4;
    const mean = sum / n;
    return { mean, std: Math.sqrt(sq / n - mean * mean), pixels: Array.from(d.subarray(0, 4000)) };
  });
}

describe('Faces tab in Chromium (WebGPU on SwiftShader)', () => {
  const app = useApp();

  it('trains a DCGAN, the sample grid is non-blank and changes, and resumes after a reload', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    const ui = page.locator('faces-panel');
    await page.goto(app.server.url);
    await page.getByRole('tab', { name: 'Faces' }).click();
    await backendReady(ui);
    await ui.getByLabel('Batch size', { exact: true }).fill('8');
    await ui.getByLabel('Grid every N steps', { exact: true }).fill('2');
    await observeLongTasks(page);
    await ui.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => stepShown(ui), { timeout: 240_000 }).toBeGreaterThanOrEqual(4);
    await pauseAndWait(ui);
    const saved = await stepShown(ui);
    const longTaskMs = await reportLongTasks(page, `Faces: Train to Pause at step ${saved}`);

    await expect
      .poll(() => ui.getByText(/Training history: step [1-9]/).count(), { timeout: 60_000 })
      .toBe(1);
    const latest = await gridStats(ui);
    expect(latest.std).toBeGreaterThan(5); // not a blank image
    await ui.getByLabel(/Training history/).fill('0');
    const first = await gridStats(ui);
    expect(first.pixels).not.toEqual(latest.pixels); // the grid changed as training went on
    // Play animates the history up to the newest grid, then stops by itself.
    const count = Number(await ui.getByLabel(/Training history/).getAttribute('max')) + 1;
    await ui.getByRole('button', { name: 'Play history' }).click();
    await expect
      .poll(() => ui.getByText(`(${count} of ${count})`).count(), { timeout: 30_000 })
      .toBe(1);
    await ui.getByRole('button', { name: 'Play history' }).waitFor({ timeout: 10_000 });

    await ui.getByRole('button', { name: 'Generate' }).click();
    await expect
      .poll(() => ui.getByRole('button', { name: /^Face \d+$/ }).count(), { timeout: 60_000 })
      .toBe(16);
    await ui.getByRole('button', { name: 'Face 1', exact: true }).click();
    await ui.getByRole('button', { name: 'Face 2', exact: true }).click();
    await page
      .getByAltText('Interpolation between the two chosen faces')
      .waitFor({ timeout: 60_000 });

    await page.reload();
    await resumeAt(page, 'Faces', ui, saved);
    // No main-thread long task (> 50 ms) from Train to Pause: training runs in the worker (issue #7).
    expect(longTaskMs).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(seen.csp).toEqual([]);
    await context.close();
  });

  it('imports a zip of images on a phone: count, preview, and the skipped files with reasons', async () => {
    const context = await newContext(app.browser, true);
    const page = await context.newPage();
    const seen = watchPage(page);
    const ui = page.locator('faces-panel');
    const image = (v: number) => encodePng(new Uint8Array(48 * 32 * 3).fill(v), 48, 32, 3);
    const zip = zipSync({
      'mine/a.png': image(40),
      'mine/b.png': image(200),
      'mine/notes.txt': new TextEncoder().encode('not an image'),
      'mine/broken.png': image(90).slice(0, 50),
    });
    await page.goto(app.server.url);
    await page.getByRole('tab', { name: 'Faces' }).click();
    await ui.getByRole('combobox', { name: /^Dataset/ }).selectOption({ label: 'Import images…' });
    await ui.getByLabel('Image files or .zip').setInputFiles({
      name: 'mine.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(zip),
    });
    await expect
      .poll(() => ui.getByTestId('image-set-count').textContent(), { timeout: 60_000 })
      .toContain('2 images');
    // Found by its accessible name, as a screen reader announces it.
    await ui.getByRole('group', { name: '2 files skipped' }).getByText('2 files skipped').click();
    const skipped = await ui.locator('.skipped li').allTextContents();
    expect(skipped.join('\n')).toMatch(/mine\.zip\/mine\/notes\.txt: not an image file/);
    expect(skipped.join('\n')).toMatch(/mine\.zip\/mine\/broken\.png: unreadable image/);
    expect(await ui.getByRole('combobox', { name: /^Dataset/ }).inputValue()).not.toBe('builtin');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
