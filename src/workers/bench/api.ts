import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BenchProgress, BenchReport, BenchRequest } from '../../shared/bench';
import type { BackendReport } from '../../shared/protocol';
import { DEFAULT_BENCH_OPTIONS, runBench } from './core';
import { SMALL_BENCH_CONFIGS } from './models';
import { initBackend, takeGpuErrors } from '../runtime/backend';

// tfjs keeps the adapter's info; a software adapter (SwiftShader) says so here.
function adapterName(): string {
  if (tf.getBackend() !== 'webgpu') return '';
  // tfjs declares these fields private, but they are plain copies of GPUAdapterInfo's.
  const info = (tf.backend() as WebGPUBackend).adapterInfo as unknown as Partial<GPUAdapterInfo>;
  return [info?.vendor, info?.architecture].filter(Boolean).join(' ');
}

/** Builds the Benchmark worker API: pick the backend once, then run the measurements one at a time. */
export function createBenchApi() {
  let backend: Promise<BackendReport> | null = null;
  let running = false;

  const init = (forced: string | null = null): Promise<BackendReport> =>
    (backend ??= initBackend(forced));

  return {
    /** Chooses and self-tests the backend the way the model workers do; `forced` comes from `?backend=`. */
    init,
    /** Runs the Benchmark on this worker's backend and reports progress at most ~10 times a second. */
    async benchmark(
      onProgress: (p: BenchProgress) => void,
      request: Partial<BenchRequest> = {},
    ): Promise<BenchReport> {
      if (running) throw new Error('A benchmark is already running.');
      running = true;
      try {
        const chosen = await init();
        const size = request.size ?? 'default';
        takeGpuErrors();
        const m = await runBench(
          {
            models: request.models ?? DEFAULT_BENCH_OPTIONS.models,
            configs: size === 'small' ? SMALL_BENCH_CONFIGS : {},
          },
          onProgress,
        );
        return {
          date: new Date().toISOString(),
          userAgent: globalThis.navigator?.userAgent ?? '',
          backend: tf.getBackend(),
          adapter: adapterName(),
          size,
          backendLog: chosen.log,
          ...m,
          gpuErrors: takeGpuErrors().length,
        };
      } finally {
        running = false;
      }
    },
  };
}
