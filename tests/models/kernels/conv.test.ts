// Our conv kernels against stock tfjs on the same backend: cpu (Conv2D, FusedConv2D,
// Conv2DBackpropFilter, Conv2DBackpropInput) and webgpu (the direct FusedConv2D and filter-gradient
// shaders), on random shapes: odd sizes, strides 1 and 2, both paddings, batch 1.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { withStockKernels } from '../../../src/models/kernels';
import { CPU_CONV_KERNELS } from '../../../src/models/kernels/cpu/conv';
import { CPU_CONV_INPUT_GRAD_KERNELS } from '../../../src/models/kernels/cpu/conv-input-grad';
import { WEBGPU_CONV_KERNELS } from '../../../src/models/kernels/webgpu/conv';
import { Rng } from '../../../src/shared/rng';
import { BACKENDS, useBackend } from '../../helpers/backends';
import { countAnswered } from '../../helpers/kernels';

const OURS = {
  cpu: [CPU_CONV_KERNELS, CPU_CONV_INPUT_GRAD_KERNELS],
  webgpu: [WEBGPU_CONV_KERNELS],
};

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

/** Two random cases per stride and padding; the first of each pair has batch 1. */
function randomCases(seed: number): Case[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const cases: Case[] = [];
  for (const stride of [1, 2] as const) {
    for (const pad of ['same', 'valid'] as const) {
      for (const batch of [1, pick([2, 3])]) {
        const f = pick([1, 3, 4, 5]);
        const side = (): number => f + pick([0, 2, 4, 6]) + pick([0, 1]);
        // Mostly multiples of 4 (what the webgpu shaders take), sometimes not (left to tfjs).
        const outC = pick([4, 8, 12, 16, 20, 3]);
        cases.push({
          x: [batch, side(), side(), pick([1, 3, 5, 8])],
          w: [f, f, 0, outC],
          stride,
          pad,
        });
      }
    }
  }
  return cases.map((c) => ({ ...c, w: [c.w[0], c.w[1], c.x[3], c.w[3]] }));
}

function normal(shape: number[], rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

/** Conv, fused conv with bias (linear and relu), and both gradients of sum(conv · dy) on `seed`'s inputs, on the current backend. */
async function convOutputs(c: Case, seed: number): Promise<Record<string, Float32Array>> {
  const rng = new Rng(seed);
  const out = tf.tidy(() => {
    const x = normal(c.x, rng) as tf.Tensor4D;
    const w = normal(c.w, rng) as tf.Tensor4D;
    const bias = normal([c.w[3]], rng) as tf.Tensor1D;
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const dy = normal(y.shape, rng);
    const fused = (activation: 'linear' | 'relu') =>
      tf.fused.conv2d({ x, filter: w, strides: c.stride, pad: c.pad, bias, activation });
    const loss = (xv: tf.Tensor, wv: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.stride, c.pad), dy));
    const [dx, dw] = tf.grads(loss)([x, w]);
    return { conv: y, fused: fused('linear'), fusedRelu: fused('relu'), dx, dw };
  });
  const values: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(out)) values[k] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(out));
  return values;
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

describe.each(BACKENDS)('our conv kernels on %s', (backend) => {
  it('equal stock tfjs on random shapes: conv, fused conv, filter and input gradients', async () => {
    await useBackend(backend);
    const cases = randomCases(backend === 'cpu' ? 1 : 2);
    const stock = await withStockKernels(async () => {
      const all = [];
      for (const [k, c] of cases.entries()) all.push(await convOutputs(c, k));
      return all;
    });
    const tensors = tf.memory().numTensors;
    const { result: ours, answered } = await countAnswered(OURS[backend], async () => {
      const all = [];
      for (const [k, c] of cases.entries()) all.push(await convOutputs(c, k));
      return all;
    });
    expect(tf.memory().numTensors).toBe(tensors);
    for (const [k, c] of cases.entries()) {
      for (const [name, want] of Object.entries(stock[k])) {
        expect(ours[k][name].length).toBe(want.length);
        expect(maxRelDiff(want, ours[k][name]), `${name} ${JSON.stringify(c)}`).toBeLessThan(1e-5);
      }
    }
    // Each fast path answered most cases itself (webgpu: outC a multiple of 4, linear only).
    for (const [name, count] of Object.entries(answered)) {
      expect(count, name).toBeGreaterThanOrEqual(cases.length / 2);
    }
  });
});
