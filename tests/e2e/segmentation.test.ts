import { describe, expect, it } from 'vitest';
import { newContext, pauseAndWait, resumeAt, stepShown, useApp, watchPage } from './harness';

describe('Segmentation tab in Chromium (WebGPU on SwiftShader)', () => {
  const app = useApp();

  it('trains through the stages, shows a non-empty overlay, and resumes after a reload', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(app.server.url);
    await page.getByRole('tab', { name: 'Segmentation' }).click();
    const ui = page.locator('seg-panel');
    await expect
      .poll(() => ui.getByTestId('backend').textContent(), { timeout: 120_000 })
      .toContain('webgpu');
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
    await ui.getByRole('button', { name: 'Train segmenter' }).click();
    await expect.poll(() => stepShown(ui), { timeout: 300_000 }).toBeGreaterThanOrEqual(6);
    await expect
      .poll(() => ui.getByTestId('phase').textContent(), { timeout: 60_000 })
      .toContain('finetune');
    await ui.getByTestId('overlay').waitFor({ timeout: 120_000 });
    const maskPixels = await ui
      .getByAltText('Predicted masks')
      .evaluate(async (img: HTMLImageElement) => {
        await img.decode();
        const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let shown = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) shown++;
        return shown;
      });
    expect(maskPixels).toBeGreaterThan(0);
    await pauseAndWait(ui);
    const saved = await stepShown(ui);

    await page.reload();
    await resumeAt(page, 'Segmentation', ui, saved, 240_000);
    expect(seen.errors).toEqual([]);
    expect(seen.csp).toEqual([]);
    await context.close();
  });
});
