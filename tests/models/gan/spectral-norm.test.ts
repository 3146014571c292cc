// Spectral normalisation of D: the estimate matches a kernel's known largest singular value, a D step
// leaves every kernel at norm 1 and nothing leaked, and the projection stays off unless asked for.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildDiscriminator, buildGenerator, createGanConfig } from '../../../src/models/gan/model';
import { normalizeKernels, spectralNorm } from '../../../src/models/gan/spectral-norm';
import { createGanTrainer } from '../../../src/models/gan/train';
import { BACKENDS, useBackend } from '../../helpers/backends';

const cfg = createGanConfig({ latentDim: 8, batchSize: 2, spectralNorm: true });

// H1·diag(s)·H2 with Householder reflections H = I - 2·hhᵀ/(hᵀh) (orthogonal), built in plain JS
// so no backend op is trusted to make the reference: singular values exactly `s`.
function withSingularValues(rows: number, cols: number, s: number[]): tf.Tensor2D {
  const reflect = (n: number, seed: number): number[][] => {
    const h = Array.from({ length: n }, (_, i) => Math.sin(seed * (i + 1)) + 0.1);
    const hh = h.reduce((a, x) => a + x * x, 0);
    return h.map((hi, i) => h.map((hj, j) => (i === j ? 1 : 0) - (2 * hi * hj) / hh));
  };
  const [h1, h2] = [reflect(rows, 1.3), reflect(cols, 2.9)];
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let v = 0;
      for (let k = 0; k < s.length; k++) v += h1[i][k] * s[k] * h2[k][j];
      out[i * cols + j] = v;
    }
  return tf.tensor2d(out, [rows, cols]);
}

async function kernelNorms(d: tf.LayersModel): Promise<number[]> {
  const kernels = d.trainableWeights.filter((w) => w.originalName.endsWith('/kernel'));
  return Promise.all(
    kernels.map(async (w) => {
      const s = tf.tidy(() => {
        const v = w.read();
        return spectralNorm(tf.reshape(v, [-1, v.shape[v.shape.length - 1]]) as tf.Tensor2D);
      });
      const value = (await s.data())[0];
      s.dispose();
      return value;
    }),
  );
}

describe.each(BACKENDS)('spectral normalisation (%s)', (backend) => {
  it('estimates the largest singular value, also when the top two are close', async () => {
    await useBackend(backend);
    for (const [rows, cols, s] of [
      [48, 16, [3, 1, 0.5, 0.1]],
      [256, 32, [2, 1.8, 1, 0.2]],
      [256, 1, [0.7]],
    ] as const) {
      const w = withSingularValues(rows, cols, [...s]);
      const sigma = spectralNorm(w);
      // Close top values converge slowest: 1.8/2 after 64 iterations leaves under 0.1%.
      expect((await sigma.data())[0]).toBeCloseTo(s[0], 2);
      tf.dispose([w, sigma]);
    }
  });

  it('a D step with spectralNorm leaves every D kernel at norm 1 and leaks nothing', async () => {
    await useBackend(backend);
    const g = buildGenerator(cfg, 1);
    const d = buildDiscriminator(cfg, 2);
    const trainer = createGanTrainer(g, d, cfg);
    const before = await kernelNorms(d);
    // He initialisation: far from 1, so the test sees the projection.
    expect(Math.max(...before.map((n) => Math.abs(n - 1)))).toBeGreaterThan(0.3);
    const real = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    // The D step alone: the projection follows it, and SwiftShader is slow.
    tf.dispose(Object.values(trainer.discriminatorStep(real, 1)));
    const tensors = tf.memory().numTensors;
    const losses = trainer.discriminatorStep(real, 2);
    tf.dispose(Object.values(losses));
    expect(tf.memory().numTensors).toBe(tensors);
    for (const n of await kernelNorms(d)) expect(n).toBeCloseTo(1, 3);
    normalizeKernels(d);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose(real);
    trainer.dispose();
    g.dispose();
    d.dispose();
  });
});

describe('spectral normalisation (cpu only: no backend code involved)', () => {
  it('stays off when the config does not ask for it', async () => {
    await useBackend('cpu');
    const off = { ...cfg, spectralNorm: undefined };
    const g = buildGenerator(off, 1);
    const d = buildDiscriminator(off, 2);
    const trainer = createGanTrainer(g, d, off);
    const real = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    tf.dispose(Object.values(trainer.discriminatorStep(real, 1)));
    const norms = await kernelNorms(d);
    expect(Math.max(...norms.map((n) => Math.abs(n - 1)))).toBeGreaterThan(0.3);
    tf.dispose(real);
    trainer.dispose();
    g.dispose();
    d.dispose();
  });
});
