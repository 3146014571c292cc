import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BackendName, BackendReport } from '../shared/protocol';
import { selfTestBackend } from './self-test';

/**
 * The order every model worker tries. WASM is left out: tfjs 4.22's wasm backend lacks
 * Conv2DBackpropFilter and UnsortedSegmentSum (the gradient of gather), so it cannot train
 * the conv models nor our gather-based LSTM (tfjs #4326).
 */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

const gpuErrors: string[] = [];
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

async function tryBackend(name: BackendName): Promise<string | null> {
  const missing = available(name);
  if (missing) return missing;
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    return `failed to start: ${(e as Error).message}`;
  }
  if (!ok) return 'failed to start (no adapter or context)';
  if (name === 'webgpu') watchDevice();
  takeGpuErrors();
  const failure = name === 'cpu' ? null : await selfTestBackend(name);
  const errors = takeGpuErrors();
  if (errors.length) return `WebGPU validation error: ${errors[0]}`;
  return failure ? `self-test failed: ${failure}` : null;
}

/** Picks the first backend of `order` that starts and passes the self-test against cpu, or the forced one. */
export async function initBackend(
  forced: string | null = null,
  order: readonly BackendName[] = BACKEND_ORDER,
): Promise<BackendReport> {
  const log: string[] = [];
  if (forced) {
    const name = forced as BackendName;
    const why = BACKEND_ORDER.includes(name) ? await tryBackend(name) : 'unknown backend';
    if (why === null || tf.getBackend() === name) {
      log.push(`${name}: forced by ?backend=${why ? ` (warning: ${why})` : ', self-test passed'}`);
      return { backend: name, log, forced: true };
    }
    log.push(`${name}: forced but unusable: ${why}`);
  }
  for (const name of order) {
    const why = await tryBackend(name);
    if (why === null) {
      log.push(`${name}: self-test passed`);
      return { backend: name, log, forced: false };
    }
    log.push(`${name}: skipped, ${why}`);
  }
  throw new Error(`No usable tfjs backend: ${log.join('; ')}`);
}
