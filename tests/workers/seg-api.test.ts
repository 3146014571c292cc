import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../src/data/png';
import type { TrainProgress } from '../../src/shared/protocol';
import { loadCheckpoint } from '../../src/storage/checkpoints/store';
import { CLASS_COLORS } from '../../src/shared/class-colors';
import { openAppDb } from '../../src/storage/db';
import { getSegDataset } from '../../src/storage/seg-datasets';
import { createSegApi } from '../../src/workers/segmentation/api';
import { decodeTensorList } from '../../src/storage/checkpoints/snapshot';

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
  // Inside the split run's first half, so the resumed session must start at the dropped rate.
  lrDropStep: 3,
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

  it('parts mode adds the Dice term the request asks for, and stores its weight for resuming', async () => {
    const firstLoss = async (diceWeight: number) => {
      const factory = new IDBFactory();
      const api = createSegApi({ openDb: () => openAppDb('seg', factory) });
      await api.init('cpu');
      const losses: number[] = [];
      const run = untilStopped();
      const req = { ...REQ, mode: 'parts', pretrainTask: null, diceWeight } as const;
      const meta = await api.startNew(
        req,
        (p) => {
          if (p.metrics.loss !== undefined) losses.push(p.metrics.loss);
          run.onProgress(p);
        },
        1,
      );
      await run.done;
      const ckpt = await loadCheckpoint(await openAppDb('seg', factory), meta.id);
      const train = (ckpt!.config as { train: { diceWeight?: number } }).train;
      return { loss: losses[0], stored: train.diceWeight };
    };
    const plain = await firstLoss(0);
    const dice = await firstLoss(1);
    expect(plain.stored).toBe(0);
    expect(dice.stored).toBe(1);
    // Same seed, weights and batch: the difference is the Dice loss of an untrained net (near 1).
    expect(dice.loss - plain.loss).toBeGreaterThan(0.5);
    expect(dice.loss - plain.loss).toBeLessThanOrEqual(1);
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
    for (const diceWeight of [-1, 11, NaN]) {
      await expect(api.startNew({ ...REQ, diceWeight }, () => {})).rejects.toThrow(/Dice/);
    }
  });
});

/** An RGB PNG of w x h: a bright square on a dark background. */
function squarePng(w: number, h: number): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    const inside = x >= w / 4 && x < (3 * w) / 4 && y >= h / 4 && y < (3 * h) / 4;
    px.fill(inside ? 220 : 30, i * 3, i * 3 + 3);
  }
  return encodePng(px, w, h, 3);
}

/** The class-index mask of `squarePng` (1 inside the square), with `extra` at pixel 3. */
function squareMask(w: number, h: number, extra?: number): Uint8Array {
  const px = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    px[i] = x >= w / 4 && x < (3 * w) / 4 && y >= h / 4 && y < (3 * h) / 4 ? 1 : 0;
  }
  if (extra !== undefined) px[3] = extra;
  return encodePng(px, w, h, 1);
}

describe('imported image/mask pairs, in-process on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('stores the one good pair of a zip, lists three problems, and stores nothing when no pair loads', async () => {
    const factory = new IDBFactory();
    const api = createSegApi({ openDb: () => openAppDb('seg', factory) });
    const zip = zipSync({
      'set/images/good.png': squarePng(16, 12),
      'set/masks/good.png': squareMask(16, 12),
      'set/images/lonely.png': squarePng(16, 16),
      'set/images/beyond.png': squarePng(8, 8),
      'set/masks/beyond.png': squareMask(8, 8, 5),
      'set/images/small.png': squarePng(16, 16),
      'set/masks/small.png': squareMask(8, 8),
    });
    const r = await api.importPairs(zip, 2, 'indices', 'pairs.zip');
    expect(r.count).toBe(1);
    expect(r.id).not.toBeNull();
    const why = Object.fromEntries(r.problems.map((p) => [p.file, p.reason]));
    expect(Object.keys(why).sort()).toEqual([
      'set/images/lonely.png',
      'set/masks/beyond.png',
      'set/masks/small.png',
    ]);
    expect(why['set/images/lonely.png']).toMatch(/image without a mask/);
    expect(why['set/masks/beyond.png']).toMatch(/class index 5 .* beyond the 2 declared classes/);
    expect(why['set/masks/small.png']).toMatch(/wrong size/);
    const preview = decodePng(r.previewPng!);
    expect([preview.width, preview.height]).toEqual([64 + 2, 2 * 64 + 3]);

    const stored = await getSegDataset(await openAppDb('seg', factory), r.id!);
    expect([stored!.count, stored!.size, stored!.numClasses, stored!.names]).toEqual([
      1,
      64,
      2,
      ['good'],
    ]);
    // The square covers the middle half of the mask after resizing to 64x64.
    expect(stored!.labels[32 * 64 + 32]).toBe(1);
    expect(stored!.labels[2 * 64 + 2]).toBe(0);

    const none = await api.importPairs(
      zipSync({ 'images/lonely.png': squarePng(8, 8) }),
      2,
      'indices',
      'empty.zip',
    );
    expect(none).toMatchObject({ id: null, count: 0, previewPng: null });
    expect(none.message).toMatch(/nothing was stored/);
    expect(none.problems).toHaveLength(1);
    expect((await api.importedDatasets()).map((d) => d.id)).toEqual([r.id]);
    await expect(api.importPairs(zip, 9, 'indices')).rejects.toThrow(/number of classes/);
    await expect(api.startNew({ ...REQ, importedId: r.id! }, () => {})).rejects.toThrow(
      /at least 2/,
    );
  });

  it('reads file lists in groups (more than one group here) and colour masks with the built-in palette', async () => {
    const factory = new IDBFactory();
    const api = createSegApi({ openDb: () => openAppDb('seg', factory) });
    const names = Array.from({ length: 20 }, (_, k) => `p${String(k).padStart(2, '0')}`);
    // Colour masks: the square in class 2's palette colour, the rest in class 0's.
    const colour = (w: number) => {
      const idx = decodePng(squareMask(w, w)).data;
      const rgb = new Uint8Array(w * w * 3);
      idx.forEach((v, i) => rgb.set(v ? CLASS_COLORS[2] : CLASS_COLORS[0], i * 3));
      return encodePng(rgb, w, w, 3);
    };
    const r = await api.importPairs(
      {
        images: names.map((n) => ({ name: `imgs/${n}.png`, bytes: squarePng(8, 8) })),
        masks: [
          ...names.map((n) => ({ name: `masks/${n}.png`, bytes: colour(8) })),
          { name: 'masks/zz.png', bytes: colour(8) },
        ],
      },
      3,
      'colors',
      'colours',
    );
    expect(r.count).toBe(20);
    expect(r.problems).toEqual([
      { file: 'masks/zz.png', reason: expect.stringMatching(/mask without an image/) },
    ]);
    const stored = await getSegDataset(await openAppDb('seg', factory), r.id!);
    expect(stored!.names).toEqual(names);
    expect(stored!.labels[32 * 64 + 32]).toBe(2);
    expect(stored!.labels[0]).toBe(0);
  });

  it('trains on imported pairs after pretraining on built-in faces, predicts a picked image, resumes, and says when the pairs are gone', async () => {
    const factory = new IDBFactory();
    const a = createSegApi({ openDb: () => openAppDb('seg', factory) });
    await a.init('cpu');
    const names = ['a', 'b', 'c', 'd', 'e'];
    const imported = await a.importPairs(
      {
        images: names.map((n, k) => ({ name: `${n}.png`, bytes: squarePng(20 + k, 20 + k) })),
        masks: names.map((n, k) => ({ name: `${n}.png`, bytes: squareMask(20 + k, 20 + k) })),
      },
      2,
      'indices',
      'squares',
    );
    expect([imported.count, imported.problems]).toEqual([5, []]);
    const req = { ...REQ, importedId: imported.id!, pretrainSteps: 1, frozenSteps: 2 };
    const run = untilStopped();
    const meta = await a.startNew(req, run.onProgress, 2);
    expect(await run.done).toMatchObject({ state: 'paused', step: 2 });
    expect(meta.dataset).toBe('Imported pairs, squares');
    const info = a.info();
    expect([info.phase, info.classes, info.config.imported?.id]).toEqual([
      'frozen',
      ['background (0)', 'class 1'],
      imported.id,
    ]);
    const ev = await a.latestEval(-1);
    expect(ev!.step).toBe(2);
    expect(decodePng(ev!.imagePng).width).toBe(64);

    const before = tf.memory().numTensors;
    const p = await a.predict(squarePng(30, 24), 'photo.png');
    expect(tf.memory().numTensors).toBe(before);
    expect(p.size).toBe(64);
    expect(p.labels).toHaveLength(64 * 64);
    expect(p.labels.every((l) => l === 0 || l === 1)).toBe(true);
    const mask = decodePng(p.maskPng);
    expect([mask.width, mask.height, mask.channels]).toEqual([64, 64, 4]);
    await expect(a.predict(new Uint8Array([1, 2, 3]), 'broken.jpg')).rejects.toThrow(
      /Cannot read “broken.jpg”/,
    );

    const b = createSegApi({ openDb: () => openAppDb('seg', factory) });
    await b.init('cpu');
    const resumed = untilStopped();
    await b.resume(meta.id, resumed.onProgress, 1);
    expect(await resumed.done).toMatchObject({ step: 3 });
    expect(b.info().phase).toBe('finetune');

    await a.deleteImportedPairs(imported.id!);
    expect(await a.importedDatasets()).toEqual([]);
    const c = createSegApi({ openDb: () => openAppDb('seg', factory) });
    await c.init('cpu');
    await expect(c.resume(meta.id, () => {}, 1)).rejects.toThrow(
      /“squares” are no longer stored on this device/,
    );
    await expect(c.startNew({ ...req, seed: 1 }, () => {})).rejects.toThrow(
      /The imported pairs are no longer stored on this device/,
    );
  });
});
