// The worker is the only writer of a session: a session deleted from the list stays deleted, even
// when the page then asks the worker for something that saves (Sample on a paused session does).
import { describe, expect, it } from 'vitest';
import {
  backendReady,
  newContext,
  pauseAndWait,
  stepShown,
  useApp,
  watchPage,
  setUpTinyText,
  TINY_NAME,
} from './harness';

const NAME = TINY_NAME;

describe('single writer in Chromium', () => {
  const app = useApp();

  it('a paused session deleted from the list clears the card and stays deleted after Sample and a reload', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    // What is tested is who writes IndexedDB, not a backend: cpu keeps it quick.
    const ui = await setUpTinyText(page, `${app.server.url}?backend=cpu`);
    const list = ui.locator('session-list');
    await ui.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => stepShown(ui), { timeout: 180_000 }).toBeGreaterThanOrEqual(3);
    await pauseAndWait(ui);
    await expect.poll(() => ui.getByText(/Checkpoint saved at step/).count()).toBe(1);

    await list.getByRole('button', { name: `Delete ${NAME}` }).click();
    await list
      .getByRole('group', { name: `Confirm deleting ${NAME}` })
      .getByRole('button', { name: 'Yes, delete' })
      .click();
    await expect
      .poll(() => list.getByRole('status').textContent(), { timeout: 30_000 })
      .toContain(`Deleted “${NAME}”`);

    // The card no longer shows the deleted session's step, chart and last save.
    expect.soft(await ui.getByText('No session loaded.').count()).toBe(1);
    expect.soft(await ui.getByTestId('step').textContent()).toBe('–');
    expect.soft(await ui.getByText(/Checkpoint saved at step/).count()).toBe(0);
    expect.soft(await ui.getByTestId('chart').getAttribute('data-points')).toBe('0');

    // Sample on a paused session saves it (the sample is kept): a deleted one must not come back.
    await ui.getByLabel('Length', { exact: true }).fill('30');
    await ui.getByRole('button', { name: 'Sample', exact: true }).click();
    await expect
      .poll(async () => (await ui.getByTestId('sample').first().textContent())?.length ?? 0, {
        timeout: 120_000,
      })
      .toBe(30);
    // Sampling ends after the worker's save of the sampled session: reload only then.
    await expect
      .poll(() => ui.getByRole('button', { name: 'Cancel sampling' }).isDisabled(), {
        timeout: 60_000,
      })
      .toBe(true);

    await page.reload();
    // The list is read before the worker starts, so a ready backend means the list is shown.
    await backendReady(ui, 'cpu');
    expect(await list.getByRole('button', { name: `Resume ${NAME}` }).count()).toBe(0);
    const stored = await page.evaluate(
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
    expect(stored).toBe(0);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
