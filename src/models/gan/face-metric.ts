// The face metric: faceFd (Fréchet distance), precision and recall (k-NN manifolds, Kynkäänniemi et
// al. 2019, k = 3) in the frozen face-feature net's space, and the attribute mix of generated faces
// against real ones. Images are `[n, s, s, 3]` in [-1, 1], s = 32 or 64.
import * as tf from '@tensorflow/tfjs';
import { featureStats, frechetFromStats } from './frechet';
import {
  attributeMix,
  FACE_ATTRIBUTES,
  faceFeatures,
  FEATURE_DIM,
  HEAD_DIM,
} from './face-features';

/** Features `[n, FEATURE_DIM]` and head outputs `[n, HEAD_DIM]` of an image set, read to the host. */
export interface FaceEmbedding {
  n: number;
  features: Float32Array;
  heads: Float32Array;
}

/** The figures of one image set against the real reference set. */
export interface FaceScores {
  faceFd: number;
  precision: number;
  recall: number;
  /** Per attribute, the total-variation distance between the predicted class mixes. */
  attributeTv: Record<string, number>;
  attributeTvMax: number;
}

/** Embeds images `[n, s, s, 3]` in batches of 128 (so memory stays bounded). */
export async function embedFaces(net: tf.LayersModel, images: tf.Tensor4D): Promise<FaceEmbedding> {
  const n = images.shape[0];
  const features = new Float32Array(n * FEATURE_DIM);
  const heads = new Float32Array(n * HEAD_DIM);
  for (let at = 0; at < n; at += 128) {
    const size = Math.min(128, n - at);
    const part = images.slice([at, 0, 0, 0], [size, -1, -1, -1]);
    const [f, h] = faceFeatures(net, part);
    features.set(await f.data(), at * FEATURE_DIM);
    heads.set(await h.data(), at * HEAD_DIM);
    tf.dispose([part, f, h]);
  }
  return { n, features, heads };
}

function sqDistances(a: Float32Array, na: number, b: Float32Array, nb: number): Float64Array {
  const k = FEATURE_DIM;
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let d = 0;
      for (let q = 0; q < k; q++) {
        const t = a[i * k + q] - b[j * k + q];
        d += t * t;
      }
      out[i * nb + j] = d;
    }
  }
  return out;
}

// The squared distance of every row of a set to its k-th nearest other row: the radius of its ball.
function kthRadii(self: Float64Array, n: number, k: number): Float64Array {
  const radii = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = Array.from(self.subarray(i * n, (i + 1) * n));
    row.splice(i, 1);
    row.sort((p, q) => p - q);
    radii[i] = row[k - 1];
  }
  return radii;
}

// The share of `queries` that fall inside at least one ball of the reference set.
function coverage(cross: Float64Array, nq: number, radii: Float64Array): number {
  const nr = radii.length;
  let inside = 0;
  for (let q = 0; q < nq; q++) {
    for (let r = 0; r < nr; r++) {
      if (cross[q * nr + r] <= radii[r]) {
        inside++;
        break;
      }
    }
  }
  return inside / nq;
}

/** Precision (fakes on the real manifold) and recall (reals on the fake manifold), k-NN balls with k = 3. */
export function precisionRecall(real: FaceEmbedding, fake: FaceEmbedding, k = 3) {
  const rr = sqDistances(real.features, real.n, real.features, real.n);
  const ff = sqDistances(fake.features, fake.n, fake.features, fake.n);
  const fr = sqDistances(fake.features, fake.n, real.features, real.n);
  const rf = new Float64Array(real.n * fake.n);
  for (let i = 0; i < fake.n; i++)
    for (let j = 0; j < real.n; j++) rf[j * fake.n + i] = fr[i * real.n + j];
  return {
    precision: coverage(fr, fake.n, kthRadii(rr, real.n, k)),
    recall: coverage(rf, real.n, kthRadii(ff, fake.n, k)),
  };
}

/** All figures of `fake` against `real`. */
export function scoreFaces(real: FaceEmbedding, fake: FaceEmbedding): FaceScores {
  const a = featureStats(real.features, real.n, FEATURE_DIM);
  const b = featureStats(fake.features, fake.n, FEATURE_DIM);
  const mixReal = attributeMix(real.heads, real.n);
  const mixFake = attributeMix(fake.heads, fake.n);
  const attributeTv: Record<string, number> = {};
  Object.keys(FACE_ATTRIBUTES).forEach((name, i) => {
    const tv = mixReal[i].reduce((s, p, j) => s + Math.abs(p - mixFake[i][j]), 0) / 2;
    attributeTv[name] = Number(tv.toFixed(4));
  });
  return {
    faceFd: frechetFromStats(a.mean, a.cov, b.mean, b.cov),
    ...precisionRecall(real, fake),
    attributeTv,
    attributeTvMax: Math.max(...Object.values(attributeTv)),
  };
}

/** Loads the committed feature net from its model.json and weights.bin bytes. */
export async function loadFaceFeatureNet(
  modelJson: string,
  weights: ArrayBuffer,
): Promise<tf.LayersModel> {
  const json = JSON.parse(modelJson) as {
    modelTopology: tf.io.ModelJSON['modelTopology'];
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights,
    }),
  );
}
