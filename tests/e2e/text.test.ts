import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { backendReady, openApp, useApp } from './harness';

const TINY = 'the quick brown fox jumps over the lazy dog. '.repeat(30);

async function stepShown(page: Page): Promise<number> {
  return Number(await page.getByTestId('step').textContent());
}

describe('Text tab in Chromium (WebGPU on SwiftShader)', () => {
  const app = useApp();

  it('trains on webgpu, samples, and resumes at the saved step after a reload', async () => {
    const { context, page, seen } = await openApp(app.browser, app.server.url);
    await backendReady(page);
    console.log('backend line:', await page.getByTestId('backend').textContent());

    await page.getByLabel('Choose text file', { exact: true }).setInputFiles({
      name: 'tiny.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(TINY),
    });
    await expect
      .poll(() => page.getByLabel('Corpus', { exact: true }).inputValue())
      .not.toBe('bundled');
    await page.getByLabel('Batch size', { exact: true }).fill('16');
    await page.getByLabel('LSTM units', { exact: true }).fill('16');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => stepShown(page), { timeout: 180_000 }).toBeGreaterThanOrEqual(5);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect
      .poll(() => page.getByTestId('state').textContent(), { timeout: 60_000 })
      .toBe('paused');
    const saved = await stepShown(page);
    const loss = Number(await page.getByTestId('loss').textContent());
    expect(loss).toBeGreaterThan(0);
    console.log(`trained to step ${saved}, loss ${loss}`);
    const chartPoints = async () =>
      Number(await page.getByTestId('chart').getAttribute('data-points'));
    const firstStep = () => page.getByTestId('chart').getAttribute('data-first-step');
    const pointsBefore = await chartPoints();
    const firstBefore = await firstStep();
    expect(pointsBefore).toBeGreaterThan(0);
    expect(Number(firstBefore)).toBeLessThanOrEqual(saved);

    await page.getByLabel('Length', { exact: true }).fill('60');
    await page.getByRole('button', { name: 'Sample', exact: true }).click();
    const first = page.getByTestId('sample').first();
    await expect
      .poll(async () => (await first.textContent())?.length ?? 0, { timeout: 120_000 })
      .toBe(60);
    expect(await page.getByTestId('sample').count()).toBe(4);
    await expect.poll(() => page.getByText('Sample history (1)').count()).toBe(1);
    const sampled = await first.textContent();

    await page.reload();
    const resume = page.getByRole('button', { name: /^Resume / }).first();
    await resume.waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.locator('text-panel').getByText(`step ${saved} ·`).count())
      .toBe(1);
    await backendReady(page);
    await resume.click();
    await expect
      .poll(() => page.getByText(`from step ${saved}.`).count(), { timeout: 60_000 })
      .toBe(1);
    // The whole loss history comes back with the session, not only the points after the reload.
    await expect.poll(chartPoints, { timeout: 60_000 }).toBeGreaterThanOrEqual(pointsBefore);
    expect(await firstStep()).toBe(firstBefore);
    // The sample taken while paused was saved with the session and comes back with it.
    await expect.poll(() => page.getByText('Sample history (1)').count()).toBe(1);
    expect(await page.getByTestId('kept-sample').first().textContent()).toBe(sampled);
    await expect.poll(() => stepShown(page), { timeout: 120_000 }).toBeGreaterThan(saved);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect
      .poll(() => page.getByTestId('state').textContent(), { timeout: 60_000 })
      .toBe('paused');
    // The overview of every model's sessions lists it too, and opens its tab.
    const overview = page.locator('all-sessions');
    await expect
      .poll(() => overview.locator('summary').textContent())
      .toMatch(/All sessions on this device: 1, [\d.]+ [kM]B/);
    await overview.locator('summary').click();
    await expect
      .poll(() => overview.getByText(/char-LSTM · tiny\.txt · step \d+ ·/).count())
      .toBe(1);
    await page.getByRole('tab', { name: 'Faces' }).click();
    await overview.getByRole('button', { name: /^Open .* in its tab$/ }).click();
    await expect
      .poll(() => page.getByRole('tab', { name: 'Text' }).getAttribute('aria-selected'))
      .toBe('true');
    expect(seen.errors).toEqual([]);
    expect(seen.csp).toEqual([]);
    await context.close();
  });
});
