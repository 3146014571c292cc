// Train after Pause: one rule, said before the click. Train continues the loaded session (batch size
// and learning rate apply to the continued run); changed LSTM units or model width make the button
// "Train new session", and the new session gets a name of its own.
import type { Locator } from 'playwright-core';
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

/** The step a session's row in the list shows. */
async function listedStep(list: Locator, name: string): Promise<number> {
  const named = list.page().getByText(name, { exact: true });
  const row = list.getByRole('listitem').filter({ has: named });
  return Number(/step (\d+) ·/.exec((await row.textContent()) ?? '')?.[1]);
}

describe('Train after Pause in Chromium', () => {
  const app = useApp();

  it('continues the paused session with a new batch size, and says "Train new session" for new units', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    const ui = await setUpTinyText(page, `${app.server.url}?backend=cpu`);
    const list = ui.locator('session-list');
    const hint = ui.getByTestId('train-hint');
    expect(await hint.textContent()).toContain('Starts a new session.');
    await ui.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => stepShown(ui), { timeout: 120_000 }).toBeGreaterThanOrEqual(5);
    await pauseAndWait(ui);
    const paused = await stepShown(ui);

    // Batch size may change mid-run: Train still continues, and says so before the click.
    await ui.getByLabel('Batch size', { exact: true }).fill('4');
    const train = ui.getByRole('button', { name: 'Train', exact: true });
    await expect
      .poll(() => hint.textContent())
      .toContain(`Continues “${NAME}” from step ${paused} with Batch size 8 → 4.`);
    expect(await train.getAttribute('aria-describedby')).toBe('train-hint');
    await train.click();
    await expect.poll(() => stepShown(ui), { timeout: 120_000 }).toBeGreaterThan(paused);
    await pauseAndWait(ui);
    const continued = await stepShown(ui);
    expect(await list.getByRole('listitem').count()).toBe(1);
    await expect.poll(() => listedStep(list, NAME)).toBe(continued);

    // New units: a new architecture, so a new session beside the paused one, under its own name.
    await ui.getByLabel('LSTM units', { exact: true }).fill('16');
    const trainNew = ui.getByRole('button', { name: 'Train new session', exact: true });
    await trainNew.waitFor();
    expect(await hint.textContent()).toContain('LSTM units 8 → 16');
    expect(await ui.getByRole('button', { name: 'Train', exact: true }).count()).toBe(0);
    await shotsOf(page, trainNew, 'train-new-session');
    await trainNew.click();
    await expect
      .poll(() => list.getByRole('button', { name: `Resume ${NAME} (2)`, exact: true }).count(), {
        timeout: 120_000,
      })
      .toBe(1);
    await pauseAndWait(ui);
    // The paused session kept its step; a screen reader hears two different Resume buttons.
    expect(await listedStep(list, NAME)).toBe(continued);
    expect(await list.getByRole('button', { name: `Resume ${NAME}`, exact: true }).count()).toBe(1);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('Faces: a paused session with another model width makes Train say "Train new session"', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(`${app.server.url}?backend=cpu`);
    await page.getByRole('tab', { name: 'Faces' }).click();
    const ui = page.locator('faces-panel');
    await backendReady(ui, 'cpu');
    await ui.getByLabel('Batch size', { exact: true }).fill('2');
    await ui.getByLabel('Grid every N steps', { exact: true }).fill('1000');
    await ui.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => stepShown(ui), { timeout: 180_000 }).toBeGreaterThanOrEqual(1);
    await pauseAndWait(ui);
    const hint = ui.getByTestId('train-hint');
    await expect.poll(() => hint.textContent()).toContain('Continues “');
    await ui.getByRole('combobox', { name: /^Model width/ }).selectOption('standard');
    await ui.getByRole('button', { name: 'Train new session', exact: true }).waitFor();
    expect(await hint.textContent()).toContain('Model width small → standard');
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
