// Segmenter benchmark: trains the default U-Net from scratch on the built-in faces on the cpu
// backend in Node, once in binary mode and once in parts mode, and scores 64 held-out faces.
// Quality budget (QUALITY_BUDGET): binary 600 steps with the learning rate divided by 10 from step
// 400, parts 1,200 steps divided from step 900 (SEG_BENCH_STEPS overrides both, without the drop), at
// batch SEG_BENCH_BATCH (default 4), without augmentation (SEG_BENCH_AUGMENT=1 uses the app's
// Keras-style defaults); parts mode weights its classes and adds the Dice term as the app does
// (`classWeights`, `diceWeight`). About 1.5-2 s per step on one core of the 2-core VM, so about 50
// minutes.
// Why no augmentation: the built-in set is an endless stream of new faces, so every step already sees
// unseen faces and augmentation adds no variety, only a shifted distribution. Measured (binary, batch
// 8, cpu): held-out face IoU 0.73 after 150 augmented steps, 0.86 after 150 plain ones. Batch 4 learned
// more per example: 0.84 / 0.87 / 0.88 after 100 / 200 / 300 steps, against 0.82 at batch 8 after
// 100 steps (the same 800 faces as 200 steps at batch 4).
// Why the drops: held-out scores swing between evaluations at a constant 3e-3 (parts mean IoU 0.60 at
// step 500, 0.45 at 600); a tenth of the rate lets the weights settle. Binary, same seed: face IoU
// 0.88 / 0.88 at steps 300 / 400, then 0.90 / 0.91 at 500 / 600 after the drop at 400 (0.891 at 500
// without it). Parts with class weights: mean IoU 0.29 / 0.45 / 0.45 / 0.49 / 0.60 at steps 100-500;
// plain cross-entropy was 0.38 after 500 steps, with nose, brows, mouth and glasses at 0.
// Speed only (a bare `npm run bench`): SPEED_STEPS per mode, no held-out scores.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { quantile } from '../src/shared/stats';
import { DEFAULT_AUGMENT, type AugmentParams } from '../src/data/augment';
import { builtInPairs, createSegBatch, segClasses } from '../src/data/seg-dataset';
import type { SegBatch, SegMode } from '../src/data/seg-dataset';
import { DEFAULT_SEGMENTER, buildEncoder, buildSegmenter } from '../src/models/segmenter/model';
import {
  DEFAULT_SEG_TRAIN,
  classWeights,
  createSegTrainer,
  evaluateSegmenter,
  segTensors,
  stageLearningRate,
  syncLearningRate,
} from '../src/models/segmenter/train';
import type { SegMetrics } from '../src/models/segmenter/train';
import { Rng } from '../src/shared/rng';
import type { BenchResult } from './run';
import { partsOverlayFigure } from './seg-overlay';
import { encodePng } from '../src/data/png';

/** What one training run of the bench produced. */
export interface SegRun {
  mode: SegMode;
  model: tf.LayersModel;
  heldOut: SegBatch;
  metrics: SegMetrics & { predicted: Uint8Array };
  steps: number;
  batchSize: number;
  seconds: number;
  stepMs: number[];
  leakedTensors: number;
}

/** How `trainBuiltIn` trains: batch, held-out faces, seed, augmentation (null: none) and the learning-rate drop step (0: none). */
export interface BuiltInOptions {
  batchSize?: number;
  heldOutCount?: number;
  seed?: number;
  augment?: AugmentParams | null;
  lrDropStep?: number;
}

/** Trains the default segmenter from scratch on built-in faces of `mode` for `steps` steps (seeded) and scores held-out faces. */
export async function trainBuiltIn(
  mode: SegMode,
  steps: number,
  {
    batchSize = DEFAULT_SEG_TRAIN.batchSize,
    heldOutCount = 64,
    seed = 1,
    augment = DEFAULT_AUGMENT,
    lrDropStep = 0,
  }: BuiltInOptions = {},
): Promise<SegRun> {
  const numClasses = segClasses(mode).length;
  const model = buildSegmenter(buildEncoder({ ...DEFAULT_SEGMENTER, numClasses, seed }));
  const train = { ...DEFAULT_SEG_TRAIN, lrDropStep };
  const heldOut = createSegBatch(builtInPairs(mode, 'heldOut', 0, heldOutCount));
  const rng = new Rng(seed);
  // As the app does: rare classes weighted up by their frequency in training masks (here 256 faces).
  const weights =
    DEFAULT_SEG_TRAIN.balanceClasses && numClasses > 2
      ? tf.tensor1d(
          classWeights(
            builtInPairs(mode, 'train', 0, 256).map((p) => p.labels),
            numClasses,
          ),
        )
      : undefined;
  const trainer = createSegTrainer(model, stageLearningRate(train, 'scratch'), {
    numClasses,
    weights,
    diceWeight: train.diceWeight,
  });
  const stepMs: number[] = [];
  let tensorsAfterFirst = 0;
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const ts = performance.now();
    const batch = createSegBatch(
      builtInPairs(mode, 'train', s * batchSize, batchSize),
      augment ? { params: augment, rng } : undefined,
    );
    const { xs, ys } = segTensors(batch.images, batch.labels, batch.count, batch.size, numClasses);
    const { loss } = trainer.step({ xs, ys }, s);
    syncLearningRate(trainer.optimizers.adam, train, 'scratch', s + 1);
    tf.dispose([xs, ys]);
    await loss.data();
    loss.dispose();
    stepMs.push(performance.now() - ts);
    // The first step creates the optimizer slots; count from there.
    if (s === 0) tensorsAfterFirst = tf.memory().numTensors;
  }
  const seconds = (performance.now() - t0) / 1000;
  const leakedTensors = steps > 1 ? tf.memory().numTensors - tensorsAfterFirst : 0;
  const metrics = await evaluateSegmenter(model, heldOut, numClasses);
  trainer.dispose();
  weights?.dispose();
  return { mode, model, heldOut, metrics, steps, batchSize, seconds, stepMs, leakedTensors };
}

/** The quality budget per mode (see the top of this file): steps, batch, and no augmentation. */
export const QUALITY_BUDGET = {
  binary: { steps: 600, lrDropStep: 400 },
  parts: { steps: 1200, lrDropStep: 900 },
  batchSize: 4,
  augment: null,
} as const;

/** Steps per mode when only speed is measured: the first creates the optimizer slots, the rest are timed for leaks. */
const SPEED_STEPS = 4;

/** Trains binary and parts mode on cpu and reports speed and leaks, and with `withQuality` held-out IoU after the quality budget. */
export async function runSegmenterBench(withQuality: boolean): Promise<BenchResult> {
  // SEG_BENCH_STEPS replaces both modes' steps and trains without the learning-rate drop.
  const override = process.env.SEG_BENCH_STEPS;
  const stepsOf = (mode: SegMode) =>
    !withQuality ? SPEED_STEPS : Number(override ?? QUALITY_BUDGET[mode].steps);
  const dropOf = (mode: SegMode) =>
    withQuality && override === undefined ? QUALITY_BUDGET[mode].lrDropStep : 0;
  const batchSize = Number(
    process.env.SEG_BENCH_BATCH ??
      (withQuality ? QUALITY_BUDGET.batchSize : DEFAULT_SEG_TRAIN.batchSize),
  );
  // Speed runs keep the app's augmentation: its cost is part of a real step.
  const augment =
    !withQuality || process.env.SEG_BENCH_AUGMENT === '1'
      ? DEFAULT_AUGMENT
      : QUALITY_BUDGET.augment;
  if (!(stepsOf('binary') >= 1) || !(stepsOf('parts') >= 1) || !(batchSize >= 1))
    throw new Error('SEG_BENCH_STEPS and SEG_BENCH_BATCH must be positive');
  await tf.setBackend('cpu');
  await tf.ready();
  const runs: SegRun[] = [];
  for (const mode of ['binary', 'parts'] as const) {
    const run = await trainBuiltIn(mode, stepsOf(mode), {
      batchSize,
      augment,
      lrDropStep: dropOf(mode),
    });
    run.model.dispose();
    const figure = process.env.SEG_BENCH_OVERLAY;
    if (figure && mode === 'parts') {
      const img = partsOverlayFigure(run);
      writeFileSync(figure, encodePng(img.data, img.width, img.height, 3));
    }
    console.error(
      `segmenter ${mode}: ${run.steps} steps in ${run.seconds.toFixed(0)} s, pixel accuracy ${run.metrics.pixelAccuracy.toFixed(3)}, IoU ${run.metrics.iou.map((v) => v.toFixed(2)).join(' ')}`,
    );
    runs.push(run);
  }
  const [binary, parts] = runs;
  const stepMs = runs.flatMap((r) => r.stepMs).sort((a, b) => a - b);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const totalSteps = runs.reduce((n, r) => n + r.steps, 0);
  const speed = {
    steps: totalSteps,
    seconds,
    examplesPerSec: (totalSteps * batchSize) / seconds,
    msPerStepMedian: quantile(stepMs, 0.5),
    msPerStepP90: quantile(stepMs, 0.9),
    leakedTensorsPer1000Steps:
      (1000 * runs.reduce((n, r) => n + r.leakedTensors, 0)) /
      Math.max(1, totalSteps - runs.length),
  };
  if (!withQuality) return { backends: { cpu: speed }, steps: totalSteps, seconds };
  const cpu = {
    iouBinary: binary.metrics.iou[1],
    miouParts: parts.metrics.meanIou,
    pixelAccuracyBinary: binary.metrics.pixelAccuracy,
    pixelAccuracyParts: parts.metrics.pixelAccuracy,
    ...speed,
  };
  return {
    backends: { cpu },
    iouBinary: cpu.iouBinary,
    miouParts: cpu.miouParts,
    steps: totalSteps,
    seconds,
    budget: {
      steps: { binary: binary.steps, parts: parts.steps },
      lrDropStep: { binary: dropOf('binary'), parts: dropOf('parts') },
      batchSize,
      augmentation: augment ? 'app defaults' : 'none',
      heldOutFaces: 64,
    },
    partsIou: Object.fromEntries(segClasses('parts').map((c, i) => [c, parts.metrics.iou[i]])),
    goals: { iouBinary: 0.9, miouParts: 0.7 },
  };
}
