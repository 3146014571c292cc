// The kill test of issue #19 on the built app in Chromium: the real model worker, real IndexedDB,
// and Worker.terminate(), which is how a closed tab or a crash ends a worker (no event; its open
// transactions abort). 20 kills at seeded random moments of a tiny Text session, half of them held
// inside a checkpoint write by a hook Playwright evaluates in the worker (probes/kill-hook.ts; the
// build carries none). After every kill the stored row and checkpoint must agree, weights must be
// finite, and a fresh worker must resume from exactly the stored step, with at most one autosave
// interval of steps lost.
import { readdirSync } from 'node:fs';
import type { Page, Worker as PageWorker } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/shared/rng';
import { bundleProbe, newContext, useApp, watchPage } from './harness';
import type { Phase } from './probes/kill-hook';
import type { Heard, Stored } from './probes/kill-probe';

const KILLS = 20;
/** Autosave every this many steps (and never by time, so every stored step is a multiple of it). */
const AUTOSAVE = 25;
/** The training loop reads the loss, and so reports progress, at least every 10 steps. */
const READ_EVERY = 10;
const PHASES: readonly Phase[] = ['row', 'checkpoint', 'commit'];
const TEXT = 'it was the best of times, it was the worst of times. '.repeat(20);

/** The built worker script every model runs (hashed name), as a path from the served root. */
function workerScript(): string {
  const dir = process.env.E2E_DIST ?? 'dist';
  const file = readdirSync(`${dir}/assets`).find((f) => /^model\.worker-[\w-]+\.js$/.test(f));
  if (!file) throw new Error(`no model.worker-*.js in ${dir}/assets: run npm run build`);
  return `/assets/${file}`;
}

/** Calls `killProbe[fn](...args)` in the page. */
const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(
    ([f, a]) =>
      (
        (globalThis as Record<string, unknown>).killProbe as Record<
          string,
          (...x: unknown[]) => Promise<T>
        >
      )[f as string](...(a as unknown[])),
    [fn, args] as const,
  );

describe('kill test in Chromium', () => {
  const app = useApp();
  let probe = '';
  let hook = '';
  beforeAll(async () => {
    [probe, hook] = await Promise.all([bundleProbe('kill-probe.ts'), bundleProbe('kill-hook.ts')]);
  });

  it(`${KILLS} Worker.terminate() at seeded random moments, half inside checkpoint writes: each time a fresh worker resumes from the stored checkpoint, losing at most ${AUTOSAVE} steps`, async () => {
    const t0 = performance.now();
    const rng = new Rng(2026);
    // Ten timed kills and ten inside writes (each phase of a write three or four times), in a seeded order.
    const kinds: (Phase | 'timed')[] = Array.from({ length: KILLS }, (_, i) =>
      i < KILLS / 2 ? 'timed' : PHASES[i % PHASES.length],
    );
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
    }
    const url = workerScript();
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    // The build has no favicon.ico, which Chromium asks for beside an image document.
    await page.route('**/favicon.ico', (r) => r.fulfill({ status: 204 }));
    // An icon of the app's origin: same IndexedDB and Web Locks, and no app code starting workers.
    await page.goto(`${app.server.url}icons/icon-192.png`);
    await page.evaluate(probe);

    /** A fresh worker with the hook armed: counting writes of steps above `from`, holding in `plan`'s. */
    async function freshWorker(
      from: number,
      plan: { write: number; phase: Phase } | null,
    ): Promise<void> {
      const attached = page.waitForEvent('worker');
      await call(page, 'start', url);
      const worker: PageWorker = await attached;
      await worker.evaluate(hook);
      await worker.evaluate(
        ([s, p]) =>
          (
            (globalThis as Record<string, unknown>).killHook as {
              arm(s: number, p: unknown): void;
            }
          ).arm(s, p),
        [from, plan] as const,
      );
    }

    /** Waits for the first progress of the live worker and checks it counts on from `from`. */
    async function firstRead(from: number, k: number): Promise<void> {
      await expect
        .poll(async () => (await call<Heard>(page, 'progress')).first, { timeout: 60_000 })
        .not.toBeNull();
      const { first } = await call<Heard>(page, 'progress');
      expect(first, `round ${k}: first step after resuming at ${from}`).toBeGreaterThan(from);
      expect(first, `round ${k}: first step after resuming at ${from}`).toBeLessThanOrEqual(
        from + READ_EVERY,
      );
    }

    let id = '';
    let from = 0;
    let maxLost = 0;
    let lockWaitMs = 0;
    const outcomes: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const kind = kinds[k];
      // Which of the worker's next three autosaves to die in.
      const plan = kind === 'timed' ? null : { write: 1 + rng.int(3), phase: kind };
      await freshWorker(from, plan);
      if (k === 0) {
        id = await call<string>(page, 'startNew', TEXT, AUTOSAVE, 5);
      } else {
        const resumed = await call<number>(page, 'resume', id, AUTOSAVE);
        expect(resumed, `round ${k}: the fresh worker resumed at the stored step`).toBe(from);
      }
      await firstRead(from, k);

      let heard: Heard;
      if (plan) {
        heard = await call<Heard>(page, 'killedInWrite', 30_000);
        expect(heard.held, `kill ${k}: held in the planned write`).toEqual({
          step: from + AUTOSAVE * plan.write,
          phase: plan.phase,
        });
      } else {
        heard = await call<Heard>(page, 'killAfter', rng.range(0, 1500));
        expect(heard.held).toBeNull();
      }
      expect(heard.errors, `kill ${k}: progress errors`).toEqual([]);

      // A killed worker's lock goes with it, or no fresh worker could train the session. A worker
      // held in the hook's busy loop takes 2 s: Chromium gives a busy worker that long before it
      // forces it to stop (an idle or stepping one is gone at once).
      lockWaitMs = Math.max(lockWaitMs, await call<number>(page, 'lockReleased', id, 10_000));
      const stored = await call<Stored>(page, 'stored', id);
      const what = `kill ${k} (${plan ? `in write ${plan.write}, ${plan.phase}` : 'timed'})`;
      expect(stored.mismatches, `${what}: row vs checkpoint`).toEqual([]);
      expect(stored.floats, `${what}: weights stored`).toBeGreaterThan(0);
      expect(stored.nonFinite, `${what}: non-finite weights`).toBe(0);
      expect(stored.step % AUTOSAVE, `${what}: stored step ${stored.step}`).toBe(0);
      // Either the last write the worker finished, or one it had begun: never older, never a mix.
      // terminate() drops messages still on their way, so the note of a write begun just before a
      // timed kill can be lost while its transaction commits: the autosave after the last one the
      // page heard of counts too (seen once on a loaded machine: heard 50, stored 75).
      const committed = heard.saved ?? from;
      const lastHeard = Math.max(committed, ...heard.writes);
      const candidates = [
        committed,
        ...heard.writes.filter((s) => s > committed),
        ...(plan ? [] : [lastHeard + AUTOSAVE]),
      ];
      expect(candidates, `${what}: stored step ${stored.step}`).toContain(stored.step);
      if (heard.held) {
        const before = heard.held.step - AUTOSAVE;
        if (heard.held.phase === 'commit') {
          // commit() was already sent: the write lands or not, but whole.
          expect([before, heard.held.step]).toContain(stored.step);
        } else {
          // Killed before commit(): the open transaction must abort and leave the previous checkpoint.
          expect(stored.step, `${what}: the torn write left the previous checkpoint`).toBe(before);
        }
      }
      // Counted from the last step the page heard of, which trails the worker's by at most one read
      // (10 steps); a held write's step is exact.
      const reached = Math.max(heard.reached, heard.held?.step ?? 0);
      const lost = reached - stored.step;
      expect(lost, `${what}: steps lost`).toBeLessThanOrEqual(AUTOSAVE);
      maxLost = Math.max(maxLost, lost);
      // e.g. "row:old-25" (held after the row's put, the previous checkpoint kept, 25 steps lost).
      const kept = heard.held ? (stored.step === heard.held.step ? ':new' : ':old') : '';
      outcomes.push(`${heard.held?.phase ?? 'timed'}${kept}-${lost}`);
      from = stored.step;
    }

    // The last kill is recovered from too; then the run is paused, so its checkpoint is written.
    await freshWorker(from, null);
    expect(await call<number>(page, 'resume', id, AUTOSAVE)).toBe(from);
    await firstRead(from, KILLS);
    const last = await call<Heard>(page, 'pauseAndEnd');
    await call(page, 'lockReleased', id, 10_000);
    const final = await call<Stored>(page, 'stored', id);
    expect(final.mismatches).toEqual([]);
    expect(final.nonFinite).toBe(0);
    expect(final.step).toBe(last.saved);
    expect(final.step).toBeGreaterThan(from);
    expect(seen.errors).toEqual([]);

    const wall = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(
      `kills ${KILLS} (${kinds.filter((x) => x !== 'timed').length} inside writes: ${outcomes.join(' ')}); ` +
        `max steps lost ${maxLost}, final step ${final.step}, slowest lock release ${lockWaitMs.toFixed(0)} ms, ${wall} s`,
    );
    await context.close();
  });
});
