// How many steps a reload during training loses: the step the page showed just before each of 10
// reloads against the step the list shows after it. The save on pagehide must land where the
// browser lets it, so a reload loses nothing that was on the screen.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/shared/rng';
import {
  backendReady,
  newContext,
  stepShown,
  useApp,
  watchPage,
  setUpTinyText,
  TINY_NAME,
} from './harness';

const NAME = TINY_NAME;
const RELOADS = 10;

describe('reload during training in Chromium', () => {
  const app = useApp();

  it('loses no step that the page showed over 10 reloads during training', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    // The figure is about when checkpoints land, not a backend: cpu keeps each step short.
    const ui = await setUpTinyText(page, `${app.server.url}?backend=cpu`);
    const list = ui.locator('session-list');
    await ui.getByRole('button', { name: 'Train', exact: true }).click();

    const rng = new Rng(21);
    const lost: number[] = [];
    let listed = 0;
    for (let i = 0; i < RELOADS; i++) {
      // A seeded number of steps past the last save, so reloads land anywhere between autosaves.
      const target = listed + 20 + rng.int(120);
      await expect.poll(() => stepShown(ui), { timeout: 120_000 }).toBeGreaterThanOrEqual(target);
      const shown = await stepShown(ui);
      await page.reload();
      await backendReady(ui, 'cpu');
      const row = list.getByText(/step \d+ ·/);
      listed = Number(/step (\d+) ·/.exec((await row.textContent()) ?? '')?.[1]);
      lost.push(Math.max(0, shown - listed));
      await list.getByRole('button', { name: `Resume ${NAME}` }).click();
      await expect
        .poll(() => ui.getByText(`from step ${listed}.`).count(), { timeout: 60_000 })
        .toBe(1);
    }
    const sorted = [...lost].sort((a, b) => a - b);
    const median = (sorted[4] + sorted[5]) / 2;
    console.log(
      `reload loss over ${RELOADS} reloads: ${lost.join(', ')} steps; median ${median}, worst ${sorted.at(-1)}`,
    );
    expect(sorted.at(-1)).toBe(0);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
