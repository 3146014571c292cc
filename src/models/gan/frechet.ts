// A Fréchet distance between two image sets, FID-style but NOT Inception: the features come from a
// small, fixed, randomly initialised conv net (3 conv layers, 3x3 stride 2, 16-32-64 channels, ReLU,
// He-normal weights from a fixed seed, no biases, global average pooling -> 64 features). Random conv
// features capture colour, edge and texture statistics; they are cheap enough for a phone and need no
// download, but their values are not comparable with published FID numbers. The same seed always gives
// the same net, so distances are comparable across runs, backends and sessions.
import * as tf from '@tensorflow/tfjs';

/** Channels of the feature net's conv layers; the last one is the feature size. */
export const FEATURE_CHANNELS = [16, 32, 64] as const;
const FEATURE_SEED = 20150101;
const FEATURE_BATCH = 128;

/** Random-conv-net features `[n, 64]` of images `[n, h, w, 3]` in [-1, 1]. */
export function extractFeatures(images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = images;
    let cin = images.shape[3];
    FEATURE_CHANNELS.forEach((cout, i) => {
      // He-normal: keeps ReLU activations O(1) through the layers, so no feature is ~0 or saturated.
      const w = tf.randomNormal(
        [3, 3, cin, cout],
        0,
        Math.sqrt(2 / (9 * cin)),
        'float32',
        FEATURE_SEED + i,
      );
      x = tf.relu(tf.conv2d(x, w as tf.Tensor4D, 2, 'same'));
      cin = cout;
    });
    return tf.mean(x, [1, 2]) as tf.Tensor2D;
  });
}

/** Mean `[k]` and covariance `[k, k]` (row-major, unbiased) of `n` feature rows `[n, k]`, in float64. */
export function featureStats(
  features: ArrayLike<number>,
  n: number,
  k: number,
): { mean: Float64Array; cov: Float64Array } {
  if (n < 2 || features.length !== n * k)
    throw new Error('featureStats: need at least 2 rows of k features');
  const mean = new Float64Array(k);
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) mean[j] += features[r * k + j];
  for (let j = 0; j < k; j++) mean[j] /= n;
  const cov = new Float64Array(k * k);
  const row = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) row[j] = features[r * k + j] - mean[j];
    for (let i = 0; i < k; i++) {
      const ri = row[i];
      for (let j = i; j < k; j++) cov[i * k + j] += ri * row[j];
    }
  }
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const v = cov[i * k + j] / (n - 1);
      cov[i * k + j] = v;
      cov[j * k + i] = v;
    }
  }
  return { mean, cov };
}

/** Eigenvalues and eigenvectors (columns of `vectors`, row-major `[k, k]`) of a symmetric `[k, k]` matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(
  a: Float64Array,
  k: number,
): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const x = m[i * k + j] * m[i * k + j];
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[p * k + q];
        if (apq === 0) continue;
        const theta = (m[q * k + q] - m[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // m <- J^T m J for the rotation J in the (p, q) plane; v <- v J.
        for (let r = 0; r < k; r++) {
          const mrp = m[r * k + p];
          const mrq = m[r * k + q];
          m[r * k + p] = c * mrp - s * mrq;
          m[r * k + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[p * k + r];
          const mqr = m[q * k + r];
          m[p * k + r] = c * mpr - s * mqr;
          m[q * k + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p];
          const vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(k);
  for (let i = 0; i < k; i++) values[i] = m[i * k + i];
  return { values, vectors: v };
}

function matMul(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let l = 0; l < k; l++) {
      const ail = a[i * k + l];
      if (ail === 0) continue;
      for (let j = 0; j < k; j++) out[i * k + j] += ail * b[l * k + j];
    }
  }
  return out;
}

/** The symmetric PSD square root of a symmetric `[k, k]` matrix (negative eigenvalues from rounding clipped to 0). */
export function sqrtPsd(a: Float64Array, k: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, k);
  const out = new Float64Array(k * k);
  for (let e = 0; e < k; e++) {
    const s = Math.sqrt(Math.max(values[e], 0));
    if (s === 0) continue;
    for (let i = 0; i < k; i++) {
      const vi = vectors[i * k + e] * s;
      for (let j = 0; j < k; j++) out[i * k + j] += vi * vectors[j * k + e];
    }
  }
  return out;
}

/**
 * ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}) for two Gaussians of dimension k. Tr((S1 S2)^{1/2})
 * is computed as the sum of square roots of the eigenvalues of S1^{1/2} S2 S1^{1/2}, which is
 * symmetric PSD and similar to S1 S2 (so it has the same eigenvalues), unlike S1 S2 itself.
 */
export function frechetFromStats(
  mu1: Float64Array,
  s1: Float64Array,
  mu2: Float64Array,
  s2: Float64Array,
): number {
  const k = mu1.length;
  let d = 0;
  let trace = 0;
  for (let i = 0; i < k; i++) {
    d += (mu1[i] - mu2[i]) ** 2;
    trace += s1[i * k + i] + s2[i * k + i];
  }
  const r1 = sqrtPsd(s1, k);
  const m = matMul(matMul(r1, s2, k), r1, k);
  // Symmetrise away rounding so Jacobi sees an exactly symmetric matrix.
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const v = 0.5 * (m[i * k + j] + m[j * k + i]);
      m[i * k + j] = v;
      m[j * k + i] = v;
    }
  }
  const { values } = symmetricEigen(m, k);
  let cross = 0;
  for (const v of values) cross += Math.sqrt(Math.max(v, 0));
  // Rounding can leave a tiny negative value for identical sets.
  return Math.max(0, d + trace - 2 * cross);
}

/** Feature statistics of images `[n, h, w, 3]` in [-1, 1], extracted in batches to bound memory. */
export async function imageStats(
  images: tf.Tensor4D,
): Promise<{ mean: Float64Array; cov: Float64Array }> {
  const n = images.shape[0];
  const k = FEATURE_CHANNELS[FEATURE_CHANNELS.length - 1];
  const all = new Float32Array(n * k);
  for (let start = 0; start < n; start += FEATURE_BATCH) {
    const size = Math.min(FEATURE_BATCH, n - start);
    const f = tf.tidy(() => extractFeatures(images.slice([start, 0, 0, 0], [size, -1, -1, -1])));
    all.set(await f.data(), start * k);
    f.dispose();
  }
  return featureStats(all, n, k);
}

/** The Fréchet distance between the random-conv-net features of two image sets `[n, h, w, 3]` in [-1, 1]. */
export async function frechetDistance(
  realImages: tf.Tensor4D,
  fakeImages: tf.Tensor4D,
): Promise<number> {
  const a = await imageStats(realImages);
  const b = await imageStats(fakeImages);
  return frechetFromStats(a.mean, a.cov, b.mean, b.cov);
}
