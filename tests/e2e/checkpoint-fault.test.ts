// Crash safety of checkpoints in real Chromium IndexedDB: an injected fault between the two puts,
// and a reload while a large checkpoint is being written, both leave a checkpoint whose meta and
// weights belong to one and the same save.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleProbe, newContext, useApp } from './harness';

interface Stored {
  metaStep?: number;
  ckptStep?: number;
  values: number[];
}

const SMALL = 1 << 20; // floats: 4 MiB of weights
const LARGE = 1 << 24; // floats: 64 MiB (Chromium's limit for one value is 127 MiB)

describe('checkpoint crash safety in Chromium', () => {
  const app = useApp();
  let probe = '';
  beforeAll(async () => {
    probe = await bundleProbe('storage-probe.ts');
  });

  /** A fresh page of the app's origin with the probe loaded (an icon: no app code runs). */
  async function probePage(page: Page): Promise<void> {
    await page.goto(`${app.server.url}icons/icon-192.png`);
    await page.evaluate(probe);
  }

  const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(
      ([f, a]) =>
        (
          (globalThis as Record<string, unknown>).storageProbe as Record<
            string,
            (...x: unknown[]) => Promise<T>
          >
        )[f as string](...(a as unknown[])),
      [fn, args] as const,
    );

  it('a fault between the puts leaves the previous checkpoint; so does a reload at any moment of a 64 MiB write', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    await probePage(page);
    expect(await call(page, 'save', 10, SMALL)).toBe('saved');
    expect(await call(page, 'save', 20, SMALL, true)).toMatch(/Injected fault/);
    await page.reload();
    await page.evaluate(probe);
    expect(await call<Stored>(page, 'read')).toEqual({ metaStep: 10, ckptStep: 10, values: [10] });

    // A 64 MiB save takes ≈0.7 s here and reloads come 0-900 ms into it. saveCheckpoint sends its
    // commit with the puts, so a reload lands after it and the new save stays ("new" every time);
    // the whole-or-nothing check holds either way. Kills inside a write, before its commit, are
    // tests/e2e/kill.test.ts. (Page.crash stalls headless Chromium for minutes; a reload stands in.)
    let previous = 10;
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const step = 100 + i;
      await call(page, 'saveInFlight', step, LARGE);
      await page.waitForTimeout(i * 100);
      await page.reload();
      await page.evaluate(probe);
      const after = await call<Stored>(page, 'read');
      // Either the whole old save or the whole new one, never a mix.
      expect(after.metaStep).toBe(after.ckptStep);
      expect(after.values).toEqual([after.ckptStep]);
      expect([previous, step]).toContain(after.ckptStep);
      outcomes.push(after.ckptStep === step ? 'new' : 'old');
      previous = after.ckptStep!;
    }
    console.log(`reloads mid-save: ${outcomes.join(' ')}`);
    await context.close();
  });
});
