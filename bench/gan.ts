// The DCGAN benchmark. Speed: our training step (on the kernels installed now) against the Keras way on
// stock tfjs kernels on the same models (gan as a tf.LayersModel with d frozen, d.trainOnBatch on the
// real and on the fake batch, then gan.trainOnBatch), interleaved in the same run so load drift hits
// both, per backend. Quality (cpu):
// the Fréchet distance (random-conv-net features, src/models/gan/frechet.ts) of 512 generated faces to
// 512 real ones after a training budget, next to real-vs-real and untrained-vs-real.
import * as tf from '@tensorflow/tfjs';
import { quantile } from '../src/shared/stats';
import { countGpuErrors } from './gpu-errors';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { facesToFloat, renderFaces } from '../src/data/faces';
import { encodePng, gridImage, upscale } from '../src/data/png';
import { frechetFromStats, imageStats } from '../src/models/gan/frechet';
import {
  buildDiscriminator,
  buildGenerator,
  createGanConfig,
  imagesToRgb,
  sampleImages,
  sampleLatents,
  type GanConfig,
} from '../src/models/gan/model';
import { buildGan } from '../src/models/reference/gan';
import {
  createGanTrainer,
  createGeneratorEma,
  sampleRealBatch,
  type GanTrainer,
  type GeneratorEma,
} from '../src/models/gan/train';
import { writeControlsFigure } from './gan-figure';
import { faceQuality } from './gan-quality';
import { ganFlopsPerStep } from '../src/models/flops';
import { withStockKernels } from '../src/models/kernels';
import { Rng } from '../src/shared/rng';

export { ganFlopsPerStep };

/** Batch (the app's default, 16), timed rounds (each: 2 of our steps, then 2 Keras-way steps) and timed steps of the other upsampling per backend; SwiftShader takes ≈10 s a step, so it gets fewer. */
const PLAN: Record<string, { batch: number; rounds: number; otherSteps: number; peakN: number }> = {
  cpu: { batch: 16, rounds: 3, otherSteps: 2, peakN: 512 },
  webgpu: { batch: 16, rounds: 1, otherSteps: 1, peakN: 1024 },
};
/** What `--quick` changes in the plan, for comparing ratios only. */
const QUICK = { rounds: 1, otherSteps: 1 };
/** Default quality budget (override: GAN_BENCH_STEPS): the recipe's goals are set at 3,000 steps, about 40 minutes on one free core here (0.75 s a step). Hair over a face appears at about 1,000 steps; at 250 the grid is still coloured blobs. */
export const DEFAULT_QUALITY_STEPS = 3000;
/** The seed of the fixed latents of the bench's sample grid (the app seeds its own grid per session). */
export const GRID_SEED = 42;
const EVAL_COUNT = 512;

/** FLOP/s of the best of a few `[n, n] x [n, n]` matmuls on the current backend (after one warm-up). */
export async function matmulPeak(n: number): Promise<number> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  let best = 0;
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    const s = (performance.now() - t0) / 1000;
    c.dispose();
    if (i > 0) best = Math.max(best, (2 * n ** 3) / s);
  }
  tf.dispose([a, b]);
  return best;
}

// Our step with the other upsampling ('transpose' vs 'resize'): one warm-up, then `timed` steps.
async function timeOtherUpsample(
  cfg: GanConfig,
  pool: Float32Array,
  timed: number,
): Promise<{ upsample: string; examplesPerSec: number }> {
  const alt = createGanConfig({
    ...cfg,
    upsample: cfg.upsample === 'resize' ? 'transpose' : 'resize',
  });
  const g = buildGenerator(alt, 1);
  const d = buildDiscriminator(alt, 2);
  const trainer = createGanTrainer(g, d, alt);
  const rng = new Rng(3);
  let ms = 0;
  for (let i = 0; i <= timed; i++) {
    const real = sampleRealBatch(pool, alt.imageSize, alt.batchSize, rng);
    const t0 = performance.now();
    const l = trainer.step(real, i + 1);
    await Promise.all([l.dLossReal.data(), l.dLossFake.data(), l.gLoss.data()]);
    if (i > 0) ms += performance.now() - t0;
    tf.dispose([real, l.dLossReal, l.dLossFake, l.gLoss]);
  }
  trainer.dispose();
  [g, d].forEach((m) => m.dispose());
  return { upsample: alt.upsample, examplesPerSec: (timed * alt.batchSize * 1000) / ms };
}

async function benchBackend(backend: string, quick: boolean): Promise<Record<string, number>> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available`);
  await tf.ready();
  const plan = { ...PLAN[backend], ...(quick ? QUICK : {}) };
  const cfg = createGanConfig({ batchSize: plan.batch });
  const pool = facesToFloat(renderFaces(0, 256, cfg.imageSize));
  const rng = new Rng(1);
  const stopCounting = countGpuErrors();
  const g = buildGenerator(cfg, 1);
  const d = buildDiscriminator(cfg, 2);
  const trainer = createGanTrainer(g, d, cfg);
  const gan = buildGan(g, d, cfg);
  const ones = tf.ones([plan.batch, 1]);
  const zeros = tf.zeros([plan.batch, 1]);
  let seed = 0;
  // Each step reads its losses, so its time includes finishing its GPU work.
  const ours = async (): Promise<void> => {
    const real = sampleRealBatch(pool, cfg.imageSize, plan.batch, rng);
    const l = trainer.step(real, ++seed);
    await Promise.all([l.dLossReal.data(), l.dLossFake.data(), l.gLoss.data()]);
    tf.dispose([real, l.dLossReal, l.dLossFake, l.gLoss]);
  };
  const keras = async (): Promise<void> => {
    const real = sampleRealBatch(pool, cfg.imageSize, plan.batch, rng);
    const z = sampleLatents(plan.batch, cfg.latentDim, ++seed);
    const fake = g.predict(z) as tf.Tensor;
    await d.trainOnBatch(real, ones);
    await d.trainOnBatch(fake, zeros);
    await gan.trainOnBatch(z, ones);
    tf.dispose([real, z, fake]);
  };
  await ours();
  await withStockKernels(keras);
  const msOurs: number[] = [];
  const msKeras: number[] = [];
  let leaked = 0;
  for (let r = 0; r < plan.rounds; r++) {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      await ours();
      msOurs.push(performance.now() - t0);
    }
    leaked += tf.memory().numTensors - before;
    await withStockKernels(async () => {
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        await keras();
        msKeras.push(performance.now() - t0);
      }
    });
  }
  const flopsPerStep = ganFlopsPerStep(g, d, plan.batch);
  tf.dispose([ones, zeros]);
  trainer.dispose();
  d.optimizer.dispose();
  gan.optimizer.dispose();
  // Disposes g and d too: they are its layers.
  gan.dispose();
  const other = await timeOtherUpsample(cfg, pool, plan.otherSteps);
  const gpuErrors = stopCounting();
  const peak = await matmulPeak(plan.peakN);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const sorted = [...msOurs].sort((a, b) => a - b);
  const examplesPerSec = (plan.batch * msOurs.length * 1000) / sum(msOurs);
  const baselineExamplesPerSec = (plan.batch * msKeras.length * 1000) / sum(msKeras);
  const flopsPerSec = (flopsPerStep * examplesPerSec) / plan.batch;
  return {
    batch: plan.batch,
    examplesPerSec,
    baselineExamplesPerSec,
    speedup: examplesPerSec / baselineExamplesPerSec,
    msPerStepMedian: quantile(sorted, 0.5),
    msPerStepP90: quantile(sorted, 0.9),
    baselineMsPerStepMedian: quantile(
      [...msKeras].sort((a, b) => a - b),
      0.5,
    ),
    flopsPerStep,
    flopsPerSec,
    matmulPeakFlopsPerSec: peak,
    fractionOfPeak: flopsPerSec / peak,
    leakedTensorsPer1000Steps: (leaked * 1000) / msOurs.length,
    [`${other.upsample}ExamplesPerSec`]: other.examplesPerSec,
    gpuErrors,
    timedSteps: msOurs.length,
  };
}

/** A trained generator and its run: `steps` steps of `cfg` on faces 0..4095 of the built-in set, seeded by `seed` (the bench's run is seed 1). */
export async function trainGan(
  cfg: GanConfig,
  steps: number,
  onStep?: (step: number, seconds: number, trainer: GanTrainer, g: tf.LayersModel) => Promise<void>,
  seed = 1,
): Promise<{ g: tf.LayersModel; d: tf.LayersModel; trainer: GanTrainer; seconds: number }> {
  const pool = facesToFloat(renderFaces(0, 4096, cfg.imageSize));
  const g = buildGenerator(cfg, seed);
  const d = buildDiscriminator(cfg, seed + 1);
  const trainer = createGanTrainer(g, d, cfg);
  const rng = new Rng(seed + 4);
  let ms = 0;
  for (let s = 1; s <= steps; s++) {
    const t0 = performance.now();
    const real = sampleRealBatch(pool, cfg.imageSize, cfg.batchSize, rng);
    const l = trainer.step(real, s);
    await l.gLoss.data();
    tf.dispose([real, l.dLossReal, l.dLossFake, l.gLoss]);
    ms += performance.now() - t0;
    await onStep?.(s, ms / 1000, trainer, g);
  }
  return { g, d, trainer, seconds: ms / 1000 };
}

/** Writes `g`'s 8x8 grid of the fixed latents (GRID_SEED) as a PNG at `out`, each pixel `scale`x`scale`. */
export async function writeSampleGrid(g: tf.LayersModel, out: string, scale = 3): Promise<void> {
  const [latentDim, size] = [g.inputs[0].shape[1], g.outputs[0].shape[1]];
  if (latentDim === null || size === null) throw new Error('writeSampleGrid: open model shape');
  const z = sampleLatents(64, latentDim, GRID_SEED);
  const images = sampleImages(g, z);
  const grid = upscale(gridImage(await imagesToRgb(images), size, 8), scale);
  tf.dispose([z, images]);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodePng(grid.data, grid.width, grid.height, 3));
}

/** Face quality on cpu after the default budget: the face metric of the trained generator (its weight average where the recipe keeps one) with every control, plus the old random-feature distance as an extra row. */
export async function benchQuality(steps: number): Promise<Record<string, unknown>> {
  await tf.setBackend('cpu');
  const cfg = createGanConfig();
  const size = cfg.imageSize;
  const realSet = (first: number): tf.Tensor4D =>
    tf.tensor4d(facesToFloat(renderFaces(first, EVAL_COUNT, size)), [EVAL_COUNT, size, size, 3]);
  const a = realSet(100_000);
  const real = await imageStats(a);
  a.dispose();
  let ema: GeneratorEma | null = null;
  const run = await trainGan(cfg, steps, async (s, seconds, _trainer, g) => {
    if (cfg.emaDecay) {
      ema ??= createGeneratorEma(g, cfg, cfg.emaDecay);
      ema.update(s);
    }
    if (s % 100 === 0) console.error(`gan quality: step ${s}/${steps}, ${seconds.toFixed(0)} s`);
  });
  const sampler = (ema as GeneratorEma | null)?.model ?? run.g;
  const z = sampleLatents(EVAL_COUNT, cfg.latentDim, 7);
  const fake = sampleImages(sampler, z);
  const fdRandomFeatures = frechetFromStats(
    real.mean,
    real.cov,
    ...statsPair(await imageStats(fake)),
  );
  tf.dispose([z, fake]);
  // GAN_BENCH_GRID=path also writes the trained generator's grid beside real faces and the controls.
  if (process.env.GAN_BENCH_GRID) await writeControlsFigure(sampler, process.env.GAN_BENCH_GRID);
  const quality = await faceQuality(sampler, cfg);
  run.trainer.dispose();
  (ema as GeneratorEma | null)?.dispose();
  run.g.dispose();
  run.d.dispose();
  return {
    ...quality,
    fdRandomFeatures,
    steps,
    seconds: run.seconds,
    msPerStep: (1000 * run.seconds) / steps,
  };
}

function statsPair(s: { mean: Float64Array; cov: Float64Array }): [Float64Array, Float64Array] {
  return [s.mean, s.cov];
}

/** Runs the DCGAN bench: speed on cpu and webgpu (`quick`: fewest timed steps), and with `withQuality` the Fréchet distance on cpu. */
export async function runGanBench(
  withQuality: boolean,
  quick = false,
): Promise<{
  config: GanConfig;
  backends: Record<string, Record<string, number>>;
  quality?: Record<string, unknown>;
}> {
  const backends: Record<string, Record<string, number>> = {};
  for (const backend of ['cpu', 'webgpu']) {
    const t0 = performance.now();
    backends[backend] = await benchBackend(backend, quick);
    console.error(`gan ${backend}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  if (!withQuality) return { config: createGanConfig(), backends };
  const steps = Number(process.env.GAN_BENCH_STEPS ?? DEFAULT_QUALITY_STEPS);
  const quality = await benchQuality(steps);
  // The headline numbers also go in the cpu row, so the printed table shows them.
  const { faceFd, precision, recall, attributeTvMax } = quality as Record<string, number>;
  Object.assign(backends.cpu, { faceFd, precision, recall, attributeTvMax });
  return { config: createGanConfig(), backends, quality };
}
