import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { HistoryPoint, SessionMeta, TrainProgress } from '../../src/shared/protocol';
import { errorCode } from '../../src/shared/protocol';
import type { Checkpoint } from '../../src/storage/checkpoints/store';
import { estimateBytes, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb, type AppDatabase } from '../../src/storage/db';
import type { ModelSession } from '../../src/workers/runtime/session-host';
import { createSessionHost, newSessionMeta } from '../../src/workers/runtime/session-host';
import { decodeTensors, encodeTensors } from '../../src/storage/checkpoints/snapshot';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { createCharLstmApi } from '../../src/workers/text/api';

const TEXT = 'to be or not to be, that is the question. '.repeat(20);

// Least squares fitted by plain gradient descent: with a learning rate above 2 / (largest
// eigenvalue of 2·XᵀX/n) every step multiplies the error, so the loss overflows to Inf, then NaN.
const X = [1, 2, 3, 4, 2, 1, 0, 1, 3, 3, 1, 2];
const Y = [1, 0, 2];

class LinearSession implements ModelSession {
  readonly history: HistoryPoint[] = [];
  readonly examplesPerStep = 3;
  readonly stepsPerEpoch = 1000;
  private readonly optimizer: tf.SGDOptimizer;

  constructor(
    public meta: SessionMeta,
    readonly w: tf.Variable,
    public stepCount: number,
    readonly learningRate: number,
  ) {
    this.optimizer = tf.train.sgd(learningRate);
  }

  step(): Record<string, tf.Scalar> {
    this.stepCount++;
    const loss = this.optimizer.minimize(
      () =>
        tf.losses.meanSquaredError(
          tf.tensor2d(Y, [3, 1]),
          tf.matMul(tf.tensor2d(X, [3, 4]), this.w),
        ),
      true,
    )!;
    return { loss };
  }

  position() {
    return { step: this.stepCount, epoch: 0, epochFraction: this.stepCount / 1000 };
  }

  async toCheckpoint(): Promise<Checkpoint> {
    this.meta = { ...this.meta, step: this.stepCount, savedAt: Date.now() };
    return {
      sessionId: this.meta.id,
      model: 'char-lstm',
      version: 1,
      step: this.stepCount,
      epoch: 0,
      cursor: 0,
      rngState: 0,
      config: { learningRate: this.learningRate },
      topologies: {},
      weights: { model: await encodeTensors([{ name: 'w', tensor: this.w }]) },
      optimizers: {},
      history: this.history,
      samples: [],
      extra: {},
    };
  }

  dispose(): void {
    this.w.dispose();
    this.optimizer.dispose();
  }
}

describe('fault recovery', () => {
  it('a diverging learning rate pauses and rolls back to the last good checkpoint', async () => {
    await tf.setBackend('cpu');
    const openDb = () => openAppDb('test', new IDBFactory());
    const dbPromise = openDb();
    const host = createSessionHost<LinearSession>({
      model: 'char-lstm',
      openDb: () => dbPromise,
      restore: async (meta, ckpt) => {
        const w = decodeTensors(ckpt.weights.model).w;
        const lr = (ckpt.config as { learningRate: number }).learningRate;
        const session = new LinearSession(meta, tf.variable(w), ckpt.step, lr);
        w.dispose();
        return session;
      },
    });
    host.api.setAutosave({ everySteps: 5, everySeconds: 1e9 });
    const before = tf.memory().numTensors;
    const seen: TrainProgress[] = [];
    let resolve!: (p: TrainProgress) => void;
    const rolledBack = new Promise<TrainProgress>((r) => (resolve = r));
    const meta = newSessionMeta('char-lstm', 'diverging', 'least squares');
    const session = new LinearSession(
      meta,
      tf.tidy(() => tf.variable(tf.zeros([4, 1]))),
      0,
      0.5,
    );
    await host.begin(
      session,
      (p) => {
        seen.push(p);
        if (p.rolledBackTo !== undefined || p.state === 'error') resolve(p);
      },
      500,
    );
    const end = await rolledBack;

    expect(end.state).toBe('paused');
    expect(end.message).toMatch(
      /diverged.*Rolled back to the last good checkpoint, step \d+\. Try a lower learning rate/,
    );
    const saves = seen.filter((p) => p.savedStep !== undefined).map((p) => p.savedStep!);
    expect(saves.length).toBeGreaterThan(1);
    expect(end.rolledBackTo).toBe(saves.at(-1));
    expect(end.step).toBe(end.rolledBackTo);
    // The live weights after the rollback are exactly the stored ones, and finite.
    const ckpt = await loadCheckpoint(await dbPromise, meta.id);
    const stored = decodeTensors(ckpt!.weights.model).w;
    const live = host.loaded().w;
    const [a, b] = await Promise.all([stored.data(), live.data()]);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(a).every(Number.isFinite)).toBe(true);
    expect(host.api.status()?.running).toBe(false);
    stored.dispose();
    host.loaded().dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a lost WebGPU device moves training to the next backend from the last checkpoint', async () => {
    const dbPromise = openAppDb('test', new IDBFactory());
    const api = createCharLstmApi({ openDb: () => dbPromise, loadBundled: async () => TEXT });
    expect((await api.init()).backend).toBe('webgpu');
    api.setAutosave({ everySteps: 4, everySeconds: 1e9 });
    const seen: TrainProgress[] = [];
    const waiters: [(p: TrainProgress) => boolean, (p: TrainProgress) => void][] = [];
    const until = (test: (p: TrainProgress) => boolean) =>
      new Promise<TrainProgress>((r) => waiters.push([test, r]));
    const onProgress = (p: TrainProgress) => {
      seen.push(p);
      for (const [test, r] of waiters) if (test(p)) r(p);
    };
    const firstSave = until((p) => p.savedStep !== undefined);
    await api.startNew(
      {
        corpus: { kind: 'bundled', name: 't' },
        config: { units: 8, batchSize: 8, maxLen: 8 },
        seed: 3,
      },
      onProgress,
    );
    await firstSave;
    const moved = until((p) => p.backend !== undefined);
    (tf.findBackend('webgpu') as WebGPUBackend).device.destroy();
    const notice = await moved;
    expect(notice.backend!.backend).toBe('cpu');
    expect(notice.backend!.log[0]).toMatch(/^webgpu: device lost/);
    expect(notice.message).toMatch(
      /GPU device was lost.*Continuing on cpu from the last checkpoint, step \d+/,
    );
    const savedBefore = seen
      .filter((p) => p.savedStep !== undefined && p !== notice)
      .at(-1)!.savedStep!;
    expect(notice.step).toBe(savedBefore);
    const later = await until((p) => p.state === 'running' && p.step >= notice.step + 4);
    expect(tf.getBackend()).toBe('cpu');
    expect(later.metrics.loss).toBeGreaterThan(0);
    await api.pause();
    expect(api.status()?.meta.backend).toBe('cpu');
  });

  it('a full disk keeps the previous checkpoint, says so, and pruning old samples lets the save through', async () => {
    await tf.setBackend('cpu');
    let quota = Infinity;
    const bound = (o: object, p: string | symbol): unknown => {
      const v = Reflect.get(o, p) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(o) : v;
    };
    // The browser's quota, played by a byte budget on the checkpoint record.
    const full = (db: AppDatabase): AppDatabase =>
      new Proxy(db, {
        get(target, prop) {
          if (prop !== 'transaction') return bound(target, prop);
          return (...args: Parameters<AppDatabase['transaction']>) => {
            const tx = target.transaction(...args);
            return new Proxy(tx, {
              get(t, p) {
                if (p !== 'objectStore') return bound(t, p);
                return (name: 'checkpoints') => {
                  const store = t.objectStore(name);
                  return new Proxy(store, {
                    get(st, q) {
                      if (q !== 'put' || name !== 'checkpoints') return bound(st, q);
                      return (value: unknown) =>
                        estimateBytes(value) > quota
                          ? Promise.reject(new DOMException('quota', 'QuotaExceededError'))
                          : (st.put as (v: unknown) => Promise<unknown>).call(st, value);
                    },
                  });
                };
              },
            });
          };
        },
      });
    const dbPromise = openAppDb('test', new IDBFactory());
    const api = createCharLstmApi({
      openDb: async () => full(await dbPromise),
      loadBundled: async () => TEXT,
    });
    await api.init('cpu');
    const meta = await api.startNew(
      {
        corpus: { kind: 'bundled', name: 't' },
        config: { units: 8, batchSize: 8, maxLen: 8 },
        seed: 4,
      },
      () => {},
      4,
    );
    await api.pause();
    const saved = (await loadCheckpoint(await dbPromise, meta.id))!;
    quota = estimateBytes(saved) + 8000;
    for (let i = 0; i < 5; i++)
      await api.sample({ length: 500, temperatures: [0.2, 0.5, 1] }, () => {});
    // Samples taken while paused are saved as they come, until the disk is full.
    const before = (await loadCheckpoint(await dbPromise, meta.id))!;
    expect(before.samples.length).toBeLessThan(5);
    const err = await api.checkpoint().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      /^Storage is full: the checkpoint of .* was not saved, and what was saved before is unchanged\. Free space by pruning old sample snapshots/,
    );
    // The page offers Free space on this code, not on the message's words.
    expect(errorCode(err)).toBe('storage-full');
    const after = (await loadCheckpoint(await dbPromise, meta.id))!;
    expect(after).toStrictEqual(before);
    expect(after.step).toBe(saved.step);
    const pruned = await api.pruneSamples(1);
    expect(pruned.dropped).toBe(4);
    expect((await loadCheckpoint(await dbPromise, meta.id))!.samples).toHaveLength(1);
  });
});
