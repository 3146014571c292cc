import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { installKernels, uninstallKernels, type KernelChoice } from '../../models/kernels';
import type { BackendName, BackendReport } from '../../shared/protocol';
import { selfTestBackend } from './self-test';

/**
 * The order every model worker tries. WASM is left out: tfjs 4.22's wasm backend lacks
 * Conv2DBackpropFilter and UnsortedSegmentSum (the gradient of gather), so it cannot train
 * the conv models nor our gather-based LSTM (tfjs #4326).
 */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

const gpuErrors: string[] = [];
let kernelChoice: KernelChoice = 'ours';

/** Chooses the kernels the next initBackend installs: `'stock'` (from `?kernels=stock`) keeps tfjs' own; anything else, ours. */
export function chooseKernels(choice: string | null): void {
  kernelChoice = choice === 'stock' ? 'stock' : 'ours';
}
let lostListener: ((reason: string) => void) | null = null;

/** Uncaptured WebGPU errors seen since the last call (Dawn drops invalid work silently otherwise). */
export function takeGpuErrors(): string[] {
  return gpuErrors.splice(0);
}

/** Registers the one callback told when the WebGPU device is lost (tfjs does not handle it). */
export function onDeviceLost(listener: (reason: string) => void): void {
  lostListener = listener;
}

function available(name: BackendName): string | null {
  if (name === 'webgpu' && !(globalThis.navigator && 'gpu' in globalThis.navigator)) {
    return 'navigator.gpu is missing';
  }
  if (name === 'webgl' && typeof OffscreenCanvas === 'undefined') {
    return 'no OffscreenCanvas in this worker';
  }
  return null;
}

function watchDevice(): void {
  const device = (tf.backend() as WebGPUBackend).device;
  device.addEventListener('uncapturederror', (e) => {
    gpuErrors.push((e as GPUUncapturedErrorEvent).error.message);
  });
  void device.lost.then((info) => lostListener?.(`${info.reason}: ${info.message}`));
}

/** Self-tests `name` with the kernels installed now; null when it passes, else why not. */
async function check(name: BackendName): Promise<string | null> {
  takeGpuErrors();
  const failure = await selfTestBackend(name);
  const errors = takeGpuErrors();
  if (errors.length) return `WebGPU validation error: ${errors[0]}`;
  return failure ? `self-test failed: ${failure}` : null;
}

/** Starts `name` and self-tests it on stock kernels, then with ours (kept only if they pass too); null and a note when usable, else why not. */
async function tryBackend(name: BackendName): Promise<{ why: string | null; note: string }> {
  const missing = available(name);
  if (missing) return { why: missing, note: '' };
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    return { why: `failed to start: ${(e as Error).message}`, note: '' };
  }
  if (!ok) return { why: 'failed to start (no adapter or context)', note: '' };
  if (name === 'webgpu') watchDevice();
  uninstallKernels();
  // The stock cpu backend is the reference itself; our kernels on it are still tested below.
  const why = name === 'cpu' ? null : await check(name);
  if (why) return { why, note: '' };
  if (kernelChoice === 'stock') return { why: null, note: 'stock kernels (?kernels=stock)' };
  installKernels();
  const oursWhy = await check(name);
  if (oursWhy === null) return { why: null, note: 'our kernels passed too' };
  uninstallKernels();
  return { why: null, note: `stock kernels (ours: ${oursWhy})` };
}

/** Picks the first backend of `order` that starts and passes the self-test against cpu, or the forced one. */
export async function initBackend(
  forced: string | null = null,
  order: readonly BackendName[] = BACKEND_ORDER,
): Promise<BackendReport> {
  const log: string[] = [];
  if (forced) {
    const name = forced as BackendName;
    const { why, note } = BACKEND_ORDER.includes(name)
      ? await tryBackend(name)
      : { why: 'unknown backend', note: '' };
    if (why === null || tf.getBackend() === name) {
      const result = why ? ` (warning: ${why})` : `, self-test passed, ${note}`;
      log.push(`${name}: forced by ?backend=${result}`);
      return { backend: name, log, forced: true };
    }
    log.push(`${name}: forced but unusable: ${why}`);
  }
  for (const name of order) {
    const { why, note } = await tryBackend(name);
    if (why === null) {
      log.push(`${name}: self-test passed, ${note}`);
      return { backend: name, log, forced: false };
    }
    log.push(`${name}: skipped, ${why}`);
  }
  throw new Error(`No usable tfjs backend: ${log.join('; ')}`);
}
