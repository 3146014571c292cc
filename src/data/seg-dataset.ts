// The built-in face-parsing dataset: image/label pairs from the procedural faces, no download.
// Binary mode labels every pixel that belongs to the person's head as 1: skin (face, ears, neck),
// hair, eyes, brows, nose, mouth and glasses; only the backdrop and the shirt (which the faces
// generator labels background) are 0. Parts mode keeps the 8 FACE_PARTS classes.
import type { HeadTask } from '../models/heads';
import type { Rng } from '../shared/rng';
import { augmentPair, randomTransform } from './augment';
import type { AugmentParams } from './augment';
import { FACE_PARTS, HAIR_COLORS, renderFace } from './faces';
import type { Face } from './faces';

/** Binary (face vs. background) or parts (the 8 FACE_PARTS classes). */
export type SegMode = 'binary' | 'parts';

/** Class names of binary mode. */
export const BINARY_CLASSES: readonly string[] = ['background', 'face'];

/** First seed of the training faces; training face i is seed TRAIN_FIRST_SEED + i. */
export const TRAIN_FIRST_SEED = 1;
/** First seed of the held-out faces, far above any training seed so the two never overlap. */
export const HELD_OUT_FIRST_SEED = 2_000_000_000;
/** The largest number of training faces, so training seeds stay below HELD_OUT_FIRST_SEED. */
export const MAX_TRAIN_FACES = HELD_OUT_FIRST_SEED - TRAIN_FIRST_SEED;

/** One image `[size, size, 3]` RGB bytes with its label map `[size, size]` of class indices. */
export interface SegPair {
  size: number;
  image: Uint8Array | Uint8ClampedArray;
  labels: Uint8Array;
}

/** Images `[count, size, size, 3]` in [0, 1] and labels `[count, size, size]` class indices. */
export interface SegBatch {
  size: number;
  count: number;
  images: Float32Array;
  labels: Uint8Array;
}

/** The class names of `mode`. */
export function segClasses(mode: SegMode): readonly string[] {
  return mode === 'binary' ? BINARY_CLASSES : FACE_PARTS;
}

/** A face as an image/label pair of `mode`. */
export function faceToPair(face: Face, mode: SegMode): SegPair {
  const labels = mode === 'parts' ? face.labels : face.labels.map((l) => (l === 0 ? 0 : 1));
  return { size: face.size, image: face.image, labels };
}

/** `count` built-in pairs from the training or held-out seed range, starting at `first` within it. */
export function builtInPairs(
  mode: SegMode,
  split: 'train' | 'heldOut',
  first: number,
  count: number,
  size = 64,
): SegPair[] {
  const base = split === 'train' ? TRAIN_FIRST_SEED : HELD_OUT_FIRST_SEED;
  if (split === 'train' && first + count > MAX_TRAIN_FACES) {
    throw new Error('Too many training faces: they would overlap the held-out seeds');
  }
  const pairs: SegPair[] = [];
  for (let i = 0; i < count; i++) pairs.push(faceToPair(renderFace(base + first + i, size), mode));
  return pairs;
}

/** Stacks pairs into a batch; with `augment`, each pair first moves by its own random Keras-style transform (image bilinear, labels nearest). */
export function createSegBatch(
  pairs: readonly SegPair[],
  augment?: { params: AugmentParams; rng: Rng },
): SegBatch {
  if (pairs.length === 0) throw new Error('createSegBatch: no pairs');
  const size = pairs[0].size;
  const n = size * size;
  const images = new Float32Array(pairs.length * n * 3);
  const labels = new Uint8Array(pairs.length * n);
  pairs.forEach((p, k) => {
    if (p.size !== size || p.image.length !== n * 3 || p.labels.length !== n) {
      throw new Error(`createSegBatch: pair ${k} is not ${size}x${size}`);
    }
    let { image, labels: mask } = p;
    if (augment) {
      const m = randomTransform(augment.params, augment.rng, size);
      ({ image, mask } = augmentPair(image, 3, mask, size, m));
    }
    for (let i = 0; i < n * 3; i++) images[k * n * 3 + i] = image[i] / 255;
    labels.set(mask, k * n);
  });
  return { size, count: pairs.length, images, labels };
}

/** The attribute tasks of "Pretrain encoder". */
export type AttributeTaskName = 'glasses' | 'hairColor' | 'attributes' | 'faceSize' | 'mouthOpen';

/** One attribute task: its head row, width, and the targets of a face. */
export interface AttributeTask {
  name: AttributeTaskName;
  label: string;
  head: HeadTask;
  units: number;
  targets(face: Face): number[];
}

/** Mean face height in pixels at 64x64 (2,000 faces: 36 to 46, mean 40.96). */
export const FACE_SIZE_MEAN = 41;
/** Spread of the face height in pixels at 64x64 (standard deviation 2.91). */
export const FACE_SIZE_STD = 3;

/** The five pretraining tasks, one per row of the head table. */
export const ATTRIBUTE_TASKS: Readonly<Record<AttributeTaskName, AttributeTask>> = {
  glasses: {
    name: 'glasses',
    label: 'glasses yes/no',
    head: 'binary',
    units: 1,
    targets: (f) => [f.attributes.glasses ? 1 : 0],
  },
  hairColor: {
    name: 'hairColor',
    label: 'hair colour',
    head: 'multiClass',
    units: HAIR_COLORS.length,
    targets: (f) => HAIR_COLORS.map((_, i) => (i === f.attributes.hairColor ? 1 : 0)),
  },
  attributes: {
    name: 'attributes',
    label: 'glasses, smile, hair visible',
    head: 'multiLabel',
    units: 3,
    targets: (f) =>
      [f.attributes.glasses, f.attributes.smile, f.attributes.hairVisible].map(Number),
  },
  faceSize: {
    name: 'faceSize',
    label: 'face size in pixels',
    head: 'regression',
    units: 1,
    // Standardised (the usual practice for an unbounded target): pixels = 41 + 3 · prediction at
    // 64x64 (mean and spread of 2,000 generated faces), scaled with the image size.
    targets: (f) => [(f.attributes.faceSize * (64 / f.size) - FACE_SIZE_MEAN) / FACE_SIZE_STD],
  },
  mouthOpen: {
    name: 'mouthOpen',
    label: 'mouth openness in [0, 1]',
    head: 'regression01',
    units: 1,
    targets: (f) => [f.attributes.mouthOpen],
  },
};

/** Images `[count, size, size, 3]` in [0, 1] and targets `[count, units]` of `task`. */
export function attributeBatch(
  faces: readonly Face[],
  task: AttributeTask,
): { images: Float32Array; targets: Float32Array } {
  const n = faces.length ? faces[0].image.length : 0;
  const images = new Float32Array(faces.length * n);
  const targets = new Float32Array(faces.length * task.units);
  faces.forEach((f, k) => {
    for (let i = 0; i < n; i++) images[k * n + i] = f.image[i] / 255;
    targets.set(task.targets(f), k * task.units);
  });
  return { images, targets };
}
