import * as tf from '@tensorflow/tfjs';

/** Starts counting WebGPU validation errors; the returned function stops and returns the count (0 off webgpu). Why: Dawn reports invalid shaders through `uncapturederror` and drops the work without throwing. */
export function countGpuErrors(): () => number {
  if (tf.getBackend() !== 'webgpu') return () => 0;
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  let errors = 0;
  const onError = (): void => void errors++;
  device.addEventListener('uncapturederror', onError);
  return () => {
    device.removeEventListener('uncapturederror', onError);
    return errors;
  };
}
