import type { Page } from 'playwright-core';

/** A main-thread long task (> 50 ms) as the PerformanceObserver reports it. */
export interface LongTask {
  start: number;
  duration: number;
  name: string;
}

/** A long-animation-frame entry (Chromium 123+), as far as the log below reads it. */
interface AnimationFrame {
  startTime: number;
  duration: number;
  scripts: { invoker: string; sourceURL: string; duration: number }[];
}

/** Starts counting main-thread long tasks (> 50 ms) from now on; earlier ones (page load) are not replayed. Frames over 50 ms are kept too, with the scripts that ran in them, to say where a long task came from. */
export function observeLongTasks(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { longTasks: LongTask[]; longFrames: string[] };
    w.longTasks = [];
    w.longFrames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        w.longTasks.push({ start: e.startTime, duration: e.duration, name: e.name });
      }
    }).observe({ type: 'longtask', buffered: false });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as AnimationFrame[]) {
        const scripts = e.scripts.map((s) => `${s.invoker} ${s.duration.toFixed(0)} ms`);
        w.longFrames.push(`${e.duration.toFixed(0)} ms at ${e.startTime.toFixed(0)}: ${scripts}`);
      }
    }).observe({ type: 'long-animation-frame', buffered: false });
  });
}

/** The long tasks seen since `observeLongTasks`. */
export function longTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => (window as unknown as { longTasks: LongTask[] }).longTasks);
}

/** Logs the long tasks and long frames seen so far (with `what` as the heading) and returns the tasks' durations in ms, rounded, for an assertion. */
export async function reportLongTasks(page: Page, what: string): Promise<number[]> {
  // Let a long task that ended just now reach the observer.
  await page.waitForTimeout(500);
  const tasks = await longTasks(page);
  console.log(
    `${what}; long tasks: ${tasks.length}`,
    tasks.map((t) => `${t.duration.toFixed(0)} ms at ${t.start.toFixed(0)} (${t.name})`),
    await page.evaluate(() => (window as unknown as { longFrames: string[] }).longFrames),
  );
  return tasks.map((t) => Math.round(t.duration));
}
