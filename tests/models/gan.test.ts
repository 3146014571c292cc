import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { facesToFloat, renderFaces } from '../../src/data/faces';
import {
  buildDiscriminator,
  buildGenerator,
  createGanConfig,
  ganChannels,
  sampleImages,
  sampleLatents,
  validateGanConfig,
  type GanConfig,
} from '../../src/models/gan/model';
import { buildGan } from '../../src/models/reference/gan';
import {
  createGanTrainer,
  discriminate,
  noisyLabels,
  sampleRealBatch,
  type GanTrainer,
} from '../../src/models/gan/train';
import { Rng } from '../../src/shared/rng';
import {
  restoreModel,
  restoreOptimizer,
  snapshotModel,
  snapshotOptimizer,
} from '../../src/storage/checkpoints/snapshot';
import { BACKENDS, useBackend } from '../helpers/backends';

// Tiny: SwiftShader runs every conv on the CPU.
const TINY: GanConfig = createGanConfig({ latentDim: 8, batchSize: 2 });

async function values(model: tf.LayersModel, trainableOnly = false): Promise<Float32Array[]> {
  const weights = trainableOnly ? model.trainableWeights : model.weights;
  return Promise.all(weights.map(async (w) => Float32Array.from(await w.read().data())));
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

function realPool(count: number, size: 32 | 64): Float32Array {
  return facesToFloat(renderFaces(1000, count, size));
}

// Disposes a step's losses and yields to the event loop: cpu steps are synchronous, and a loop that
// never yields starves vitest's worker RPC ("Timeout calling onTaskUpdate").
async function disposeLosses(l: object): Promise<void> {
  tf.dispose(Object.values(l) as tf.Tensor[]);
  await new Promise((resolve) => setImmediate(resolve));
}

describe('GAN config', () => {
  it('validates and derives channel widths', () => {
    expect(validateGanConfig(createGanConfig())).toBeNull();
    expect(validateGanConfig(createGanConfig({ imageSize: 48 as 32 }))).toMatch(/32 or 64/);
    expect(validateGanConfig(createGanConfig({ labelNoise: 0.6 }))).toMatch(/label noise/);
    for (const dSteps of [0, 1.5, 6])
      expect(validateGanConfig(createGanConfig({ dSteps }))).toMatch(/discriminator steps/);
    expect(ganChannels(createGanConfig())).toEqual({
      generator: [64, 32, 16, 8],
      discriminator: [16, 32, 64],
    });
    expect(ganChannels(createGanConfig({ imageSize: 64, width: 'standard' }))).toEqual({
      generator: [512, 256, 128, 64, 32],
      discriminator: [64, 128, 256, 512],
    });
  });

  it('noisy labels lie in [1-noise, 1] (real) and [0, noise] (fake), never exactly 0/1, fixed by the seed', async () => {
    await useBackend('cpu');
    const real = await noisyLabels(256, true, 0.1, 5).data();
    const fake = await noisyLabels(256, false, 0.1, 5).data();
    expect(Math.min(...real)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...real)).toBeLessThan(1);
    expect(Math.max(...fake)).toBeLessThanOrEqual(0.1);
    expect(Math.min(...fake)).toBeGreaterThan(0);
    expect(new Set(real).size).toBeGreaterThan(200);
    expect(Array.from(await noisyLabels(256, true, 0.1, 5).data())).toEqual(Array.from(real));
    expect(Array.from(await noisyLabels(256, true, 0.1, 6).data())).not.toEqual(Array.from(real));
  });
});

describe.each(BACKENDS)('DCGAN (%s)', (backend) => {
  it('has the recipe shapes and names; G outputs images in [-1, 1]', async () => {
    await useBackend(backend);
    const g = buildGenerator(TINY, 1);
    const d = buildDiscriminator(TINY, 2);
    const gan = buildGan(g, d, TINY);
    expect(g.layers.map((l) => l.name)).toEqual(
      expect.arrayContaining(['g_dense_bn', 'g_up3_resize', 'g_up3', 'g_up3_bn', 'g_rgb']),
    );
    expect(g.getLayer('g_up3_resize').getConfig().interpolation).toBe('bilinear');
    // One dropout, before the dense layer: the seed lecture's discriminator.
    expect(d.layers.filter((l) => l.getClassName() === 'Dropout').map((l) => l.name)).toEqual([
      'd_drop',
    ]);
    expect(d.layers.map((l) => l.name)).toEqual(
      expect.arrayContaining(['d_conv1', 'd_drop', 'd_prob']),
    );
    const z = sampleLatents(3, TINY.latentDim, 4);
    const img = sampleImages(g, z);
    expect(img.shape).toEqual([3, 32, 32, 3]);
    const v = await img.data();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.01);
    const p = d.predict(img) as tf.Tensor;
    expect(p.shape).toEqual([3, 1]);
    const q = gan.predict(z) as tf.Tensor;
    expect(q.shape).toEqual([3, 1]);
    expect(Array.from(await q.data())).toEqual(Array.from(await p.data()));
    tf.dispose([z, img, p, q]);
    [g, d].forEach((m) => m.dispose());
  });

  it('the gan step changes G and no D weight; the D step changes D and no trained G weight', async () => {
    await useBackend(backend);
    const g = buildGenerator(TINY, 3);
    const d = buildDiscriminator(TINY, 4);
    const trainer = createGanTrainer(g, d, TINY);
    const real = sampleRealBatch(realPool(4, 32), 32, 2, new Rng(1));
    const g0 = await values(g);
    const d0 = await values(d);
    await disposeLosses({ gLoss: trainer.generatorStep(2, 9) });
    const g1 = await values(g);
    const d1 = await values(d);
    expect(maxDiff(d0, d1)).toBe(0);
    // Every generator weight tensor moved (Adam's first step moves each by ~lr).
    g0.forEach((w, i) => expect(maxDiff([w], [g1[i]])).toBeGreaterThan(1e-5));
    const gTrained1 = await values(g, true);
    await disposeLosses(trainer.discriminatorStep(real, 10));
    const d2 = await values(d);
    // (G's batch-norm moving averages follow its training-mode pass; they are not trained weights.)
    expect(maxDiff(gTrained1, await values(g, true))).toBe(0);
    d1.forEach((w, i) => expect(maxDiff([w], [d2[i]])).toBeGreaterThan(1e-5));
    trainer.dispose();
    tf.dispose(real);
    [g, d].forEach((m) => m.dispose());
  });

  it('dropout is on only in training: seeded training passes differ, inference passes agree', async () => {
    await useBackend(backend);
    const d = buildDiscriminator(TINY, 5);
    const x = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const read = async (t: tf.Tensor): Promise<number[]> => {
      const v = Array.from(await t.data());
      t.dispose();
      return v;
    };
    const inf1 = await read(discriminate(d, x));
    const inf2 = await read(d.apply(x, { training: false }) as tf.Tensor);
    const tr1 = await read(discriminate(d, x, 1));
    const tr1again = await read(discriminate(d, x, 1));
    const tr2 = await read(discriminate(d, x, 2));
    expect(inf1).toEqual(inf2);
    expect(tr1).toEqual(tr1again);
    expect(tr1).not.toEqual(tr2);
    expect(tr1).not.toEqual(inf1);
    // The seed is cleared after the pass, so saved topologies stay seed-free.
    expect(d.getLayer('d_drop').getConfig().seed).toBeUndefined();
    tf.dispose(x);
    d.dispose();
  });

  // 50 steps on cpu; 10 on SwiftShader (≈3 s a step there), enough to show a per-step leak.
  it('leaks no tensor across its steps', async () => {
    await useBackend(backend);
    const steps = backend === 'cpu' ? 50 : 10;
    const cfg = createGanConfig({ latentDim: 4, batchSize: 1 });
    const g = buildGenerator(cfg, 6);
    const d = buildDiscriminator(cfg, 7);
    const trainer = createGanTrainer(g, d, cfg);
    const real = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 8) as tf.Tensor4D;
    // The first step creates the optimizers' slots; count from after it.
    await disposeLosses(trainer.step(real, 1));
    const before = tf.memory().numTensors;
    for (let s = 2; s <= steps; s++) {
      const l = trainer.step(real, s);
      if (s % 10 === 0) await l.gLoss.data();
      await disposeLosses(l);
    }
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    tf.dispose(real);
    [g, d].forEach((m) => m.dispose());
  });
});

describe('DCGAN training on cpu', () => {
  it('dSteps 2 updates D twice and G once per step and leaks nothing', async () => {
    await useBackend('cpu');
    const real = sampleRealBatch(realPool(4, 32), 32, 2, new Rng(2));
    const run = async (dSteps: number) => {
      const cfg = { ...TINY, dSteps };
      const [g, d] = [buildGenerator(cfg, 3), buildDiscriminator(cfg, 4)];
      const trainer = createGanTrainer(g, d, cfg);
      await disposeLosses(trainer.step(real, 5));
      const before = tf.memory().numTensors;
      await disposeLosses(trainer.step(real, 6));
      const out = {
        leaked: tf.memory().numTensors - before,
        dUpdates: trainer.optimizers.discriminator.iterations,
        gUpdates: trainer.optimizers.generator.iterations,
        d: await values(d, true),
      };
      trainer.dispose();
      [g, d].forEach((m) => m.dispose());
      return out;
    };
    const one = await run(1);
    const two = await run(2);
    expect([one.dUpdates, one.gUpdates, one.leaked]).toEqual([2, 2, 0]);
    expect([two.dUpdates, two.gUpdates, two.leaked]).toEqual([4, 2, 0]);
    expect(maxDiff(one.d, two.d)).toBeGreaterThan(1e-5);
    tf.dispose(real);
  });

  it('the Keras way: gan.trainOnBatch updates only G, and d.trainOnBatch still trains d after buildGan', async () => {
    await useBackend('cpu');
    const g = buildGenerator(TINY, 11);
    const d = buildDiscriminator(TINY, 12);
    const gan = buildGan(g, d, TINY);
    const z = sampleLatents(2, TINY.latentDim, 1);
    const ones = tf.ones([2, 1]);
    const [g0, d0] = [await values(g), await values(d)];
    await gan.trainOnBatch(z, ones);
    const [g1, d1] = [await values(g), await values(d)];
    expect(maxDiff(d0, d1)).toBe(0);
    expect(maxDiff(g0, g1)).toBeGreaterThan(1e-5);
    const img = sampleImages(g, z);
    await d.trainOnBatch(img, ones);
    expect(maxDiff(d1, await values(d))).toBeGreaterThan(1e-5);
    tf.dispose([z, ones, img]);
    [g, d].forEach((m) => m.dispose());
  });

  it('the strided Conv2DBackpropInput kernel matches a naive transposed convolution', async () => {
    await useBackend('cpu');
    const g = buildGenerator(TINY, 1);
    createGanTrainer(g, buildDiscriminator(TINY, 1), TINY).dispose(); // registers the kernels
    const rng = new Rng(4);
    const [n, h, w, cin, cout, k, s] = [2, 3, 5, 6, 5, 4, 2];
    const x = Float32Array.from({ length: n * h * w * cin }, () => rng.normal());
    const f = Float32Array.from({ length: k * k * cout * cin }, () => rng.normal());
    const y = tf.conv2dTranspose(
      tf.tensor4d(x, [n, h, w, cin]),
      tf.tensor4d(f, [k, k, cout, cin]),
      [n, h * s, w * s, cout],
      s,
      'same',
    );
    // 'same' with k=4, s=2 pads the gathering conv by 1 on top/left.
    const ref = new Float64Array(n * h * s * w * s * cout);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let a = 0; a < k; a++)
            for (let c = 0; c < k; c++) {
              const oy = i * s + a - 1;
              const ox = j * s + c - 1;
              if (oy < 0 || ox < 0 || oy >= h * s || ox >= w * s) continue;
              for (let co = 0; co < cout; co++)
                for (let ci = 0; ci < cin; ci++)
                  ref[((b * h * s + oy) * w * s + ox) * cout + co] +=
                    x[((b * h + i) * w + j) * cin + ci] * f[((a * k + c) * cout + co) * cin + ci];
            }
    const got = await y.data();
    let m = 0;
    ref.forEach((v, i) => (m = Math.max(m, Math.abs(v - got[i]))));
    expect(m).toBeLessThan(1e-4);
    tf.dispose(y);
    g.dispose();
  });

  it('resumes exactly: 4 steps straight = 2 steps + snapshot + fresh models and trainer + 2 steps', async () => {
    await useBackend('cpu');
    const cfg = createGanConfig({ latentDim: 8, batchSize: 4 });
    const pool = realPool(16, 32);
    const batchFor = (step: number): tf.Tensor4D =>
      sampleRealBatch(pool, 32, 4, new Rng(100 + step));
    const run = async (trainer: GanTrainer, from: number, to: number): Promise<void> => {
      for (let s = from; s < to; s++) {
        const real = batchFor(s);
        await disposeLosses(trainer.step(real, 500 + s));
        real.dispose();
      }
    };
    const g = buildGenerator(cfg, 21);
    const d = buildDiscriminator(cfg, 22);
    const straight = createGanTrainer(g, d, cfg);
    await run(straight, 0, 4);

    const g2 = buildGenerator(cfg, 21);
    const d2 = buildDiscriminator(cfg, 22);
    const first = createGanTrainer(g2, d2, cfg);
    await run(first, 0, 2);
    const snap = {
      g: await snapshotModel(g2),
      d: await snapshotModel(d2),
      gOpt: await snapshotOptimizer(first.optimizers.generator),
      dOpt: await snapshotOptimizer(first.optimizers.discriminator),
    };
    first.dispose();
    g2.dispose();
    d2.dispose();
    const g3 = await restoreModel(snap.g.topology, snap.g.weights);
    const d3 = await restoreModel(snap.d.topology, snap.d.weights);
    const resumed = createGanTrainer(g3, d3, cfg);
    await restoreOptimizer(resumed.optimizers.generator, snap.gOpt);
    await restoreOptimizer(resumed.optimizers.discriminator, snap.dOpt);
    await run(resumed, 2, 4);

    expect(maxDiff(await values(g), await values(g3))).toBeLessThan(1e-5);
    expect(maxDiff(await values(d), await values(d3))).toBeLessThan(1e-5);
    for (const [a, b] of [
      [straight.optimizers.generator, resumed.optimizers.generator],
      [straight.optimizers.discriminator, resumed.optimizers.discriminator],
    ] as const) {
      const wa = await a.getWeights();
      const wb = await b.getWeights();
      expect(wb).toHaveLength(wa.length);
      const va = await Promise.all(wa.map(async (w) => Float32Array.from(await w.tensor.data())));
      const vb = await Promise.all(wb.map(async (w) => Float32Array.from(await w.tensor.data())));
      expect(va[0][0]).toBe(4); // iterations
      expect(maxDiff(va, vb)).toBeLessThan(1e-5);
      // getWeights returns a fresh 'iter' scalar next to the optimizer's own slot variables.
      tf.dispose([wa[0].tensor, wb[0].tensor]);
    }
    // The two runs really trained: weights moved from their initial values.
    const fresh = buildGenerator(cfg, 21);
    expect(maxDiff(await values(fresh), await values(g))).toBeGreaterThan(1e-4);
    [straight, resumed].forEach((t) => t.dispose());
    [g, d, g3, d3, fresh].forEach((m) => m.dispose());
  });
});
