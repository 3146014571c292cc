import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/data/png';
import type { TrainProgress } from '../../src/shared/protocol';
import { loadCheckpoint } from '../../src/storage/checkpoints';
import { openAppDb } from '../../src/storage/db';
import { createSegApi } from '../../src/workers/seg-api';
import { decodeTensorList } from '../../src/workers/snapshot';

function untilStopped() {
  let resolve!: (p: TrainProgress) => void;
  const done = new Promise<TrainProgress>((r) => (resolve = r));
  return { done, onProgress: (p: TrainProgress) => p.state !== 'running' && resolve(p) };
}

const REQ = {
  mode: 'binary',
  pretrainTask: 'glasses',
  pretrainSteps: 2,
  frozenSteps: 2,
  batchSize: 2,
  evalEvery: 2,
  seed: 5,
} as const;

async function segWeights(factory: IDBFactory, id: string): Promise<Float32Array> {
  const ckpt = await loadCheckpoint(await openAppDb('seg', factory), id);
  const list = decodeTensorList(ckpt!.weights.segmenter);
  const parts = await Promise.all(list.map(async (n) => Array.from(await n.tensor.data())));
  tf.dispose(list.map((n) => n.tensor));
  return Float32Array.from(parts.flat());
}

describe('segmenter worker API, in-process on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runs pretrain → frozen → finetune, scores held-out faces and resumes exactly across a phase change', async () => {
    const straight = new IDBFactory();
    const a = createSegApi({ openDb: () => openAppDb('seg', straight) });
    await a.init('cpu');
    const runA = untilStopped();
    const metaA = await a.startNew(REQ, runA.onProgress, 6);
    expect(await runA.done).toMatchObject({ state: 'paused', step: 6 });
    const info = a.info();
    expect(info.phase).toBe('finetune');
    const ev = await a.latestEval(-1);
    expect(ev!.step).toBe(6);
    expect(ev!.meanIou).toBeGreaterThanOrEqual(0);
    expect(decodePng(ev!.maskPng).channels).toBe(4);

    const split = new IDBFactory();
    const b = createSegApi({ openDb: () => openAppDb('seg', split) });
    await b.init('cpu');
    const runB = untilStopped();
    const metaB = await b.startNew(REQ, runB.onProgress, 3);
    await runB.done;
    expect(b.info().phase).toBe('frozen');
    const c = createSegApi({ openDb: () => openAppDb('seg', split) });
    await c.init('cpu');
    const runC = untilStopped();
    await c.resume(metaB.id, runC.onProgress, 3);
    expect(await runC.done).toMatchObject({ step: 6 });
    const wa = await segWeights(straight, metaA.id);
    const wc = await segWeights(split, metaB.id);
    let maxDiff = 0;
    wa.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - wc[i]))));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('previews augmentations as one PNG and refuses bad settings', async () => {
    const api = createSegApi({ openDb: () => openAppDb('seg', new IDBFactory()) });
    const png = decodePng(api.augmentationPreview({}, 'parts'));
    expect(png.width).toBe(8 * 65 + 1);
    expect(png.height).toBe(2 * 65 + 1);
    expect(() => api.augmentationPreview({ zoomRange: -1 }, 'binary')).toThrow();
    await expect(api.startNew({ ...REQ, learningRate: 0 }, () => {})).rejects.toThrow(
      /learning rate/,
    );
    await expect(api.startNew({ ...REQ, batchSize: 0 }, () => {})).rejects.toThrow(/batch/);
  });
});
