import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildVocab, countWindows, encodeText, epochOrder, fillBatch } from '../../src/data/corpus';
import type { CharLstmConfig } from '../../src/models/char-lstm/model';
import { oneHotTargets, oneHotWindows } from '../../src/models/reference/char-lstm';
import {
  buildCharLstm,
  createCharLstmConfig,
  DEFAULT_CHAR_LSTM,
  validateCharLstmConfig,
} from '../../src/models/char-lstm/model';
import {
  computeFastGradients,
  createFastTrainer,
  predictProbs,
} from '../../src/models/char-lstm/fast';
import { installKernels, useKernels, withStockKernels } from '../../src/models/kernels';
import { LSTM_SEQ_FORWARD } from '../../src/models/kernels/cpu/lstm';
import { LSTM_STEP_FORWARD } from '../../src/models/kernels/webgpu/lstm';
import { generateText } from '../../src/models/char-lstm/sampler';
import { Rng } from '../../src/shared/rng';
import { BACKENDS, useBackend } from '../helpers/backends';

// Large enough (> 1,000 elements per tensor) that webgpu runs the shaders, not its cpu forwarding.
const EQ = createCharLstmConfig(20, { batchSize: 8, maxLen: 12, units: 32 });

function randomBatch(cfg: CharLstmConfig, seed: number): { xs: Int32Array; ys: Int32Array } {
  const rng = new Rng(seed);
  const xs = Int32Array.from({ length: cfg.batchSize * cfg.maxLen }, () => rng.int(cfg.vocabSize));
  const ys = Int32Array.from({ length: cfg.batchSize }, () => rng.int(cfg.vocabSize));
  return { xs, ys };
}

async function values(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Runs `f` and fails on any WebGPU validation error, which Dawn reports without throwing. */
async function noGpuErrors<T>(f: () => Promise<T>): Promise<T> {
  if (tf.getBackend() !== 'webgpu') return f();
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  device.pushErrorScope('validation');
  const out = await f();
  const error = await device.popErrorScope();
  expect(error?.message ?? null).toBeNull();
  return out;
}

/** Random weights (std 0.3, so every gate matters) and the tf.layers loss/gradients, computed on stock cpu. */
function referenceOnCpu(cfg: CharLstmConfig, xs: Int32Array, ys: Int32Array) {
  return withStockKernels(() => layersOnCpu(cfg, xs, ys));
}

async function layersOnCpu(cfg: CharLstmConfig, xs: Int32Array, ys: Int32Array) {
  const backend = tf.getBackend();
  await useBackend('cpu');
  const model = buildCharLstm(cfg, 1);
  const rng = new Rng(5);
  model.setWeights(
    model.getWeights().map((w) => tf.randomNormal(w.shape, 0, 0.3, 'float32', rng.seed())),
  );
  const weights = await values(model.getWeights());
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const probs = model.apply(oneHotWindows(xs, ys.length, cfg), { training: true }) as tf.Tensor;
    return tf.mean(tf.metrics.categoricalCrossentropy(oneHotTargets(ys, cfg), probs)) as tf.Scalar;
  }, vars);
  const loss = (await value.data())[0];
  const refGrads = await values(vars.map((v) => grads[v.name]));
  const probs = await values([model.predict(oneHotWindows(xs, ys.length, cfg)) as tf.Tensor]);
  tf.dispose([value, ...Object.values(grads)]);
  model.dispose();
  await useBackend(backend);
  return { weights, loss, grads: refGrads, probs: probs[0] };
}

function buildWith(cfg: CharLstmConfig, weights: Float32Array[]): tf.LayersModel {
  const model = buildCharLstm(cfg, 2);
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  return model;
}

describe('validateCharLstmConfig', () => {
  it('accepts the Keras recipe and rejects bad numbers', () => {
    const cfg = createCharLstmConfig(57);
    expect(cfg).toEqual({
      vocabSize: 57,
      maxLen: 40,
      units: 128,
      learningRate: 0.01,
      batchSize: 128,
      step: 3,
    });
    expect(validateCharLstmConfig(cfg)).toBeNull();
    expect(validateCharLstmConfig({ ...cfg, learningRate: 0 })).toMatch(/learning rate/);
    expect(validateCharLstmConfig({ ...cfg, learningRate: NaN })).toMatch(/learning rate/);
    expect(validateCharLstmConfig({ ...cfg, batchSize: 1.5 })).toMatch(/batch/);
    expect(validateCharLstmConfig({ ...cfg, batchSize: 2048 })).toMatch(/batch/);
    expect(validateCharLstmConfig({ ...cfg, units: 0 })).toMatch(/units/);
    expect(DEFAULT_CHAR_LSTM.learningRate).toBe(0.01);
  });
});

describe.each(BACKENDS)('char-LSTM on %s', (backend) => {
  afterEach(() => installKernels());

  it('has the reference shapes, and the fast forward predicts what tf.layers predicts', async () => {
    await useBackend(backend);
    const { xs, ys } = randomBatch(EQ, 11);
    const ref = await referenceOnCpu(EQ, xs, ys);
    const model = buildWith(EQ, ref.weights);
    expect(model.inputs[0].shape).toEqual([null, 12, 20]);
    expect(model.outputs[0].shape).toEqual([null, 20]);
    expect(model.getWeights().map((w) => w.shape)).toEqual([
      [20, 128],
      [32, 128],
      [128],
      [32, 20],
      [20],
    ]);
    const lstm = model.layers[0].getConfig();
    expect(lstm.recurrentActivation).toBe('sigmoid');
    const probs = await noGpuErrors(async () => {
      const p = predictProbs(model, xs, EQ.batchSize);
      expect(p.shape).toEqual([8, 20]);
      return (await values([p]))[0];
    });
    expect(maxAbsDiff(probs, ref.probs)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('fresh recurrent kernels are orthogonal (rows of [units, 4*units])', async () => {
    await useBackend(backend);
    const model = buildCharLstm(EQ, 4);
    const r = model.getWeights()[1];
    const gram = (await values([tf.matMul(r, r, false, true)]))[0];
    const eye = Float32Array.from({ length: 32 * 32 }, (_, i) => (i % 33 === 0 ? 1 : 0));
    expect(maxAbsDiff(gram, eye)).toBeLessThan(1e-5);
    model.dispose();
  });

  // Batch 7 leaves the webgpu shaders' last block of 4 rows partly empty, batch 1 all but one row.
  // 'fused' runs our LSTM kernels, 'generic' the same math in tf ops on stock kernels.
  const cases = [
    ['fused', EQ],
    ['fused', { ...EQ, batchSize: 7 }],
    ['fused', { ...EQ, batchSize: 1, maxLen: 9 }],
    ['generic', EQ],
  ] as const;
  for (const [path, cfg] of cases) {
    it(`${path} fast path, batch ${cfg.batchSize}: same loss and gradients as tf.layers on cpu (1e-4)`, async () => {
      await useBackend(backend);
      useKernels(path === 'generic' ? 'stock' : 'ours');
      // The fast path runs our LSTM kernels exactly when they are registered.
      const fused = backend === 'cpu' ? LSTM_SEQ_FORWARD : LSTM_STEP_FORWARD;
      expect(tf.getKernel(fused, backend) !== undefined).toBe(path === 'fused');
      const { xs, ys } = randomBatch(cfg, 12);
      const ref = await referenceOnCpu(cfg, xs, ys);
      const model = buildWith(cfg, ref.weights);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { loss, grads } = await noGpuErrors(async () => {
        const out = computeFastGradients(model, cfg, xs, ys, cfg.batchSize);
        const res = {
          loss: (await out.value.data())[0],
          grads: await values(vars.map((v) => out.grads[v.name])),
        };
        tf.dispose([out.value, ...Object.values(out.grads)]);
        return res;
      });
      const diffs = grads.map((g, i) => maxAbsDiff(g, ref.grads[i]));
      const worst = Math.max(...diffs);
      console.log(
        `${backend} ${path} b${cfg.batchSize}: loss ${loss} vs ${ref.loss}, grad diff ${worst}`,
      );
      expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-4);
      for (let i = 0; i < diffs.length; i++) {
        expect(diffs[i]).toBeLessThan(1e-4);
        // The gradients are not all tiny, so 1e-4 is a real bound.
        expect(Math.max(...ref.grads[i].map(Math.abs))).toBeGreaterThan(1e-2);
      }
      model.dispose();
    });
  }

  it('does not grow tf.memory().numTensors across 50 steps', async () => {
    await useBackend(backend);
    const model = buildCharLstm(EQ, 6);
    const trainer = createFastTrainer(model, EQ);
    const { xs, ys } = randomBatch(EQ, 13);
    const step = () => {
      const { loss } = trainer.step({ xs, ys, batch: EQ.batchSize }, 0);
      loss.dispose();
    };
    await noGpuErrors(async () => {
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) step();
      expect(tf.memory().numTensors).toBe(before);
    });
    trainer.dispose();
    model.dispose();
  });
});

const SENTENCE = 'the quick brown fox jumps over the lazy dog. ';

describe.each(BACKENDS)('the char-LSTM learns on %s', (backend) => {
  it('fits a repeated sentence below 0.2 and greedy sampling reproduces it', async () => {
    await useBackend(backend);
    const text = SENTENCE.repeat(8);
    const vocab = buildVocab(text);
    const cfg = createCharLstmConfig(vocab.length, {
      maxLen: 10,
      step: 1,
      units: 32,
      batchSize: 32,
    });
    const encoded = encodeText(text, vocab);
    const windows = countWindows(encoded.length, cfg.maxLen, cfg.step);
    const model = buildCharLstm(cfg, 21);
    const trainer = createFastTrainer(model, cfg);
    let [epoch, cursor, last] = [0, 0, Infinity];
    let order = epochOrder(windows, 1, epoch);
    for (let step = 0; step < 400 && last >= 0.2; step++) {
      if (cursor + cfg.batchSize > windows) [epoch, cursor] = [epoch + 1, 0];
      if (cursor === 0) order = epochOrder(windows, 1, epoch);
      const { xs, ys } = fillBatch(encoded, order, cursor, cfg.batchSize, cfg.maxLen, cfg.step);
      cursor += cfg.batchSize;
      const { loss } = trainer.step({ xs, ys, batch: cfg.batchSize }, step);
      if (step % 10 === 9) last = (await loss.data())[0];
      loss.dispose();
    }
    console.log(`${backend} learn test: final loss ${last} at epoch ${epoch}`);
    expect(last).toBeLessThan(0.2);
    const [greedy] = await generateText(
      model,
      vocab,
      SENTENCE.slice(0, 10),
      90,
      [1e-6],
      new Rng(1),
    );
    expect(SENTENCE.slice(0, 10) + greedy).toBe(SENTENCE.repeat(3).slice(0, 100));
    trainer.dispose();
    model.dispose();
  });
});

describe('resume is exact (cpu)', () => {
  it('30 steps equal 15 + save + load into fresh objects + 15 (1e-5)', async () => {
    await useBackend('cpu');
    const cfg = createCharLstmConfig(20, { batchSize: 16, maxLen: 12, units: 32 });
    const batches = Array.from({ length: 30 }, (_, i) => randomBatch(cfg, 100 + i));
    const train = (t: ReturnType<typeof createFastTrainer>, from: number, to: number) => {
      for (let i = from; i < to; i++)
        t.step({ ...batches[i], batch: cfg.batchSize }, i).loss.dispose();
    };

    const straight = buildCharLstm(cfg, 30);
    const init = await values(straight.getWeights());
    const t1 = createFastTrainer(straight, cfg);
    train(t1, 0, 30);
    const want = await values(straight.getWeights());

    const first = buildWith(cfg, init);
    const t2 = createFastTrainer(first, cfg);
    train(t2, 0, 15);
    // The checkpoint: plain arrays only, like IndexedDB would hold.
    const savedWeights = await values(first.getWeights());
    const slots = await t2.optimizers.rmsprop.getWeights();
    const savedSlots = await Promise.all(
      slots.map(async (s) => ({
        name: s.name,
        shape: s.tensor.shape,
        data: Float32Array.from(await s.tensor.data()),
      })),
    );
    t2.dispose();
    first.dispose();

    const resumed = buildWith(cfg, savedWeights);
    const t3 = createFastTrainer(resumed, cfg);
    await t3.optimizers.rmsprop.setWeights(
      savedSlots.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) })),
    );
    train(t3, 15, 30);
    const got = await values(resumed.getWeights());
    const diff = Math.max(...got.map((g, i) => maxAbsDiff(g, want[i])));
    console.log(`resume: max |weight diff| ${diff}`);
    expect(diff).toBeLessThan(1e-5);
    // Training moved the weights, so equality is not trivial.
    expect(Math.max(...want.map((w, i) => maxAbsDiff(w, init[i])))).toBeGreaterThan(1e-2);
    [t1, t3].forEach((t) => t.dispose());
    [straight, resumed].forEach((m) => m.dispose());
  });
});
