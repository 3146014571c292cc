// Our compute kernels for tfjs, behind one switch. `installKernels` puts each fast path in front of
// the stock kernel it overrides (the stock kernel still runs every case the fast path declines) and
// registers the fused LSTM kernels; `uninstallKernels` puts tfjs' own kernels back. Nothing installs
// them as a side effect: the worker runtime does after its self-test, and so does each Node entry
// point that trains, so a baseline or a reference can always run on stock tfjs.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import type { FastKernel } from './types';
import { CPU_CONV_KERNELS } from './cpu/conv';
import { CPU_CONV_INPUT_GRAD_KERNELS } from './cpu/conv-input-grad';
import { CPU_LSTM_KERNELS } from './cpu/lstm';
import { CPU_OP_KERNELS } from './cpu/ops';
import { WEBGPU_CONV_KERNELS } from './webgpu/conv';
import { WEBGPU_LSTM_KERNELS } from './webgpu/lstm';

/** Which kernels run: tfjs' own, or ours in front of them. */
export type KernelChoice = 'stock' | 'ours';

// Read at each install, so a test can spy on a table's entries.
const OVERRIDES: ReadonlyArray<readonly [string, Record<string, FastKernel>]> = [
  ['cpu', CPU_OP_KERNELS],
  ['cpu', CPU_CONV_KERNELS],
  ['cpu', CPU_CONV_INPUT_GRAD_KERNELS],
  ['webgpu', WEBGPU_CONV_KERNELS],
];

// Kernels tfjs does not have; the char-LSTM's fast path runs them only where they are registered.
const ADDED: ReadonlyArray<readonly [string, Record<string, KernelFunc>]> = [
  ['cpu', CPU_LSTM_KERNELS],
  ['webgpu', WEBGPU_LSTM_KERNELS],
];

// What installKernels changed, keyed `backend/kernel`: the stock config, or null for an added kernel.
const changed = new Map<string, KernelConfig | null>();

/** Installs our kernels on every backend whose stock kernels are registered (idempotent: a later call also covers a backend imported since). */
export function installKernels(): void {
  for (const [backendName, table] of OVERRIDES) {
    for (const [kernelName, fast] of Object.entries(table)) {
      const key = `${backendName}/${kernelName}`;
      const stock = tf.getKernel(kernelName, backendName);
      if (changed.has(key) || !stock) continue;
      changed.set(key, stock);
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel({ ...stock, kernelFunc: (args) => fast(args) ?? stock.kernelFunc(args) });
    }
  }
  for (const [backendName, table] of ADDED) {
    for (const [kernelName, kernelFunc] of Object.entries(table)) {
      const key = `${backendName}/${kernelName}`;
      if (changed.has(key) || tf.getKernel(kernelName, backendName)) continue;
      changed.set(key, null);
      tf.registerKernel({ kernelName, backendName, kernelFunc });
    }
  }
}

/** Puts tfjs' stock kernels back and removes the added ones (idempotent). */
export function uninstallKernels(): void {
  for (const [key, stock] of changed) {
    const [backendName, kernelName] = key.split('/');
    tf.unregisterKernel(kernelName, backendName);
    if (stock) tf.registerKernel(stock);
  }
  changed.clear();
}

/** Which kernels run now. */
export function installedKernels(): KernelChoice {
  return changed.size > 0 ? 'ours' : 'stock';
}

/** Installs ours or uninstalls them, as `choice` says. */
export function useKernels(choice: KernelChoice): void {
  if (choice === 'ours') installKernels();
  else uninstallKernels();
}

/** Runs `f` on stock tfjs kernels, then restores the kernels that ran before. */
export async function withStockKernels<T>(f: () => Promise<T> | T): Promise<T> {
  const before = installedKernels();
  uninstallKernels();
  try {
    return await f();
  } finally {
    useKernels(before);
  }
}
