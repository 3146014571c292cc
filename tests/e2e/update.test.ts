import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateServiceWorker } from '../../scripts/generate-sw.mjs';
import { startServer, type StaticServer } from '../../scripts/serve.mjs';
import { launch, newContext, watchPage } from './harness';

const TINY = 'the update must never lose a step of training. '.repeat(30);

describe('update flow in Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  let buildB: string;

  beforeAll(async () => {
    // Build B: build A with a visible marker, and its own service worker (new precache revision).
    buildB = mkdtempSync(join(tmpdir(), 'build-b-'));
    cpSync('dist', buildB, { recursive: true });
    const html = readFileSync(join(buildB, 'index.html'), 'utf8');
    writeFileSync(
      join(buildB, 'index.html'),
      html.replace('<head>', '<head>\n<meta name="build" content="B" />'),
    );
    await generateServiceWorker({ dir: buildB });
    server = await startServer({ dir: 'dist', port: 0 });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(buildB, { recursive: true, force: true });
  });

  it('shows the notice, checkpoints the running session, reloads into B and resumes there', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(server.url);
    await expect
      .poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 60_000 })
      .toBe(true);
    const text = page.locator('text-panel');
    await expect
      .poll(() => text.getByTestId('backend').textContent(), { timeout: 120_000 })
      .toContain('webgpu');
    await text.getByLabel('Choose text file', { exact: true }).setInputFiles({
      name: 'update.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(TINY),
    });
    await text.getByLabel('Batch size', { exact: true }).fill('16');
    await text.getByLabel('LSTM units', { exact: true }).fill('16');
    await text.getByRole('button', { name: 'Train', exact: true }).click();
    const step = async () => Number(await text.getByTestId('step').textContent());
    await expect.poll(step, { timeout: 180_000 }).toBeGreaterThanOrEqual(3);

    server.setDir(buildB);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const reload = page.getByRole('button', { name: 'Reload to update' });
    await reload.waitFor({ timeout: 60_000 });
    // The notice does not interrupt training.
    const before = await step();
    await expect.poll(step, { timeout: 60_000 }).toBeGreaterThan(before);
    const reached = await step();
    await reload.click();

    await expect
      .poll(
        () =>
          page.evaluate(() => document.querySelector('meta[name=build]')?.getAttribute('content')),
        {
          timeout: 60_000,
        },
      )
      .toBe('B');
    const resume = text.getByRole('button', { name: /^Resume / }).first();
    await resume.waitFor({ timeout: 60_000 });
    const listed = await text.getByText(/ · step \d+ · /).textContent();
    const saved = Number(/step (\d+)/.exec(listed ?? '')![1]);
    expect(saved).toBeGreaterThanOrEqual(reached);
    await expect
      .poll(() => text.getByTestId('backend').textContent(), { timeout: 120_000 })
      .toContain('webgpu');
    await resume.click();
    await expect
      .poll(() => text.getByText(`from step ${saved}.`).count(), { timeout: 60_000 })
      .toBe(1);
    await text.getByRole('button', { name: 'Pause' }).click();
    expect(seen.csp).toEqual([]);
    await context.close();
  });
});
