import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installedKernels } from '../../src/models/kernels';
import { CPU_CONV_KERNELS } from '../../src/models/kernels/cpu/conv';
import { chooseKernels, initBackend } from '../../src/workers/runtime/backend';
import { selfTestBackend } from '../../src/workers/runtime/self-test';

describe('worker runtime', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    chooseKernels(null);
  });

  it('chooses webgpu first and the self-test passes on Dawn, on stock kernels and on ours', async () => {
    const report = await initBackend();
    expect(report.backend).toBe('webgpu');
    expect(report.log[0]).toMatch(/webgpu: self-test passed, our kernels passed too/);
    expect(tf.getBackend()).toBe('webgpu');
    expect(installedKernels()).toBe('ours');
    // The second self-test ran our shaders: the LSTM steps and the direct conv.
    const keys = Object.keys((tf.backend() as unknown as { pipelineCache: object }).pipelineCache);
    for (const prefix of ['lstmFwd_', 'lstmBwd_', 'lstmAcc_', 'directConv_']) {
      expect(keys.some((k) => k.startsWith(prefix))).toBe(true);
    }
  });

  it('honours a forced backend', async () => {
    const report = await initBackend('cpu');
    expect(report).toMatchObject({ backend: 'cpu', forced: true });
    expect(installedKernels()).toBe('ours');
  });

  it('keeps the stock kernels with ?kernels=stock', async () => {
    chooseKernels('stock');
    const report = await initBackend('cpu');
    expect(report.log[0]).toMatch(/cpu: forced by \?backend=, self-test passed, stock kernels/);
    expect(installedKernels()).toBe('stock');
  });

  it('falls back to the stock kernels when ours fail the self-test', async () => {
    // Our cpu filter gradient, broken: zeros wherever it answers.
    const filterGrad = CPU_CONV_KERNELS.Conv2DBackpropFilter;
    vi.spyOn(CPU_CONV_KERNELS, 'Conv2DBackpropFilter').mockImplementation((args) => {
      const out = filterGrad(args) as tf.TensorInfo | null;
      if (out) (args.backend as any).data.get(out.dataId).values.fill(0);
      return out;
    });
    const report = await initBackend(null, ['cpu']);
    expect(report.backend).toBe('cpu');
    expect(report.log[0]).toMatch(
      /cpu: self-test passed, stock kernels \(ours: self-test failed: gradConv/,
    );
    expect(installedKernels()).toBe('stock');
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
