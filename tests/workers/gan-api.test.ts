import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/data/png';
import type { TrainProgress } from '../../src/shared/protocol';
import { loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb } from '../../src/storage/db';
import { createGanApi, slerp } from '../../src/workers/faces/api';
import { decodeTensorList } from '../../src/storage/checkpoints/snapshot';

const dataset = { kind: 'builtin', name: 'Built-in faces' } as const;
const CONFIG = { imageSize: 32, width: 'small', batchSize: 4 } as const;

function untilStopped() {
  let resolve!: (p: TrainProgress) => void;
  const done = new Promise<TrainProgress>((r) => (resolve = r));
  return { done, onProgress: (p: TrainProgress) => p.state !== 'running' && resolve(p) };
}

async function generatorWeights(factory: IDBFactory, id: string): Promise<Float32Array> {
  const ckpt = await loadCheckpoint(await openAppDb('gan', factory), id);
  const list = decodeTensorList(ckpt!.weights.generator);
  const parts = await Promise.all(list.map(async (n) => Array.from(await n.tensor.data())));
  tf.dispose(list.map((n) => n.tensor));
  return Float32Array.from(parts.flat());
}

describe('GAN worker API, in-process on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('trains, keeps fixed-latent snapshots and resumes exactly (4 = 2 + 2)', async () => {
    const straight = new IDBFactory();
    const a = createGanApi({ openDb: () => openAppDb('gan', straight) });
    await a.init('cpu');
    const runA = untilStopped();
    const metaA = await a.startNew(
      { dataset, config: CONFIG, seed: 3, snapshotEvery: 2 },
      runA.onProgress,
      4,
    );
    expect(await runA.done).toMatchObject({ state: 'paused', step: 4 });
    const snaps = await a.snapshots();
    expect(snaps.map((s) => s.step)).toEqual([0, 2, 4]);
    const png = decodePng(snaps[2].png);
    expect([png.width, png.height]).toEqual([8 * 33 + 1, 8 * 33 + 1]);
    expect(snaps[2].png).not.toEqual(snaps[0].png);

    const split = new IDBFactory();
    const b = createGanApi({ openDb: () => openAppDb('gan', split) });
    await b.init('cpu');
    const runB = untilStopped();
    const metaB = await b.startNew(
      { dataset, config: CONFIG, seed: 3, snapshotEvery: 2 },
      runB.onProgress,
      2,
    );
    await runB.done;
    const c = createGanApi({ openDb: () => openAppDb('gan', split) });
    await c.init('cpu');
    const runC = untilStopped();
    expect((await c.resume(metaB.id, runC.onProgress, 2)).step).toBe(2);
    expect(await runC.done).toMatchObject({ step: 4 });
    expect((await c.snapshots()).map((s) => s.step)).toEqual([0, 2, 4]);

    const wa = await generatorWeights(straight, metaA.id);
    const wc = await generatorWeights(split, metaB.id);
    let maxDiff = 0;
    wa.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - wc[i]))));
    expect(maxDiff).toBeLessThan(1e-5);

    const faces = await c.generate(3, 11);
    expect(faces).toHaveLength(3);
    expect(decodePng(faces[0].png).width).toBe(32);
    const strip = decodePng(await c.interpolate(faces[0].latent, faces[1].latent, 5));
    expect(strip.width).toBe(5 * 33 + 1);
  });

  it('slerp keeps the ends and the norm of unit vectors', () => {
    const a = Float32Array.from([1, 0, 0]);
    const b = Float32Array.from([0, 1, 0]);
    expect(Array.from(slerp(a, b, 0))).toEqual([1, 0, 0]);
    const mid = slerp(a, b, 0.5);
    expect(Math.hypot(...mid)).toBeCloseTo(1, 6);
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('refuses out-of-range hyperparameters', async () => {
    const api = createGanApi({ openDb: () => openAppDb('gan', new IDBFactory()) });
    await expect(api.startNew({ dataset, config: { batchSize: 0 } }, () => {})).rejects.toThrow(
      /batch/i,
    );
    await expect(
      api.startNew({ dataset, config: { learningRate: NaN } }, () => {}),
    ).rejects.toThrow(/learning rate/i);
  });
});
