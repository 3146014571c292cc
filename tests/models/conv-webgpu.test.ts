import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerConvWebgpuKernels } from '../../src/models/conv-webgpu-kernels';
import { useBackend } from '../helpers/backends';

type Case = [x: number[], w: number[], stride: number, pad: 'same' | 'valid'];

// 3x3 stride 1 and 4x4 stride 2 (the GAN's and the U-Net's), odd sizes, valid padding, and 3 output
// channels (not a multiple of 4: left to tfjs).
const CASES: Case[] = [
  [[3, 9, 9, 8], [3, 3, 8, 12], 1, 'same'],
  [[2, 10, 10, 3], [4, 4, 3, 16], 2, 'same'],
  [[2, 9, 7, 5], [4, 4, 5, 8], 2, 'valid'],
  [[2, 6, 6, 4], [3, 3, 4, 3], 1, 'same'],
];

/** The conv output with bias and the filter gradient of sum(conv · dy), as plain arrays, on the current backend. */
async function convAndGrad([xs, ws, stride, pad]: Case): Promise<Float32Array[]> {
  const x = tf.tensor4d(values(xs, 1), xs as [number, number, number, number]);
  const w = tf.tensor4d(values(ws, 2), ws as [number, number, number, number]);
  const bias = tf.tensor1d(values([ws[3]], 3));
  const y = tf.fused.conv2d({ x, filter: w, strides: stride, pad, bias });
  const dy = tf.tensor(values(y.shape, 4), y.shape);
  const dw = tf.grad((f: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, stride, pad), dy)),
  )(w);
  const out = [(await y.data()) as Float32Array, (await dw.data()) as Float32Array];
  tf.dispose([x, w, bias, y, dy, dw]);
  return out;
}

/** Deterministic values in [-1, 1] for a shape. */
function values(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233));
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-6;
  a.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - b[i]));
    scale = Math.max(scale, Math.abs(v));
  });
  return diff / scale;
}

describe('direct conv shaders on webgpu (Dawn over SwiftShader)', () => {
  it('FusedConv2D and Conv2DBackpropFilter equal the cpu backend and replace the tfjs kernels', async () => {
    await useBackend('cpu');
    const expected = [];
    for (const c of CASES) expected.push(await convAndGrad(c));
    await useBackend('webgpu');
    const before = tf.getKernel('FusedConv2D', 'webgpu')?.kernelFunc;
    registerConvWebgpuKernels();
    expect(tf.getKernel('FusedConv2D', 'webgpu')?.kernelFunc).not.toBe(before);
    const tensors = tf.memory().numTensors;
    for (const [k, c] of CASES.entries()) {
      const [y, dw] = await convAndGrad(c);
      expect(y.length).toBe(expected[k][0].length);
      expect(maxRelDiff(expected[k][0], y), `conv ${JSON.stringify(c)}`).toBeLessThan(1e-5);
      expect(maxRelDiff(expected[k][1], dw), `filter grad ${JSON.stringify(c)}`).toBeLessThan(1e-5);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    // The direct shaders ran (tfjs caches a pipeline per shader key).
    const keys = Object.keys((tf.backend() as unknown as { pipelineCache: object }).pipelineCache);
    expect(keys.filter((k) => k.startsWith('directConv_')).length).toBeGreaterThanOrEqual(3);
    expect(keys.filter((k) => k.startsWith('directConvFilterGrad_')).length).toBeGreaterThanOrEqual(
      3,
    );
  });
});
