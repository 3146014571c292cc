// Real faces spoiled the ways a person notices, the controls every face-quality figure is read
// against: blurred, the parts painted over in skin colour, cut into blocks and shuffled, and each
// face replaced by its mean colour. Pure typed-array code on rendered faces (bytes, `[s, s, 3]`).
import type { Face } from '../../data/faces';
import { PART } from '../../data/faces/params';
import { Rng } from '../../shared/rng';
import { faceSpecOf } from './face-features';

/** A copy of `image` `[s, s, 3]` blurred with a Gaussian of `sigma` pixels (edges clamped). */
export function blurImage(
  image: Uint8ClampedArray,
  size: number,
  sigma: number,
): Uint8ClampedArray {
  const r = Math.ceil(3 * sigma);
  const w = Array.from({ length: 2 * r + 1 }, (_, i) =>
    Math.exp(-((i - r) ** 2) / (2 * sigma ** 2)),
  );
  const sum = w.reduce((a, b) => a + b, 0);
  const pass = (src: Float32Array, dx: number, dy: number): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) {
          let v = 0;
          for (let i = -r; i <= r; i++) {
            const xx = Math.min(size - 1, Math.max(0, x + i * dx));
            const yy = Math.min(size - 1, Math.max(0, y + i * dy));
            v += w[i + r] * src[(yy * size + xx) * 3 + c];
          }
          out[(y * size + x) * 3 + c] = v / sum;
        }
      }
    }
    return out;
  };
  return Uint8ClampedArray.from(pass(pass(Float32Array.from(image), 1, 0), 0, 1));
}

const PAINTED: readonly number[] = [PART.eyes, PART.brows, PART.nose, PART.mouth, PART.glasses];

/** A copy of the face of `seed` with eyes, brows, nose, mouth and glasses painted in its skin colour. */
export function paintOverParts(face: Face, seed: number): Uint8ClampedArray {
  const skin = faceSpecOf(seed).skin;
  const out = new Uint8ClampedArray(face.image);
  for (let p = 0; p < face.labels.length; p++) {
    if (PAINTED.includes(face.labels[p])) out.set(skin, p * 3);
  }
  return out;
}

/** A copy of `image` cut into `block`-pixel squares shuffled by `seed`: every colour, no layout. */
export function shuffleBlocks(
  image: Uint8ClampedArray,
  size: number,
  block: number,
  seed: number,
): Uint8ClampedArray {
  const per = size / block;
  const order = Array.from({ length: per * per }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out = new Uint8ClampedArray(image.length);
  order.forEach((from, to) => {
    const [fy, fx] = [Math.floor(from / per) * block, (from % per) * block];
    const [ty, tx] = [Math.floor(to / per) * block, (to % per) * block];
    for (let y = 0; y < block; y++) {
      const src = ((fy + y) * size + fx) * 3;
      out.set(image.subarray(src, src + block * 3), ((ty + y) * size + tx) * 3);
    }
  });
  return out;
}

/** `image` with every pixel set to its mean colour. */
export function meanColour(image: Uint8ClampedArray): Uint8ClampedArray {
  const mean = [0, 0, 0];
  for (let i = 0; i < image.length; i++) mean[i % 3] += image[i];
  const n = image.length / 3;
  const out = new Uint8ClampedArray(image.length);
  for (let i = 0; i < image.length; i++) out[i] = mean[i % 3] / n;
  return out;
}

/** Byte images `[s, s, 3]` as one float batch in [-1, 1], `[n * s * s * 3]`. */
export function bytesToFloat(images: Uint8ClampedArray[]): Float32Array {
  const n = images[0]?.length ?? 0;
  const out = new Float32Array(images.length * n);
  images.forEach((img, k) => {
    for (let i = 0; i < n; i++) out[k * n + i] = img[i] / 127.5 - 1;
  });
  return out;
}
