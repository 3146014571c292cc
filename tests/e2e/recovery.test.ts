// Worker death and two tabs, in Chromium. A worker that calls close() on
// itself is gone exactly like one the browser killed: no event, its pending calls never settle.
import { describe, expect, it } from 'vitest';
import {
  backendReady,
  newContext,
  pauseAndWait,
  stepShown,
  useApp,
  watchPage,
  setUpTinyText,
} from './harness';

describe('recovery in Chromium', () => {
  const app = useApp();

  it('notices a dead training worker, restarts it and resumes from the last checkpoint; a second tab cannot train the same session', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    // The cpu backend: what is tested is the page's handling of a dead worker and of Web Locks, and
    // SwiftShader would spend minutes compiling pipelines again in every restarted worker.
    const ui = await setUpTinyText(page, `${app.server.url}?watchdog=8&backend=cpu`);
    await ui.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => stepShown(ui), { timeout: 180_000 }).toBeGreaterThanOrEqual(3);

    // A second tab may look at the session but not train it while this tab does.
    const other = await context.newPage();
    await other.goto(`${app.server.url}?backend=cpu`);
    const otherUi = other.locator('text-panel');
    await backendReady(otherUi, 'cpu');
    // Its list says so, and Resume is off there rather than refused after the click.
    await expect
      .poll(() => otherUi.getByText('· training in another tab').count(), { timeout: 60_000 })
      .toBe(1);
    expect(
      await otherUi
        .getByRole('button', { name: /^Resume / })
        .first()
        .isDisabled(),
    ).toBe(true);
    await other.close();

    // Kill the training worker from inside.
    // Every model runs the same script; the worker's name says which model it holds.
    const names = await Promise.all(page.workers().map((w) => w.evaluate(() => self.name)));
    const worker = page.workers()[names.indexOf('char-lstm')];
    expect(worker, 'the char-LSTM worker').toBeDefined();
    const reached = await stepShown(ui);
    await worker!
      .evaluate(() => (self as unknown as { close(): void }).close())
      .catch(() => undefined);
    await expect
      .poll(() => ui.getByRole('alert').textContent(), { timeout: 60_000 })
      .toMatch(/training worker stopped.*restarted/);
    const offer = ui.getByRole('button', { name: /^Resume from step \d+/ });
    const label = (await offer.textContent()) ?? '';
    const saved = Number(/step (\d+)/.exec(label)![1]);
    console.log(`reached step ${reached} before the kill; last checkpoint at step ${saved}`);
    expect(reached - saved).toBeLessThanOrEqual(200);
    await offer.click();
    await expect
      .poll(() => ui.getByText(`from step ${saved}.`).count(), { timeout: 60_000 })
      .toBe(1);
    await expect.poll(() => stepShown(ui), { timeout: 240_000 }).toBeGreaterThan(saved);
    await pauseAndWait(ui, 240_000);
    expect(seen.errors.filter((e) => !/worker/i.test(e))).toEqual([]);
    await context.close();
  });
});
