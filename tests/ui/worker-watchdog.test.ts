import { afterEach, describe, expect, it, vi } from 'vitest';
import { Watchdog } from '../../src/ui/session/watchdog';

describe('worker watchdog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('declares a worker that never answers dead after the timeout, and only once', async () => {
    vi.useFakeTimers();
    const dead: string[] = [];
    const dog = new Watchdog(
      () => new Promise(() => undefined),
      (why) => dead.push(why),
      20_000,
    );
    dog.start();
    await vi.advanceTimersByTimeAsync(19_000);
    expect(dead).toEqual([]);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatch(/no answer for 2\d s/);
  });

  it('keeps a slow but answering worker alive, and progress beats count as answers', async () => {
    vi.useFakeTimers();
    const dead: string[] = [];
    const dog = new Watchdog(
      () => new Promise((r) => setTimeout(r, 8_000)),
      (why) => dead.push(why),
      20_000,
    );
    dog.start();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(dead).toEqual([]);
    const silent = new Watchdog(
      () => new Promise(() => undefined),
      (why) => dead.push(why),
      20_000,
    );
    silent.start();
    for (let t = 0; t < 10; t++) {
      await vi.advanceTimersByTimeAsync(10_000);
      silent.beat();
    }
    expect(dead).toEqual([]);
    silent.stop();
    dog.stop();
  });
});
