import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  buildEncoder,
  buildSegmenter,
  countParams,
  countTrainableParams,
  encoderBlocks,
  setStage,
} from '../../src/models/segmenter/model';
import type { SegmenterConfig, Stage } from '../../src/models/segmenter/model';
import {
  DEFAULT_SEG_TRAIN,
  MAX_CLASS_WEIGHT,
  classWeights,
  diceLoss,
  createSegTrainer,
  segMetrics,
  segTensors,
  stageLearningRate,
  type SegTrainer,
} from '../../src/models/segmenter/train';
import { Rng } from '../../src/shared/rng';
import {
  restoreModelWeights,
  restoreOptimizer,
  snapshotModel,
  snapshotOptimizer,
} from '../../src/storage/checkpoints/snapshot';
import { BACKENDS, useBackend } from '../helpers/backends';

const TINY: SegmenterConfig = {
  size: 16,
  filters: [4, 8, 8],
  numClasses: 3,
  seed: 7,
  batchNorm: true,
};

function tinyBatch(rng: Rng, n: number, cfg = TINY): { xs: tf.Tensor4D; ys: tf.Tensor4D } {
  const px = cfg.size * cfg.size;
  const images = Float32Array.from({ length: n * px * 3 }, () => rng.next());
  // Labels are a function of the image, so there is something to learn.
  const labels = Uint8Array.from({ length: n * px }, (_, i) =>
    Math.floor(images[i * 3] * cfg.numClasses),
  );
  return segTensors(images, labels, n, cfg.size, cfg.numClasses);
}

async function weightValues(model: tf.LayersModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const w of model.weights) out.set(w.originalName, (await w.read().data()) as Float32Array);
  return out;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

// A mask trainer of `model` at the learning rate of `stage`, plain cross-entropy.
function stageTrainer(model: tf.LayersModel, stage: Stage, numClasses = TINY.numClasses) {
  return createSegTrainer(model, stageLearningRate(DEFAULT_SEG_TRAIN, stage), { numClasses });
}

function train(trainer: SegTrainer, rng: Rng, steps: number, cfg = TINY): void {
  for (let i = 0; i < steps; i++) {
    const { xs, ys } = tinyBatch(rng, 2, cfg);
    trainer.step({ xs, ys }, i).loss.dispose();
    tf.dispose([xs, ys]);
  }
}

describe.each(BACKENDS)('segmenter on %s', (backend) => {
  it('builds a U-Net with stable layer names, trains, and leaks no tensors', async () => {
    await useBackend(backend);
    const model = buildSegmenter(buildEncoder(TINY));
    expect(model.outputs[0].shape).toEqual([null, 16, 16, 3]);
    const names = model.layers.map((l) => l.name);
    for (const n of [
      'image',
      'enc1_conv1',
      'enc1_conv2_bn',
      'enc2_pool',
      'enc3_conv2',
      'dec2_up',
    ]) {
      expect(names).toContain(n);
    }
    expect(names).toContain('dec1_concat');
    expect(names[names.length - 1]).toBe('head');
    expect(encoderBlocks(model).map((b) => b.length)).toEqual([4, 4, 4]);
    const trainer = stageTrainer(model, 'scratch');
    const rng = new Rng(1);
    const before = await weightValues(model);
    const steps = backend === 'cpu' ? 50 : 3;
    train(trainer, rng, 2); // creates the optimizer slots
    const tensors = tf.memory().numTensors;
    const { xs, ys } = tinyBatch(rng, 2);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const { loss } = trainer.step({ xs, ys }, i);
      if (i === 0 || i === steps - 1) losses.push((await loss.data())[0]);
      loss.dispose();
    }
    tf.dispose([xs, ys]);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(losses.every(Number.isFinite)).toBe(true);
    const after = await weightValues(model);
    expect(maxDiff(before.get('head/kernel')!, after.get('head/kernel')!)).toBeGreaterThan(0);
    expect(
      maxDiff(before.get('enc1_conv1/kernel')!, after.get('enc1_conv1/kernel')!),
    ).toBeGreaterThan(0);
    if (backend === 'cpu') expect(losses[1]).toBeLessThan(losses[0]);
    trainer.dispose();
    model.dispose();
  });
});

describe('freezing and fine-tuning (cpu)', () => {
  it('stage (a) trains only the decoder; stage (b) also the top K blocks; counts match the weights', async () => {
    await useBackend('cpu');
    const model = buildSegmenter(buildEncoder(TINY));
    const rng = new Rng(2);
    const size = (w: tf.LayerVariable): number => w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const sumOf = (pred: (layer: string) => boolean): number =>
      model.layers
        .filter((l) => pred(l.name))
        .flatMap((l) => l.trainableWeights)
        .reduce((n, w) => n + size(w), 0);
    const all = sumOf(() => true);
    const isEnc = (k: number) => (n: string) => n.startsWith(`enc${k}_`);
    const decoder = sumOf((n) => !n.startsWith('enc'));

    expect(setStage(model, 'frozen')).toBe(decoder);
    expect(countTrainableParams(model)).toBe(decoder);
    let before = await weightValues(model);
    train(stageTrainer(model, 'frozen'), rng, 3);
    let after = await weightValues(model);
    const changed = (name: string) => maxDiff(before.get(name)!, after.get(name)!) > 0;
    for (const name of before.keys()) {
      if (name.startsWith('enc')) expect(changed(name), name).toBe(false);
    }
    for (const name of ['dec1_conv1/kernel', 'dec2_conv2_bn/gamma', 'head/kernel', 'head/bias']) {
      expect(changed(name), name).toBe(true);
    }

    expect(setStage(model, 'finetune', 1)).toBe(decoder + sumOf(isEnc(3)));
    before = await weightValues(model);
    train(stageTrainer(model, 'finetune'), rng, 3);
    after = await weightValues(model);
    for (const name of before.keys()) {
      if (name.startsWith('enc1') || name.startsWith('enc2'))
        expect(changed(name), name).toBe(false);
      if (/^enc3_.*(kernel|gamma|beta|moving_mean)$/.test(name))
        expect(changed(name), name).toBe(true);
    }
    expect(setStage(model, 'finetune', 2)).toBe(decoder + sumOf(isEnc(2)) + sumOf(isEnc(3)));
    expect(setStage(model, 'scratch')).toBe(all);
    // Every weight but the batch-norm moving statistics trains from scratch.
    const moving = model.weights
      .filter((w) => /moving_/.test(w.originalName))
      .reduce((n, w) => n + size(w), 0);
    expect(all).toBe(countParams(model) - moving);
    expect(stageLearningRate(DEFAULT_SEG_TRAIN, 'finetune')).toBeCloseTo(
      DEFAULT_SEG_TRAIN.learningRate / 10,
      12,
    );
    const drop = { ...DEFAULT_SEG_TRAIN, lrDropStep: 50 };
    expect(stageLearningRate(drop, 'scratch', 49)).toBe(drop.learningRate);
    expect(stageLearningRate(drop, 'scratch', 50)).toBeCloseTo(drop.learningRate / 10, 12);
    expect(stageLearningRate(drop, 'finetune', 50)).toBeCloseTo(drop.learningRate / 100, 12);
    expect(() => setStage(model, 'finetune', 4)).toThrow(/topK/);
    model.dispose();
  });

  it('resumes exactly (1e-5) from a snapshot taken in stage (b), stage included', async () => {
    await useBackend('cpu');
    const cfg = TINY;
    const a = buildSegmenter(buildEncoder(cfg));
    const rngA = new Rng(3);
    setStage(a, 'frozen');
    train(stageTrainer(a, 'frozen'), rngA, 2);
    let stage: Stage = 'finetune';
    setStage(a, stage, 1);
    const trainerA = stageTrainer(a, stage);
    train(trainerA, rngA, 2);
    const saved = {
      model: await snapshotModel(a),
      optimizer: await snapshotOptimizer(trainerA.optimizers.adam),
      stage,
      topK: 1,
      rng: rngA.state,
    };
    train(trainerA, rngA, 3);
    const expected = await weightValues(a);

    stage = 'scratch'; // whatever the fresh session starts in, the checkpoint decides
    const b = buildSegmenter(buildEncoder(cfg));
    restoreModelWeights(b, saved.model.weights);
    stage = saved.stage;
    setStage(b, stage, saved.topK);
    const trainerB = stageTrainer(b, stage);
    await restoreOptimizer(
      trainerB.optimizers.adam,
      saved.optimizer,
      b.trainableWeights.map((w) => w.shape as number[]),
    );
    const rngB = new Rng(saved.rng);
    train(trainerB, rngB, 3);
    const got = await weightValues(b);
    let worst = 0;
    for (const [name, v] of expected) worst = Math.max(worst, maxDiff(v, got.get(name)!));
    expect(worst).toBeLessThan(1e-5);
    expect(countTrainableParams(b)).toBe(countTrainableParams(a));
    // Training on without the restored slots would diverge: the check above can fail.
    const c = buildSegmenter(buildEncoder(cfg));
    restoreModelWeights(c, saved.model.weights);
    setStage(c, 'finetune', 1);
    train(stageTrainer(c, 'finetune'), new Rng(saved.rng), 3);
    const fresh = await weightValues(c);
    let gap = 0;
    for (const [name, v] of expected) gap = Math.max(gap, maxDiff(v, fresh.get(name)!));
    expect(gap).toBeGreaterThan(1e-4);
    tf.dispose([a, b, c].map((m) => m.weights.map((w) => w.read())).flat());
  });
});

describe('segmentation scores', () => {
  it('scores pixel accuracy and IoU per class', () => {
    const m = segMetrics(Uint8Array.from([0, 1, 1, 2]), Uint8Array.from([0, 1, 2, 2]), 4);
    expect(m.pixelAccuracy).toBe(0.75);
    expect(m.iou.slice(0, 3)).toEqual([1, 0.5, 0.5]);
    expect(Number.isNaN(m.iou[3])).toBe(true);
    expect(m.meanIou).toBeCloseTo(2 / 3, 12);
  });
});

describe('the Dice term of the mask loss (cpu)', () => {
  it('is 0 for a perfect prediction, scores each class by overlap, and adds to the CE in a step', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    // Two pixels: class 0 then class 1 (one-hot), 3 classes (class 2 absent from truth).
    const y = tf.tensor4d([1, 0, 0, 0, 1, 0], [1, 1, 2, 3]);
    const half = tf.tensor4d([0.5, 0.5, 0, 0.5, 0.5, 0], [1, 1, 2, 3]);
    const scores = [diceLoss(y, y), diceLoss(y, half)];
    const [perfect, mixed] = await Promise.all(scores.map((t) => t.data()));
    // Classes 0 and 1: (2·0.5 + 1) / (1 + 1 + 1) = 2/3 each; class 2: (0 + 1) / (0 + 0 + 1) = 1.
    expect(perfect[0]).toBeCloseTo(0, 6);
    expect(mixed[0]).toBeCloseTo(1 - (2 / 3 + 2 / 3 + 1) / 3, 6);
    tf.dispose([y, half, ...scores]);

    const rng = new Rng(3);
    const { xs, ys } = tinyBatch(rng, 2);
    const model = buildSegmenter(buildEncoder(TINY));
    const p = model.apply(xs, { training: true }) as tf.Tensor;
    const expected = tf.tidy(() =>
      tf.add(
        tf.neg(tf.mean(tf.sum(tf.mul(ys, tf.log(tf.clipByValue(p, 1e-7, 1))), -1))),
        tf.mul(diceLoss(ys, p), 2),
      ),
    );
    const trainer = createSegTrainer(model, 0.01, { numClasses: 3, diceWeight: 2 });
    const { loss } = trainer.step({ xs, ys }, 0);
    expect((await loss.data())[0]).toBeCloseTo((await expected.data())[0], 5);
    tf.dispose([p, expected, loss, xs, ys]);
    trainer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('class balancing of the mask loss (cpu)', () => {
  it('weights classes by inverse frequency in the maps that contain them, keeps the pixel mean at 1, caps rare classes and covers absent ones', () => {
    // Class 1 is 1 of the 4 pixels of the one map that has it: frequency 1/4, not 1/8.
    const w = classWeights([Uint8Array.from([0, 0, 0, 1]), Uint8Array.from([0, 0, 0, 0])], 3);
    expect(w[0]).toBeCloseTo(8 / 7 / 1.5, 6);
    expect(w[1]).toBeCloseTo(4 / 1.5, 6);
    expect(w[2]).toBe(w[1]);
    expect((7 * w[0] + w[1]) / 8).toBeCloseTo(1, 6);
    const rare = new Uint8Array(10_000);
    rare[0] = 1;
    const capped = classWeights([rare], 2);
    expect(capped[1]).toBe(MAX_CLASS_WEIGHT);
    expect(capped[0]).toBeCloseTo(10_000 / 9_999 / 2, 6);
  });

  it('a weighted step returns the class-weighted cross-entropy and moves the weights differently', async () => {
    await useBackend('cpu');
    const rng = new Rng(3);
    const { xs, ys } = tinyBatch(rng, 2);
    const weights = tf.tensor1d([0.5, 1, 4]);
    const before = tf.memory().numTensors;
    const run = async (w?: tf.Tensor1D) => {
      const model = buildSegmenter(buildEncoder(TINY));
      const p = model.apply(xs, { training: true }) as tf.Tensor;
      const scale = w ?? tf.ones([3]);
      const expected = tf.tidy(() =>
        tf.neg(tf.mean(tf.sum(tf.mul(tf.mul(ys, scale), tf.log(tf.clipByValue(p, 1e-7, 1))), -1))),
      );
      const trainer = createSegTrainer(model, 0.01, { numClasses: 3, weights: w });
      const { loss } = trainer.step({ xs, ys }, 0);
      const out = {
        loss: (await loss.data())[0],
        expected: (await expected.data())[0],
        kernel: (await model.getLayer('head').getWeights()[0].data()) as Float32Array,
      };
      tf.dispose([p, expected, loss, ...(w ? [] : [scale])]);
      trainer.dispose();
      model.dispose();
      return out;
    };
    const plain = await run();
    const weighted = await run(weights);
    expect(plain.loss).toBeCloseTo(plain.expected, 5);
    expect(weighted.loss).toBeCloseTo(weighted.expected, 5);
    expect(Math.abs(weighted.loss - plain.loss)).toBeGreaterThan(0.1);
    expect(maxDiff(weighted.kernel, plain.kernel)).toBeGreaterThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys, weights]);
  });
});
