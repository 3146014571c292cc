import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import type { HistoryPoint, TrainProgress } from '../../src/shared/protocol';
import { TrainingLoop, type LoopHooks } from '../../src/workers/runtime/training-loop';

/** A fake model whose loss is 1/step; `slowRead` makes every read yield to the event loop, as webgpu does. */
function fakeHooks(opts: { nanAt?: number } = {}): LoopHooks & { steps: number } {
  return {
    steps: 0,
    examplesPerStep: 4,
    stepsPerEpoch: 100,
    step() {
      this.steps++;
      return { loss: tf.scalar(this.steps === opts.nanAt ? NaN : 1 / this.steps) };
    },
    position() {
      return { step: this.steps, epoch: 0, epochFraction: this.steps / 100 };
    },
  };
}

function makeLoop(
  hooks: LoopHooks,
  saves: number[],
  history: HistoryPoint[],
  events: TrainProgress[],
) {
  return new TrainingLoop(hooks, {
    sessionId: 's',
    autosave: { everySteps: 1000, everySeconds: 1000 },
    history,
    onProgress: (p) => events.push(p),
    readEvery: 3,
    save: async () => {
      await new Promise((r) => setTimeout(r, 5));
      saves.push(hooks.position().step);
    },
  });
}

describe('training loop', () => {
  it('always checkpoints on pause, even when the pause arrives during a read', async () => {
    tf.setBackend('cpu');
    const start = tf.memory().numTensors;
    const hooks = fakeHooks();
    const saves: number[] = [];
    const events: TrainProgress[] = [];
    const history: HistoryPoint[] = [];
    const loop = makeLoop(hooks, saves, history, events);
    // Reads yield to the event loop, as they do on webgpu, so the pause lands inside a read.
    const data = tf.Tensor.prototype.data;
    let pausing: Promise<void> | null = null;
    const spy = vi.spyOn(tf.Tensor.prototype, 'data').mockImplementation(async function (
      this: tf.Tensor,
    ) {
      pausing ??= loop.pause();
      await new Promise((r) => setTimeout(r, 15));
      return data.call(this);
    });
    const done = loop.start();
    await done;
    await pausing;
    spy.mockRestore();
    expect(saves.at(-1)).toBe(hooks.steps);
    expect(events.at(-1)).toMatchObject({ state: 'paused', savedStep: hooks.steps });
    // Metrics are means over each read window: the history's first point averages steps 1..3.
    expect(history[0].metrics.loss).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3, 5);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('requestSave checkpoints without stopping', async () => {
    const hooks = fakeHooks();
    const saves: number[] = [];
    const events: TrainProgress[] = [];
    const loop = makeLoop(hooks, saves, [], events);
    void loop.start();
    await new Promise((r) => setTimeout(r, 10));
    await loop.requestSave();
    expect(saves.length).toBe(1);
    expect(loop.running).toBe(true);
    await loop.pause();
    expect(saves.length).toBe(2);
  });

  it('stops with an error message when a loss becomes NaN, without saving it', async () => {
    const hooks = fakeHooks({ nanAt: 5 });
    const saves: number[] = [];
    const events: TrainProgress[] = [];
    await makeLoop(hooks, saves, [], events).start();
    expect(saves).toEqual([]);
    expect(events.at(-1)?.state).toBe('error');
    expect(events.at(-1)?.message).toMatch(/diverged.*lower learning rate/);
  });
});
