// The char-LSTM benchmark: our fast path (on the kernels installed now) against the reference recipe
// (tf.layers.lstm + trainOnBatch on one-hot batches of 128 × 40 × 60, LSTM 128, RMSprop 0.01) on
// stock tfjs kernels, same backend, same run.
import * as tf from '@tensorflow/tfjs';
import { quantile } from '../src/shared/stats';
import { countGpuErrors } from './gpu-errors';
import { buildCharLstm, createCharLstmConfig } from '../src/models/char-lstm/model';
import { trainReferenceStep } from '../src/models/reference/char-lstm';
import type { CharLstmConfig } from '../src/models/char-lstm/model';
import { createFastTrainer } from '../src/models/char-lstm/fast';
import { charLstmFlopsPerStep } from '../src/models/flops';
import { withStockKernels } from '../src/models/kernels';
import { Rng } from '../src/shared/rng';

/** Timed steps per backend; the reference takes ≈4.5-12 s a step on cpu and ≈20-40 s on SwiftShader here, so it gets few. */
const PLAN: Record<string, { warmup: number; ours: number; baseline: number }> = {
  cpu: { warmup: 1, ours: 6, baseline: 2 },
  webgpu: { warmup: 1, ours: 3, baseline: 2 },
};
/** The plan of `--quick`, for comparing ratios only. */
const QUICK = { warmup: 1, ours: 2, baseline: 1 };

/** FLOPs of one training step of the reference recipe (shared with the in-app Benchmark). */
export const recipeFlopsPerStep = charLstmFlopsPerStep;

interface StepStats {
  examplesPerSec: number;
  msPerStepMedian: number;
  msPerStepP90: number;
  leakedTensorsPer1000Steps: number;
  gpuErrors: number;
}

async function timeSteps(step: () => Promise<void>, warmup: number, steps: number, batch: number) {
  const stopCounting = countGpuErrors();
  for (let i = 0; i < warmup; i++) await step();
  const before = tf.memory().numTensors;
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    ms.push(performance.now() - t0);
  }
  const leaked = tf.memory().numTensors - before;
  const sorted = [...ms].sort((a, b) => a - b);
  const total = ms.reduce((a, b) => a + b, 0);
  const stats: StepStats = {
    examplesPerSec: (batch * steps * 1000) / total,
    msPerStepMedian: quantile(sorted, 0.5),
    msPerStepP90: quantile(sorted, 0.9),
    leakedTensorsPer1000Steps: (leaked * 1000) / steps,
    gpuErrors: stopCounting(),
  };
  return stats;
}

async function benchBackend(backend: string, quick: boolean) {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available`);
  await tf.ready();
  const plan = quick ? QUICK : PLAN[backend];
  const cfg = createCharLstmConfig(60);
  const rng = new Rng(1);
  const xs = Int32Array.from({ length: cfg.batchSize * cfg.maxLen }, () => rng.int(cfg.vocabSize));
  const ys = Int32Array.from({ length: cfg.batchSize }, () => rng.int(cfg.vocabSize));

  const model = buildCharLstm(cfg, 1);
  const trainer = createFastTrainer(model, cfg);
  // The loss is read every step, so each step's time includes finishing its GPU work.
  const ours = await timeSteps(
    async () => {
      const { loss } = trainer.step({ xs, ys, batch: cfg.batchSize }, 0);
      await loss.data();
      loss.dispose();
    },
    plan.warmup,
    plan.ours,
    cfg.batchSize,
  );
  trainer.dispose();
  model.dispose();

  const reference = buildCharLstm(cfg, 1);
  const base = await withStockKernels(() =>
    timeSteps(
      async () => {
        await trainReferenceStep(reference, xs, ys, cfg);
      },
      plan.warmup,
      plan.baseline,
      cfg.batchSize,
    ),
  );
  reference.dispose();

  const flops = recipeFlopsPerStep(cfg);
  return {
    ...ours,
    baselineExamplesPerSec: base.examplesPerSec,
    speedup: ours.examplesPerSec / base.examplesPerSec,
    baselineMsPerStepMedian: base.msPerStepMedian,
    baselineLeakedTensorsPer1000Steps: base.leakedTensorsPer1000Steps,
    baselineGpuErrors: base.gpuErrors,
    recipeGflopPerStep: flops / 1e9,
    flopsPerSec: (flops * ours.examplesPerSec) / cfg.batchSize,
    timedSteps: plan.ours,
    baselineTimedSteps: plan.baseline,
  };
}

/** Runs the char-LSTM bench on cpu and webgpu (`quick`: fewest timed steps); one record per backend. */
export async function runLstmBench(quick = false): Promise<{
  config: CharLstmConfig;
  backends: Record<string, Record<string, number>>;
}> {
  const backends: Record<string, Record<string, number>> = {};
  for (const backend of ['cpu', 'webgpu']) {
    const t0 = performance.now();
    backends[backend] = await benchBackend(backend, quick);
    console.error(`lstm ${backend}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return { config: createCharLstmConfig(60), backends };
}
