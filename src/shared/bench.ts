// Plain data of the in-app Benchmark that crosses the worker boundary. No tensors, no tfjs imports.

/** The models the Benchmark measures. */
export type BenchModel = 'char-lstm' | 'gan' | 'segmenter';

/** 'default': the app's default recipes; 'small': the same models at smaller batches, for slow devices. */
export type BenchSize = 'default' | 'small';

/** What the person asks the Benchmark to measure. */
export interface BenchRequest {
  models: BenchModel[];
  size: BenchSize;
}

/** One model's training-speed measurements on one backend. */
export interface BenchRow {
  model: BenchModel;
  backend: string;
  /** A short description of the measured configuration, e.g. "batch 128, LSTM 128, window 40". */
  config: string;
  batch: number;
  /** Timed steps (after warm-up). */
  steps: number;
  examplesPerSec: number;
  msPerStepMedian: number;
  msPerStepP90: number;
  /** Estimated FLOPs of one training step, from the layer shapes. */
  flopsPerStep: number;
  flopsPerSec: number;
  /** flopsPerSec ÷ the matmul peak measured in the same run. */
  fractionOfPeak: number;
  leakedTensorsPer1000Steps: number;
  /** Time to encode a whole checkpoint (weights and optimizer slots), ms. */
  saveMs: number;
  /** saveMs ÷ the median step time; below 1 means a save costs less than a step. */
  saveOverStep: number;
  /** Main-thread long tasks (> 50 ms) while this model was measured; only in the app, whose page observes them. */
  mainThreadLongTasks?: number;
}

/** A whole Benchmark run, as shown and exported as JSON. */
export interface BenchReport {
  /** ISO date and time the run finished. */
  date: string;
  userAgent: string;
  backend: string;
  /** The WebGPU adapter (vendor, architecture), when the backend is webgpu and the browser says. */
  adapter: string;
  size: BenchSize;
  /** Why the backend was chosen (one line per backend tried). */
  backendLog: string[];
  /** FLOP/s of the best large square matmul on this backend. */
  matmulPeakFlopsPerSec: number;
  /** The matrix size that reached the peak. */
  matmulN: number;
  rows: BenchRow[];
  /** Uncaptured WebGPU errors during the run (any means numbers may be wrong). */
  gpuErrors: number;
  seconds: number;
}

/** A progress message of a running Benchmark (at most ~10 a second). */
export interface BenchProgress {
  /** 0..1 over the whole run. */
  fraction: number;
  message: string;
  /** The model being measured; absent during the matmul peak. */
  model?: BenchModel;
}

/** What the person sees for each benchmarked model. */
export const BENCH_MODEL_LABELS: Readonly<Record<BenchModel, string>> = {
  'char-lstm': 'Text (char-LSTM)',
  gan: 'Faces (DCGAN)',
  segmenter: 'Segmentation (U-Net)',
};
