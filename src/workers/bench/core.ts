// The in-app Benchmark's measurements, pure tfjs (runs in a worker and in Node tests): the backend's
// matmul peak, then per model time-boxed training steps after warm-up, leaked tensors and the time
// to encode a checkpoint. Every timed step ends with an `await data()` of its loss, so its device
// work is finished; nothing reads synchronously.
import * as tf from '@tensorflow/tfjs';
import { quantile } from '../../shared/stats';
import {
  BENCH_MODEL_LABELS,
  type BenchModel,
  type BenchProgress,
  type BenchRow,
} from '../../shared/bench';
import { createBenchSubject, type BenchConfigs } from './models';

/** How long and on what the Benchmark measures. */
export interface BenchOptions {
  models: BenchModel[];
  configs: BenchConfigs;
  warmupSteps: number;
  /** Timed steps stop after this budget (per model, ms) once `minSteps` are done: slow backends time fewer steps. */
  budgetMs: number;
  minSteps: number;
  maxSteps: number;
  /** The largest matmul size tried; sizes double from 256 while one matmul stays under `matmulTargetMs`. */
  matmulMaxN: number;
  matmulTargetMs: number;
}

/** About 10 s per model on a laptop GPU (20-50 steps); SwiftShader or cpu runs warm-up plus 3 steps. */
export const DEFAULT_BENCH_OPTIONS: Readonly<BenchOptions> = {
  models: ['char-lstm', 'gan', 'segmenter'],
  configs: {},
  // One warm-up step compiles the kernels and creates the optimizer slots; a second one cost up to
  // 30 s per model on SwiftShader.
  warmupSteps: 1,
  budgetMs: 8000,
  minSteps: 3,
  maxSteps: 50,
  matmulMaxN: 4096,
  matmulTargetMs: 200,
};

/** What `runBench` measured on the current backend. */
export interface BenchMeasurements {
  matmulPeakFlopsPerSec: number;
  matmulN: number;
  rows: BenchRow[];
  seconds: number;
}

// `reps` matmuls of [n, n] x [n, n], synced by reading one element of the last: ms.
async function timeMatmuls(a: tf.Tensor2D, b: tf.Tensor2D, reps: number): Promise<number> {
  const t0 = performance.now();
  let c = tf.matMul(a, b);
  for (let r = 1; r < reps; r++) {
    c.dispose();
    c = tf.matMul(a, b);
  }
  const corner = tf.slice(c, [0, 0], [1, 1]);
  await corner.data();
  const ms = performance.now() - t0;
  tf.dispose([c, corner]);
  return ms;
}

/** The best FLOP/s of square matmuls on the current backend, growing n from 256 while one stays under `targetMs`. */
export async function measureMatmulPeak(
  maxN: number,
  targetMs: number,
): Promise<{ flopsPerSec: number; n: number }> {
  let best = { flopsPerSec: 0, n: 0 };
  for (let n = 256; n <= maxN; n *= 2) {
    const a = tf.randomNormal([n, n], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([n, n], 0, 1, 'float32', 2) as tf.Tensor2D;
    // The first run compiles the kernel and uploads the inputs.
    await timeMatmuls(a, b, 1);
    const single = await timeMatmuls(a, b, 1);
    // Fast devices: enough back-to-back matmuls that launch and readback latency do not dominate.
    const reps = Math.min(32, Math.max(1, Math.floor(targetMs / Math.max(single, 0.1))));
    const ms = reps > 1 ? await timeMatmuls(a, b, reps) : single;
    tf.dispose([a, b]);
    const flopsPerSec = (2 * n ** 3 * reps) / (ms / 1000);
    if (flopsPerSec > best.flopsPerSec) best = { flopsPerSec, n };
    if (single > targetMs) break;
  }
  return best;
}

/** Runs `step` `warmupSteps` times, then timed until `budgetMs` (at least `minSteps`, at most `maxSteps`); step times in ms and tensors leaked by the timed steps. */
export async function timeSteps(
  step: () => Promise<void>,
  opts: Pick<BenchOptions, 'warmupSteps' | 'budgetMs' | 'minSteps' | 'maxSteps'>,
  onStep: (done: number, elapsedMs: number) => void = () => {},
): Promise<{ ms: number[]; leaked: number }> {
  for (let i = 0; i < opts.warmupSteps; i++) await step();
  const before = tf.memory().numTensors;
  const ms: number[] = [];
  const start = performance.now();
  while (
    ms.length < opts.maxSteps &&
    (ms.length < opts.minSteps || performance.now() - start < opts.budgetMs)
  ) {
    const t0 = performance.now();
    await step();
    ms.push(performance.now() - t0);
    onStep(ms.length, performance.now() - start);
  }
  return { ms, leaked: tf.memory().numTensors - before };
}

// At most one progress message per 100 ms (the last one always goes out).
function throttle(send: (p: BenchProgress) => void): (p: BenchProgress, force?: boolean) => void {
  let last = -Infinity;
  return (p, force = false) => {
    const now = performance.now();
    if (!force && now - last < 100) return;
    last = now;
    send(p);
  };
}

/** Measures the matmul peak and each model of `options` on the current backend. */
export async function runBench(
  options: Partial<BenchOptions> = {},
  onProgress: (p: BenchProgress) => void = () => {},
): Promise<BenchMeasurements> {
  const opts = { ...DEFAULT_BENCH_OPTIONS, ...options };
  const backend = tf.getBackend();
  const report = throttle(onProgress);
  const t0 = performance.now();
  // The matmul counts as one tenth of the run, each model as an equal share of the rest.
  const share = 0.9 / opts.models.length;
  report({ fraction: 0, message: 'Measuring the matmul peak…' }, true);
  const peak = await measureMatmulPeak(opts.matmulMaxN, opts.matmulTargetMs);
  const rows: BenchRow[] = [];
  for (const [i, model] of opts.models.entries()) {
    const label = BENCH_MODEL_LABELS[model];
    const base = 0.1 + i * share;
    report({ fraction: base, message: `${label}: building and warming up…`, model }, true);
    const subject = createBenchSubject(model, opts.configs);
    try {
      const { ms, leaked } = await timeSteps(subject.step, opts, (done, elapsed) => {
        const f = Math.min(1, Math.max(done / opts.maxSteps, elapsed / opts.budgetMs));
        report({ fraction: base + 0.9 * share * f, message: `${label}: step ${done}`, model });
      });
      report(
        { fraction: base + 0.9 * share, message: `${label}: saving a checkpoint…`, model },
        true,
      );
      // The first encode also compiles the readback path; the second is what a save costs.
      await subject.save();
      const s0 = performance.now();
      await subject.save();
      const saveMs = performance.now() - s0;
      const sorted = [...ms].sort((a, b) => a - b);
      const total = ms.reduce((a, b) => a + b, 0);
      const median = quantile(sorted, 0.5);
      const flopsPerSec = (subject.flopsPerStep * ms.length * 1000) / total;
      rows.push({
        model,
        backend,
        config: subject.config,
        batch: subject.batch,
        steps: ms.length,
        examplesPerSec: (subject.batch * ms.length * 1000) / total,
        msPerStepMedian: median,
        msPerStepP90: quantile(sorted, 0.9),
        flopsPerStep: subject.flopsPerStep,
        flopsPerSec,
        fractionOfPeak: flopsPerSec / peak.flopsPerSec,
        leakedTensorsPer1000Steps: (leaked * 1000) / ms.length,
        saveMs,
        saveOverStep: saveMs / median,
      });
    } finally {
      subject.dispose();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  report({ fraction: 1, message: `Done in ${seconds.toFixed(0)} s.` }, true);
  return {
    matmulPeakFlopsPerSec: peak.flopsPerSec,
    matmulN: peak.n,
    rows,
    seconds,
  };
}
