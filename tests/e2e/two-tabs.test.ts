// Two tabs of one browser: tab B sees tab A's run live ("training in another tab", its latest saved
// step), samples from that step and says so, cannot start an unrelated run by accident, and drops a
// session that A deleted instead of saving it back.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  backendReady,
  newContext,
  pauseAndWait,
  shotsOf,
  stepShown,
  useApp,
  watchPage,
  setUpTinyText,
  TINY_NAME,
} from './harness';

const NAME = TINY_NAME;

/** The step the session's row shows in a tab's list. */
async function listedStep(list: Locator): Promise<number> {
  const text = (await list.getByText(/step \d+ ·/).textContent()) ?? '';
  return Number(/step (\d+) ·/.exec(text)?.[1]);
}

function storedSessions(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const req = indexedDB.open('dl-playground');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const count = req.result.transaction('sessions').objectStore('sessions').count();
          count.onsuccess = () => resolve(count.result);
        };
      }),
  );
}

describe('two tabs in Chromium', () => {
  const app = useApp();

  it('tab B follows tab A’s run live, samples its saved step, and drops what A deleted', async () => {
    const context = await newContext(app.browser);
    const [pageA, pageB] = [await context.newPage(), await context.newPage()];
    const seen = [watchPage(pageA), watchPage(pageB)];
    const a = pageA.locator('text-panel');
    const b = pageB.locator('text-panel');
    const listA = a.locator('session-list');
    const listB = b.locator('session-list');
    await setUpTinyText(pageA, `${app.server.url}?backend=cpu`);
    await a.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => stepShown(a), { timeout: 120_000 }).toBeGreaterThanOrEqual(5);

    // B opens while A trains: the list says so at once (A's lock), and its step follows A's saves.
    await pageB.goto(`${app.server.url}?backend=cpu`);
    await backendReady(b, 'cpu');
    await expect
      .poll(() => listB.getByText('· training in another tab').count(), { timeout: 30_000 })
      .toBe(1);
    expect(await listB.getByRole('button', { name: `Resume ${NAME}` }).isDisabled()).toBe(true);
    const first = await listedStep(listB);
    // An autosave every 200 steps or 30 s: B's list shows it without a reload.
    await expect.poll(() => listedStep(listB), { timeout: 120_000 }).toBeGreaterThan(first);
    const saved = await listedStep(listB);
    await expect
      .poll(() => b.getByTestId('sample-source').textContent())
      .toContain(`Sampling from step ${saved}, saved by the other tab.`);

    await b.getByLabel('Length', { exact: true }).fill('20');
    await b.getByRole('button', { name: 'Sample', exact: true }).click();
    await expect
      .poll(async () => (await b.getByTestId('sample').first().textContent())?.length ?? 0, {
        timeout: 60_000,
      })
      .toBe(20);
    const kept = b.getByTestId('sample-set').first().locator('summary');
    const sampledAt = Number(/Step (\d+)/.exec((await kept.textContent()) ?? '')?.[1]);
    expect(sampledAt).toBeGreaterThanOrEqual(saved);
    // B has A's session loaded now: Train cannot start an unrelated session, and says why.
    const train = b.getByRole('button', { name: 'Train', exact: true });
    expect(await train.isDisabled()).toBe(true);
    expect(await b.getByTestId('train-hint').textContent()).toContain(
      `“${NAME}” is training in another tab: pause it there to continue it here.`,
    );
    expect(await b.getByTestId('loaded').textContent()).toContain('training in another tab');
    await shotsOf(pageB, b.getByTestId('sample-source'), 'tab-b-during-training');
    await shotsOf(pageB, listB, 'tab-b-list');
    await shotsOf(pageB, train, 'tab-b-train-card');

    // A pauses: B's badge goes; then A deletes the session B has loaded.
    await pauseAndWait(a);
    await expect
      .poll(() => listB.getByText('· training in another tab').count(), { timeout: 30_000 })
      .toBe(0);
    await listA.getByRole('button', { name: `Delete ${NAME}` }).click();
    await listA
      .getByRole('group', { name: `Confirm deleting ${NAME}` })
      .getByRole('button', { name: 'Yes, delete' })
      .click();
    await expect.poll(() => listB.getByRole('listitem').count(), { timeout: 30_000 }).toBe(0);
    expect(await b.getByText(`“${NAME}” was deleted in another tab.`).count()).toBe(1);
    expect(await b.getByText('No session loaded.').count()).toBe(1);
    // Sample on a loaded, paused session saves it (the sample is kept): the deleted one stays deleted.
    await b.getByRole('button', { name: 'Sample', exact: true }).click();
    await expect
      .poll(() => b.getByRole('button', { name: 'Cancel sampling' }).isDisabled(), {
        timeout: 60_000,
      })
      .toBe(true);
    expect(await storedSessions(pageB)).toBe(0);
    expect(seen.flatMap((s) => s.errors)).toEqual([]);
    await context.close();
  });
});
