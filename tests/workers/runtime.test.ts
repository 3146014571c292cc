import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/workers/runtime';
import { selfTestBackend } from '../../src/workers/self-test';

describe('worker runtime', () => {
  it('chooses webgpu first and the self-test passes on Dawn', async () => {
    const report = await initBackend();
    expect(report.backend).toBe('webgpu');
    expect(report.log[0]).toMatch(/webgpu: self-test passed/);
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('honours a forced backend', async () => {
    const report = await initBackend('cpu');
    expect(report).toMatchObject({ backend: 'cpu', forced: true });
  });

  it('skips a backend whose gradients are wrong', async () => {
    // A backend that returns zeros for every gradient of matMul, as tfjs #8590 did for RNNs.
    const name = 'broken-cpu';
    const cpu = tf.findBackendFactory('cpu')!;
    tf.registerBackend(name, cpu);
    const kernels = tf.getKernelsForBackend('cpu');
    for (const k of kernels) tf.registerKernel({ ...k, backendName: name });
    tf.unregisterKernel('BatchMatMul', name);
    tf.registerKernel({
      kernelName: 'BatchMatMul',
      backendName: name,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const cpuKernel = kernels.find((k) => k.kernelName === 'BatchMatMul')!;
        const out = cpuKernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
        (backend as any).data.get(out.dataId).values.fill(0);
        return out;
      },
    });
    const why = await selfTestBackend(name);
    expect(why).toMatch(/all zeros|differs/);
    tf.removeBackend(name);
  });
});
