import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  extractFeatures,
  featureStats,
  frechetDistance,
  frechetFromStats,
  sqrtPsd,
  symmetricEigen,
} from '../../src/models/gan/frechet';
import { Rng } from '../../src/shared/rng';
import { BACKENDS, useBackend } from '../helpers/backends';

function randomSpd(k: number, rng: Rng): Float64Array {
  // A A^T + k/10 I: symmetric positive definite with off-diagonal structure.
  const a = Array.from({ length: k * k }, () => rng.normal());
  const s = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let v = 0;
      for (let l = 0; l < k; l++) v += a[i * k + l] * a[j * k + l];
      s[i * k + j] = v / k + (i === j ? 0.1 : 0);
    }
  }
  return s;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function matMul(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let l = 0; l < k; l++)
      for (let j = 0; j < k; j++) out[i * k + j] += a[i * k + l] * b[l * k + j];
  return out;
}

describe('Fréchet distance: the matrix maths', () => {
  it('Jacobi eigen-decomposition reconstructs the matrix, and sqrtPsd squares back to it', () => {
    const k = 12;
    const s = randomSpd(k, new Rng(3));
    const { values, vectors } = symmetricEigen(s, k);
    const rebuilt = new Float64Array(k * k);
    for (let e = 0; e < k; e++)
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++)
          rebuilt[i * k + j] += vectors[i * k + e] * values[e] * vectors[j * k + e];
    expect(maxAbsDiff(rebuilt, s)).toBeLessThan(1e-10);
    const r = sqrtPsd(s, k);
    expect(maxAbsDiff(matMul(r, r, k), s)).toBeLessThan(1e-10);
  });

  it('equals the closed form for diagonal Gaussians: |mu1-mu2|^2 + sum (sqrt s1 - sqrt s2)^2', () => {
    const k = 6;
    const rng = new Rng(11);
    const mu1 = Float64Array.from({ length: k }, () => rng.normal());
    const mu2 = Float64Array.from({ length: k }, () => rng.normal());
    const v1 = Array.from({ length: k }, () => rng.range(0.1, 3));
    const v2 = Array.from({ length: k }, () => rng.range(0.1, 3));
    const s1 = new Float64Array(k * k);
    const s2 = new Float64Array(k * k);
    let expected = 0;
    for (let i = 0; i < k; i++) {
      s1[i * k + i] = v1[i];
      s2[i * k + i] = v2[i];
      expected += (mu1[i] - mu2[i]) ** 2 + (Math.sqrt(v1[i]) - Math.sqrt(v2[i])) ** 2;
    }
    expect(frechetFromStats(mu1, s1, mu2, s2)).toBeCloseTo(expected, 10);
  });

  it('equals the closed form (1 - sqrt c)^2 Tr S for full covariances S and cS', () => {
    const k = 10;
    const s = randomSpd(k, new Rng(5));
    const c = 2.5;
    const mu = new Float64Array(k);
    let trace = 0;
    for (let i = 0; i < k; i++) trace += s[i * k + i];
    const fd = frechetFromStats(
      mu,
      s,
      mu,
      s.map((v) => v * c),
    );
    expect(fd).toBeCloseTo((1 - Math.sqrt(c)) ** 2 * trace, 9);
    expect(frechetFromStats(mu, s, mu, s)).toBeLessThan(1e-9);
  });

  it('estimated from samples, matches the 1-D closed form (m1-m2)^2 + (sd1-sd2)^2', () => {
    const rng = new Rng(17);
    const n = 20000;
    const a = Float64Array.from({ length: n }, () => 1 + 2 * rng.normal());
    const b = Float64Array.from({ length: n }, () => -0.5 + 0.5 * rng.normal());
    const sa = featureStats(a, n, 1);
    const sb = featureStats(b, n, 1);
    expect(sa.mean[0]).toBeCloseTo(1, 1);
    expect(sa.cov[0]).toBeCloseTo(4, 0);
    const expected = 1.5 ** 2 + (2 - 0.5) ** 2;
    expect(Math.abs(frechetFromStats(sa.mean, sa.cov, sb.mean, sb.cov) - expected)).toBeLessThan(
      0.1,
    );
  });
});

describe.each(BACKENDS)('Fréchet distance on images (%s)', (backend) => {
  it('is ~0 for a set against itself, and grows as one set is shifted further', async () => {
    await useBackend(backend);
    // SwiftShader is slow: fewer images there (the covariance is then low-rank, which FD handles).
    const n = backend === 'cpu' ? 96 : 32;
    const x = tf.randomUniform([n, 32, 32, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const near = tf.tidy(() => x.add(0.1).clipByValue(-1, 1)) as tf.Tensor4D;
    const far = tf.tidy(() => x.add(0.4).clipByValue(-1, 1)) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const same = await frechetDistance(x, x);
    const dNear = await frechetDistance(x, near);
    const dFar = await frechetDistance(x, far);
    expect(tf.memory().numTensors).toBe(before);
    expect(same).toBeLessThan(1e-6 * dNear);
    expect(dNear).toBeGreaterThan(0);
    expect(dFar).toBeGreaterThan(4 * dNear);
    tf.dispose([x, near, far]);
  });

  it('features are [n, 64], fixed by the seed, and the same on this backend as on cpu', async () => {
    await useBackend(backend);
    // Eight different images (a regular pattern can leave a ReLU feature constant across them).
    const rng = new Rng(11);
    const pixels = Float32Array.from({ length: 8 * 32 * 32 * 3 }, () => rng.range(-1, 1));
    const x = tf.tensor4d(pixels, [8, 32, 32, 3]);
    const f = extractFeatures(x);
    expect(f.shape).toEqual([8, 64]);
    const v = await f.data();
    const again = extractFeatures(x);
    expect(maxAbsDiff(v, await again.data())).toBe(0);
    tf.dispose([x, f, again]);
    await useBackend('cpu');
    const xc = tf.tensor4d(pixels, [8, 32, 32, 3]);
    const cpu = extractFeatures(xc);
    const c = await cpu.data();
    expect(maxAbsDiff(v, c)).toBeLessThan(1e-4 * Math.max(...Array.from(c, Math.abs)));
    // No degenerate features: every one varies across images.
    const stats = featureStats(c, 8, 64);
    for (let j = 0; j < 64; j++) expect(stats.cov[j * 64 + j]).toBeGreaterThan(0);
    tf.dispose([xc, cpu]);
  });
});
