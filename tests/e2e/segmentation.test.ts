import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/data/png';
import { backendReady, openApp, pauseAndWait, resumeAt, stepShown, useApp } from './harness';
import { observeLongTasks, reportLongTasks } from './long-tasks';

/** A w x w RGB square on a dark ground (channels 3), or its class-index mask (channels 1) with `extra` at pixel 3. */
function square(w: number, channels: 1 | 3, extra?: number): Uint8Array {
  const px = new Uint8Array(w * w * channels);
  for (let i = 0; i < w * w; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    const inside = x >= w / 4 && x < (3 * w) / 4 && y >= w / 4 && y < (3 * w) / 4;
    px.fill(channels === 1 ? Number(inside) : inside ? 220 : 30, i * channels, (i + 1) * channels);
  }
  if (extra !== undefined) px[3] = extra;
  return encodePng(px, w, w, channels);
}

describe('Segmentation tab in Chromium (WebGPU on SwiftShader)', () => {
  const app = useApp();

  it('trains through the stages, shows a non-empty overlay, and resumes after a reload', async () => {
    const { context, page, seen } = await openApp(app.browser, app.server.url);
    await page.getByRole('tab', { name: 'Segmentation' }).click();
    const ui = page.locator('seg-panel');
    await backendReady(ui);
    for (const [label, value] of [
      ['Pretrain steps', '2'],
      ['Frozen-encoder steps', '2'],
      ['Batch size', '2'],
      ['Score held-out every N steps', '6'],
    ]) {
      await ui.getByLabel(label, { exact: true }).fill(value);
    }
    await ui.getByRole('button', { name: 'Preview augmentation' }).click();
    await ui
      .getByAltText('One face and its mask under 8 random augmentations')
      .waitFor({ timeout: 60_000 });
    await observeLongTasks(page);
    await ui.getByRole('button', { name: 'Train segmenter' }).click();
    await expect.poll(() => stepShown(ui), { timeout: 300_000 }).toBeGreaterThanOrEqual(6);
    await expect
      .poll(() => ui.getByTestId('phase').textContent(), { timeout: 60_000 })
      .toContain('finetune');
    await ui.getByTestId('overlay').waitFor({ timeout: 120_000 });
    const maskPixels = () =>
      ui.getByAltText('Predicted masks').evaluate(async (img: HTMLImageElement) => {
        await img.decode();
        const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let shown = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) shown++;
        return shown;
      });
    // After 6 steps some seeds still predict background everywhere (an empty overlay, seen once in
    // CI); training goes on and the overlay is scored again every 6 steps until it shows a part.
    await expect.poll(maskPixels, { timeout: 180_000 }).toBeGreaterThan(0);
    await pauseAndWait(ui);
    const saved = await stepShown(ui);
    const longTaskMs = await reportLongTasks(page, `Segmentation: Train to Pause at step ${saved}`);
    await ui.getByLabel('Predict on an image').setInputFiles({
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: Buffer.from(square(40, 3)),
    });
    const predicted = ui.getByAltText('Predicted mask of photo.png');
    await predicted.waitFor({ timeout: 120_000 });
    expect(
      await predicted.evaluate(async (img: HTMLImageElement) => {
        await img.decode();
        return [img.naturalWidth, img.naturalHeight];
      }),
    ).toEqual([64, 64]);

    await page.reload();
    await resumeAt(page, 'Segmentation', ui, saved, 240_000);
    // No main-thread long task (> 50 ms) from Train to Pause: training runs in the worker (issue #7).
    expect(longTaskMs).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(seen.csp).toEqual([]);
    await context.close();
  });

  it('imports image/mask pairs on a phone: count, the three problems with reasons, preview, no horizontal scroll', async () => {
    const { context, page, seen } = await openApp(app.browser, app.server.url, true);
    await page.getByRole('tab', { name: 'Segmentation' }).click();
    const ui = page.locator('seg-panel');
    await backendReady(ui);
    const files: Record<string, Uint8Array> = {
      'set/images/lonely.png': square(16, 3),
      'set/images/beyond.png': square(16, 3),
      'set/masks/beyond.png': square(16, 1, 5),
      'set/images/small.png': square(16, 3),
      'set/masks/small.png': square(8, 1),
    };
    for (let k = 0; k < 6; k++) {
      files[`set/images/sq${k}.png`] = square(16 + k, 3);
      files[`set/masks/sq${k}.png`] = square(16 + k, 1);
    }
    await ui.getByLabel(/^Dataset/).selectOption({ label: 'Import pairs…' });
    await ui.getByLabel('A .zip with images/ and masks/').setInputFiles({
      name: 'squares.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(zipSync(files)),
    });
    await ui.getByLabel('Number of classes').fill('2');
    await ui.getByRole('button', { name: 'Import pairs' }).click();
    await expect
      .poll(() => ui.getByTestId('import-result').textContent(), { timeout: 60_000 })
      .toMatch(/Stored 6 pairs from “squares.zip” at 64x64; 3 left out/);
    const problems = await ui.locator('seg-dataset-picker .problems li').allTextContents();
    expect(problems.join('\n')).toMatch(/lonely\.png: image without a mask/);
    expect(problems.join('\n')).toMatch(/beyond\.png: class index 5 .* beyond the 2 declared/);
    expect(problems.join('\n')).toMatch(/small\.png: mask of the wrong size/);
    await ui.getByAltText('The first imported images above their masks').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );

    expect(seen.errors).toEqual([]);
    expect(seen.csp).toEqual([]);
    await context.close();
  });
});
