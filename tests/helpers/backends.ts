import * as tf from '@tensorflow/tfjs';

/** The backends every model test runs on. */
export const BACKENDS = ['cpu', 'webgpu'] as const;

/** Switches tfjs to `name` and fails loudly when it is not available. */
export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} is not available`);
}
