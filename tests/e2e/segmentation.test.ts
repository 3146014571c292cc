import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, serve, watchPage, type Served } from './harness';

const step = async (ui: Locator) => Number(await ui.getByTestId('step').textContent());

describe('Segmentation tab in Chromium (WebGPU on SwiftShader)', () => {
  let server: Served;
  let browser: Browser;

  beforeAll(async () => {
    server = await serve();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  it('trains through the stages, shows a non-empty overlay, and resumes after a reload', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(server.url);
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
    await expect.poll(() => step(ui), { timeout: 300_000 }).toBeGreaterThanOrEqual(6);
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
    await ui.getByRole('button', { name: 'Pause' }).click();
    await expect
      .poll(() => ui.getByTestId('state').textContent(), { timeout: 60_000 })
      .toBe('paused');
    const saved = await step(ui);

    await page.reload();
    await page.getByRole('tab', { name: 'Segmentation' }).click();
    await expect.poll(() => ui.getByText(`step ${saved} ·`).count(), { timeout: 60_000 }).toBe(1);
    await expect
      .poll(() => ui.getByTestId('backend').textContent(), { timeout: 120_000 })
      .toContain('webgpu');
    await ui
      .getByRole('button', { name: /^Resume / })
      .first()
      .click();
    await expect
      .poll(() => ui.getByText(`from step ${saved}.`).count(), { timeout: 60_000 })
      .toBe(1);
    await expect.poll(() => step(ui), { timeout: 120_000 }).toBeGreaterThan(saved);
    await ui.getByRole('button', { name: 'Pause' }).click();
    await expect
      .poll(() => ui.getByTestId('state').textContent(), { timeout: 60_000 })
      .toBe('paused');
    expect(seen.errors).toEqual([]);
    expect(seen.csp).toEqual([]);
    await context.close();
  });
});
