// The face-feature net of the face metric: a small conv net trained once (scripts/train-face-features.ts)
// to read every procedural face's drawn attributes (hair style and colour, glasses, mouth, skin tone,
// eye colour, background, face shape) and the positions of head, eyes and mouth, then frozen. Its
// penultimate layer is the feature space of faceFd and precision/recall: features that must name
// the eye colour and find the mouth change when eyes are painted over or the layout is shuffled,
// which random conv features (colour and blur statistics) did not.
import * as tf from '@tensorflow/tfjs';
import { IRIS, sampleFaceSpec, type FaceSpec } from '../../data/faces/params';
import { Rng } from '../../shared/rng';

/** The categorical attributes the net predicts, with their class names. */
export const FACE_ATTRIBUTES = {
  hairStyle: ['bald', 'short', 'long', 'bun', 'fringe', 'curly'],
  hairColor: ['black', 'brown', 'blonde', 'red', 'grey'],
  glasses: ['none', 'glasses'],
  mouth: ['closed', 'open'],
  smile: ['neutral', 'smile'],
  skinTone: ['light', 'medium', 'dark'],
  eyeColor: ['brown', 'dark brown', 'blue', 'green', 'hazel', 'grey'],
  background: ['flat', 'vertical', 'horizontal', 'radial'],
  faceShape: ['round', 'oval', 'long'],
} as const;
/** One attribute name. */
export type FaceAttribute = keyof typeof FACE_ATTRIBUTES;
const ATTRS = Object.keys(FACE_ATTRIBUTES) as FaceAttribute[];
/** Geometry targets, in 64-pixel units scaled to about [-1, 1]. */
const GEOMETRY = ['headX', 'headY', 'headH', 'eyeY', 'eyeGap', 'mouthY'] as const;
/** The net's input size: 64-pixel faces are average-pooled 2x2 first. */
export const FEATURE_INPUT = 32;
/** Width of the feature vector. */
export const FEATURE_DIM = 96;
/** Logits per attribute, then geometry: the width of the net's output. */
export const HEAD_DIM = ATTRS.reduce((n, a) => n + FACE_ATTRIBUTES[a].length, 0) + GEOMETRY.length;

/** The targets of the face drawn from `seed`: one class index per attribute and the geometry. */
export function faceTargets(spec: FaceSpec): { classes: number[]; geometry: number[] } {
  const ratio = spec.head.rx / spec.head.ry;
  const lum = (spec.skin[0] + spec.skin[1] + spec.skin[2]) / 3;
  const iris = nearest(IRIS, spec.eyes.iris);
  const classes: Record<FaceAttribute, number> = {
    hairStyle: FACE_ATTRIBUTES.hairStyle.indexOf(spec.hair.style),
    hairColor: spec.hair.index,
    glasses: spec.glasses ? 1 : 0,
    mouth: spec.mouth.open > 0 ? 1 : 0,
    smile: spec.mouth.smile ? 1 : 0,
    skinTone: lum > 200 ? 0 : lum > 150 ? 1 : 2,
    eyeColor: iris,
    background: spec.bg.kind,
    faceShape: ratio > 0.855 ? 0 : ratio > 0.77 ? 1 : 2,
  };
  const geometry = [
    (spec.head.cx - 32) / 3,
    (spec.head.cy - 34.5) / 2,
    (spec.head.ry - 20.5) / 2.5,
    (spec.eyes.y - 33) / 3,
    (spec.eyes.dx - 7.5) / 1.5,
    (spec.mouth.y - 45) / 3,
  ];
  return { classes: ATTRS.map((a) => classes[a]), geometry };
}

function nearest(list: readonly (readonly number[])[], c: readonly number[]): number {
  let [best, bestD] = [0, Infinity];
  list.forEach((p, i) => {
    const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  });
  return best;
}

/** The spec of the face of `seed`, as renderFace draws it. */
export function faceSpecOf(seed: number): FaceSpec {
  return sampleFaceSpec(new Rng(seed));
}

/** The untrained net: `[batch, 32, 32, 3]` in [-1, 1] to `[batch, HEAD_DIM]` (logits, then geometry). */
export function buildFaceFeatureNet(seed = 7): tf.Sequential {
  const net = tf.sequential({ name: 'face_features' });
  [16, 32, 48].forEach((filters, i) => {
    net.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [FEATURE_INPUT, FEATURE_INPUT, 3] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
        name: `ff_conv${i + 1}`,
      }),
    );
    net.add(tf.layers.maxPooling2d({ poolSize: 2, name: `ff_pool${i + 1}` }));
  });
  net.add(tf.layers.flatten({ name: 'ff_flatten' }));
  net.add(
    tf.layers.dense({
      units: FEATURE_DIM,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 10 }),
      name: 'ff_features',
    }),
  );
  net.add(
    tf.layers.dense({
      units: HEAD_DIM,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 11 }),
      name: 'ff_heads',
    }),
  );
  return net;
}

/** Images `[n, s, s, 3]` in [-1, 1] (s = 32 or 64) as the net's `[n, 32, 32, 3]` input. */
export function toFeatureInput(images: tf.Tensor4D): tf.Tensor4D {
  const s = images.shape[1];
  if (s === FEATURE_INPUT) return images.clone();
  if (s !== 2 * FEATURE_INPUT) throw new Error(`face features read 32 or 64 px images, not ${s}`);
  return tf.avgPool(images, 2, 2, 'valid');
}

/** Features `[n, FEATURE_DIM]` and head outputs `[n, HEAD_DIM]` of images `[n, s, s, 3]` in [-1, 1]. */
export function faceFeatures(net: tf.LayersModel, images: tf.Tensor4D): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    let x: tf.Tensor = toFeatureInput(images);
    for (const layer of net.layers.slice(0, -1)) x = layer.apply(x) as tf.Tensor;
    const heads = net.layers[net.layers.length - 1].apply(x) as tf.Tensor2D;
    return [x as tf.Tensor2D, heads];
  });
}

/** The class mix `[attribute][class]` of head outputs `[n, HEAD_DIM]` (mean softmax per attribute). */
export function attributeMix(heads: Float32Array | number[], n: number): number[][] {
  const mixes: number[][] = [];
  let at = 0;
  for (const a of ATTRS) {
    const k = FACE_ATTRIBUTES[a].length;
    const mix = new Array<number>(k).fill(0);
    for (let r = 0; r < n; r++) {
      const row = Array.from({ length: k }, (_, j) => heads[r * HEAD_DIM + at + j]);
      const top = Math.max(...row);
      const e = row.map((v) => Math.exp(v - top));
      const z = e.reduce((p, q) => p + q, 0);
      e.forEach((v, j) => (mix[j] += v / z / n));
    }
    mixes.push(mix);
    at += k;
  }
  return mixes;
}

/** Softmax cross-entropy per attribute plus MSE of the geometry, averaged: the net's training loss. */
export function faceFeatureLoss(
  heads: tf.Tensor2D,
  classes: Int32Array,
  geometry: Float32Array,
): tf.Scalar {
  return tf.tidy(() => {
    const n = heads.shape[0];
    let at = 0;
    const terms: tf.Scalar[] = [];
    ATTRS.forEach((a, i) => {
      const k = FACE_ATTRIBUTES[a].length;
      const logits = heads.slice([0, at], [n, k]);
      const idx = Int32Array.from({ length: n }, (_, r) => classes[r * ATTRS.length + i]);
      terms.push(tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(idx, 'int32'), k), logits));
      at += k;
    });
    const g = heads.slice([0, at], [n, GEOMETRY.length]);
    terms.push(tf.losses.meanSquaredError(tf.tensor2d(geometry, [n, GEOMETRY.length]), g));
    return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
  });
}

/** How many attributes and geometry values one face has. */
export const TARGET_COUNTS = { classes: ATTRS.length, geometry: GEOMETRY.length };
