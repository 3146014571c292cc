import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/shared/rng';
import {
  decodeTensors,
  encodeTensors,
  restoreModel,
  restoreModelWeights,
  restoreOptimizer,
  snapshotModel,
  snapshotOptimizer,
} from '../../src/storage/checkpoints/snapshot';
import { BACKENDS, useBackend } from '../helpers/backends';

const [BATCH, STEPS, FEATURES, UNITS, CLASSES] = [8, 5, 4, 6, 3];

/** A small LSTM + dense softmax classifier with stable layer names: input [batch, 5, 4], output [batch, 3]. */
function buildModel(units = UNITS, lstmName = 'lstm'): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.lstm({
        units,
        inputShape: [STEPS, FEATURES],
        name: lstmName,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        recurrentInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
      tf.layers.dense({
        units: CLASSES,
        activation: 'softmax',
        name: 'out',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
    ],
  });
}

function makeBatch(): { x: tf.Tensor; y: tf.Tensor } {
  const rng = new Rng(7);
  const xs = Array.from({ length: BATCH * STEPS * FEATURES }, () => rng.normal());
  const labels = Array.from({ length: BATCH }, () => rng.int(CLASSES));
  return {
    x: tf.tensor3d(xs, [BATCH, STEPS, FEATURES]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat()),
  };
}

const OPTIMIZERS = {
  rmsprop: () => tf.train.rmsprop(0.01),
  adam: () => tf.train.adam(0.01),
} as const;

async function values(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.weights.map(async (w) => (await w.read().data()) as Float32Array));
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  a.forEach((arr, i) => {
    expect(arr.length).toBe(b[i]!.length);
    arr.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i]![j]!))));
  });
  return max;
}

function compile(model: tf.LayersModel, opt: tf.Optimizer): void {
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
}

describe.each(BACKENDS)('snapshot on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(Object.keys(OPTIMIZERS) as (keyof typeof OPTIMIZERS)[])(
    'model + %s state restored into fresh objects train identically',
    async (name) => {
      const start = tf.memory().numTensors;
      const { x, y } = makeBatch();
      const a = buildModel();
      const optA = OPTIMIZERS[name]();
      compile(a, optA);
      for (let i = 0; i < 3; i++) await a.trainOnBatch(x, y);

      const snap = await snapshotModel(a);
      const slots = await snapshotOptimizer(optA);
      expect(snap.weights.specs.map((s) => s.name)).toEqual([
        'lstm/kernel',
        'lstm/recurrent_kernel',
        'lstm/bias',
        'out/kernel',
        'out/bias',
      ]);
      expect(slots.specs.length).toBe(1 + 2 * 5);
      const decoded = decodeTensors(slots);
      expect(Array.from(await decoded['iter']!.data())).toEqual([3]);
      tf.dispose(decoded);

      // b: fresh model + fresh optimizer with both restored; c: weights only, a fresh optimizer.
      const b = buildModel();
      const optB = OPTIMIZERS[name]();
      compile(b, optB);
      restoreModelWeights(b, snap.weights);
      await restoreOptimizer(
        optB,
        slots,
        b.trainableWeights.map((w) => w.shape as number[]),
      );
      const c = buildModel();
      const optC = OPTIMIZERS[name]();
      compile(c, optC);
      restoreModelWeights(c, snap.weights);
      expect(maxDiff(await values(a), await values(b))).toBe(0);

      const lossA = await a.trainOnBatch(x, y);
      const lossB = await b.trainOnBatch(x, y);
      await c.trainOnBatch(x, y);
      expect(lossB).toBeCloseTo(lossA as number, 6);
      const [va, vb, vc] = [await values(a), await values(b), await values(c)];
      expect(va.every((arr) => arr.every(Number.isFinite))).toBe(true);
      expect(maxDiff(va, vb)).toBeLessThan(1e-6);
      // Without the optimizer slots the step differs: the check above can fail.
      expect(maxDiff(va, vc)).toBeGreaterThan(1e-4);
      const [sa, sb] = [await snapshotOptimizer(optA), await snapshotOptimizer(optB)];
      const da = decodeTensors(sa);
      const db = decodeTensors(sb);
      expect(Array.from(await db['iter']!.data())).toEqual([4]);
      for (let i = 1; i < sa.specs.length; i++) {
        const diff = tf.tidy(() =>
          tf.max(tf.abs(tf.sub(da[sa.specs[i]!.name]!, db[sb.specs[i]!.name]!))),
        );
        expect((await diff.data())[0]).toBeLessThan(1e-6);
        diff.dispose();
      }
      tf.dispose([da, db]);

      for (const m of [a, b, c]) m.dispose();
      for (const o of [optA, optB, optC]) o.dispose();
      tf.dispose([x, y]);
      expect(tf.memory().numTensors).toBe(start);
    },
  );

  it('rebuilds a model from its stored topology with identical predictions', async () => {
    const start = tf.memory().numTensors;
    const { x, y } = makeBatch();
    const a = buildModel();
    const snap = await snapshotModel(a);
    const b = await restoreModel(snap.topology, snap.weights);
    const [pa, pb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
    expect(pb.shape).toEqual([BATCH, CLASSES]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(pa, pb))));
    expect((await diff.data())[0]).toBeLessThan(1e-6);
    tf.dispose([pa, pb, diff, x, y]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('snapshot validation (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('encodes float32, int32 and bool tensors and decodes them unchanged', async () => {
    const t = [
      { name: 'f', tensor: tf.tensor2d([1.5, -2, 3e-8, 4], [2, 2]) },
      { name: 'i', tensor: tf.scalar(7, 'int32') },
      { name: 'b', tensor: tf.tensor1d([1, 0, 1], 'bool') },
    ];
    const blob = await encodeTensors(t);
    expect(blob.specs).toEqual([
      { name: 'f', shape: [2, 2], dtype: 'float32' },
      { name: 'i', shape: [], dtype: 'int32' },
      { name: 'b', shape: [3], dtype: 'bool' },
    ]);
    expect(blob.data.byteLength).toBe(16 + 4 + 3);
    const back = decodeTensors(structuredClone(blob));
    expect(Array.from(await back['f']!.data())).toEqual([1.5, -2, Math.fround(3e-8), 4]);
    expect(Array.from(await back['i']!.data())).toEqual([7]);
    expect(Array.from(await back['b']!.data())).toEqual([1, 0, 1]);
    tf.dispose([back, t.map((n) => n.tensor)]);
    await expect(
      encodeTensors([
        { name: 'x', tensor: tf.scalar(1) },
        { name: 'x', tensor: tf.scalar(2) },
      ]),
    ).rejects.toThrow(/two tensors named "x"/);
  });

  it('refuses weights whose names, shapes or bytes do not match, changing nothing', async () => {
    const a = buildModel();
    const { weights } = await snapshotModel(a);
    const renamed = buildModel(UNITS, 'other');
    const wider = buildModel(UNITS + 1);
    const start = tf.memory().numTensors;
    expect(() => restoreModelWeights(renamed, weights)).toThrow(/lack "other\/kernel"/);
    expect(() => restoreModelWeights(wider, weights)).toThrow(
      /"lstm\/kernel" is float32\[4,24\] but the model's "lstm\/kernel" is float32\[4,28\]/,
    );
    const truncated = { ...weights, data: weights.data.slice(0, weights.data.byteLength - 4) };
    expect(() => restoreModelWeights(a, truncated)).toThrow(/corrupt: expected \d+ bytes/);
    // Positional restore accepts renamed layers of the same shapes.
    restoreModelWeights(renamed, weights, { byOrder: true });
    expect(maxDiff(await values(renamed), await values(a))).toBe(0);
    expect(tf.memory().numTensors).toBe(start);
    for (const m of [a, renamed, wider]) m.dispose();
  });

  it('refuses optimizer state of another kind or another model', async () => {
    const { x, y } = makeBatch();
    const a = buildModel();
    const adam = tf.train.adam(0.01);
    compile(a, adam);
    await a.trainOnBatch(x, y);
    const slots = await snapshotOptimizer(adam);
    const rms = tf.train.rmsprop(0.01);
    await expect(restoreOptimizer(rms, slots)).rejects.toThrow(/not belong to a RMSProp/);
    const shapes = a.trainableWeights.map((w) => w.shape as number[]);
    await expect(restoreOptimizer(tf.train.adam(0.01), slots, shapes.slice(1))).rejects.toThrow(
      /does not fit this model/,
    );
    // Restoring over an optimizer that already has slots replaces and frees them.
    const before = tf.memory().numTensors;
    await restoreOptimizer(adam, slots, shapes);
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    adam.dispose();
    rms.dispose();
    tf.dispose([x, y]);
  });
});
