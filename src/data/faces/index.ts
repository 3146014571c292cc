// The built-in faces dataset: seeded procedural cartoon faces with per-pixel part labels, no download.
// Pure TypeScript on typed arrays (no canvas, no DOM, no tfjs) so it runs in workers and in Node.
import { Rng } from '../../shared/rng';
import { drawFace } from './draw';
import { sampleFaceSpec } from './params';
import { Canvas } from './raster';

export { FACE_PARTS, HAIR_COLORS } from './params';
export type { FacePart } from './params';

/** Attributes of a face, the targets of the encoder pretraining heads. */
export interface FaceAttributes {
  glasses: boolean;
  smile: boolean;
  hairVisible: boolean;
  /** Index into HAIR_COLORS (also set for bald faces: it colours the brows). */
  hairColor: number;
  /** Face (head outline) height in pixels at the rendered size. */
  faceSize: number;
  /** How far the mouth is open, 0 (closed) to 1. */
  mouthOpen: number;
}

/** One rendered face: `image` is `[size, size, 3]` RGB, `labels` is `[size, size]` indices into FACE_PARTS. */
export interface Face {
  size: number;
  image: Uint8ClampedArray;
  labels: Uint8Array;
  attributes: FaceAttributes;
}

const SIZES = [32, 64, 128];

/** Renders the face of `seed` at `size` x `size` (32, 64 or 128): the same seed always gives the same face. */
export function renderFace(seed: number, size = 64): Face {
  if (!SIZES.includes(size))
    throw new Error(`renderFace: size must be one of ${SIZES.join(', ')}, got ${size}`);
  const spec = sampleFaceSpec(new Rng(seed));
  const canvas = new Canvas(size);
  drawFace(canvas, spec);
  const image = new Uint8ClampedArray(canvas.rgb.length);
  // Uint8ClampedArray rounds half to even and clamps, which is the quantisation we want.
  image.set(canvas.rgb);
  return {
    size,
    image,
    labels: canvas.labels,
    attributes: {
      glasses: spec.glasses !== null,
      smile: spec.mouth.smile,
      hairVisible: spec.hair.style !== 'bald',
      hairColor: spec.hair.index,
      faceSize: 2 * spec.head.ry * (size / 64),
      mouthOpen: spec.mouth.open,
    },
  };
}

/** Renders `count` faces with seeds firstSeed, firstSeed + 1, ... */
export function renderFaces(firstSeed: number, count: number, size = 64): Face[] {
  const faces: Face[] = [];
  for (let i = 0; i < count; i++) faces.push(renderFace(firstSeed + i, size));
  return faces;
}

/** Faces as a float batch in [-1, 1] for the GAN: `[count, size, size, 3]` flattened. */
export function facesToFloat(faces: Face[]): Float32Array {
  if (faces.length === 0) return new Float32Array(0);
  const n = faces[0].image.length;
  const out = new Float32Array(faces.length * n);
  faces.forEach((f, k) => {
    if (f.image.length !== n) throw new Error('facesToFloat: faces have different sizes');
    const img = f.image;
    for (let i = 0; i < n; i++) out[k * n + i] = img[i] / 127.5 - 1;
  });
  return out;
}
