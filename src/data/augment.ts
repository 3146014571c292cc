// Keras ImageDataGenerator-style geometric augmentation in pure TypeScript, seeded, with one affine
// matrix applied identically to an image (bilinear or nearest) and its mask (always nearest).
//
// Units and meaning, as in Keras (keras-preprocessing 1.1 / tf.keras 2.x `ImageDataGenerator`):
// - rotationRange: degrees; θ ~ U(-r, r).
// - widthShiftRange / heightShiftRange: a fraction of the width / height when < 1 (else pixels);
//   the shift is U(-r, r) · width (or · height) pixels.
// - shearRange: the shear ANGLE in degrees (not a slope); s ~ U(-r, r).
// - zoomRange z: zoom factors zx, zy ~ U(1 - z, 1 + z), drawn independently per axis; a factor
//   above 1 samples a larger area, so the content shrinks (Keras' convention).
// - horizontalFlip: mirror left-right with probability 1/2, after the affine part.
// - fillMode 'nearest': pixels that map outside the source take the nearest edge pixel.
//
// Composition (keras-preprocessing `apply_affine_transform`, scipy path): in (row, column) pixel
// coordinates, the matrix M = Rotation · Shift · Shear · Zoom maps an OUTPUT pixel to the source
// position it samples (like scipy.ndimage.affine_transform), about the centre ((h-1)/2, (w-1)/2):
//   Rotation = [[cos θ, -sin θ], [sin θ, cos θ]]   (positive θ turns the content clockwise on screen)
//   Shift    = translation by (tx, ty) = (height shift, width shift); content moves by (-tx, -ty)
//   Shear    = [[1, -sin s], [0, cos s]]
//   Zoom     = [[zx, 0], [0, zy]]
// This is scipy.ndimage.affine_transform with Keras' matrix, checked to match it exactly (order 0
// and 1, mode 'nearest'; tests/data/augment.test.ts holds a scipy reference). Later tf.keras
// versions swap the matrix axes before calling scipy, which makes height_shift_range move images
// sideways (keras-team/tf-keras#310, tensorflow#82838) and mirrors rotation and shear; we keep
// the documented meaning. With symmetric ranges and equal width/height shifts (the defaults) the
// distribution of transforms is the same either way.
import type { Rng } from '../shared/rng';

/** The augmentation settings, named after Keras' ImageDataGenerator arguments. */
export interface AugmentParams {
  rotationRange: number;
  widthShiftRange: number;
  heightShiftRange: number;
  shearRange: number;
  zoomRange: number;
  horizontalFlip: boolean;
  fillMode: 'nearest';
}

/** The seed recipe: rotation 10°, shifts 0.15, shear 0.15°, zoom 0.1, no flip, nearest fill. */
export const DEFAULT_AUGMENT: Readonly<AugmentParams> = {
  rotationRange: 10,
  widthShiftRange: 0.15,
  heightShiftRange: 0.15,
  shearRange: 0.15,
  zoomRange: 0.1,
  horizontalFlip: false,
  fillMode: 'nearest',
};

/** One drawn transform, in Keras' units: degrees for theta and shear, pixels for tx (rows) and ty (columns). */
export interface TransformParams {
  theta: number;
  tx: number;
  ty: number;
  shear: number;
  zx: number;
  zy: number;
  flipHorizontal: boolean;
}

/** A 2x3 affine map from output (row, col) to source (row, col): `[a, b, c, d, e, f]` gives srcRow = a·row + b·col + c, srcCol = d·row + e·col + f. */
export type Affine = readonly [number, number, number, number, number, number];

/** Pixel arrays the sampler reads and writes, `[height, width, channels]` row-major. */
export type Pixels = Uint8Array | Uint8ClampedArray | Float32Array;

/** A human message saying what is wrong with `p`, or null when it is usable. */
export function validateAugmentParams(p: AugmentParams): string | null {
  const ok = (v: number, hi: number): boolean => Number.isFinite(v) && v >= 0 && v <= hi;
  if (!ok(p.rotationRange, 180)) return 'The rotation range must be 0 to 180 degrees.';
  if (!ok(p.widthShiftRange, 64) || !ok(p.heightShiftRange, 64)) {
    return 'A shift range must be a fraction below 1 or a number of pixels, at least 0.';
  }
  if (!ok(p.shearRange, 80)) return 'The shear range must be 0 to 80 degrees.';
  if (!ok(p.zoomRange, 0.9)) return 'The zoom range must be 0 to 0.9.';
  if (p.fillMode !== 'nearest') return 'Only fill mode "nearest" is supported.';
  return null;
}

/** Draws one transform for a `size` x `size` image, in Keras' order (theta, tx, ty, shear, zx, zy, flip). */
export function sampleTransformParams(p: AugmentParams, rng: Rng, size: number): TransformParams {
  const sym = (r: number): number => (r ? rng.range(-r, r) : 0);
  const theta = sym(p.rotationRange);
  const tx = sym(p.heightShiftRange) * (p.heightShiftRange < 1 ? size : 1);
  const ty = sym(p.widthShiftRange) * (p.widthShiftRange < 1 ? size : 1);
  const shear = sym(p.shearRange);
  const zx = p.zoomRange ? rng.range(1 - p.zoomRange, 1 + p.zoomRange) : 1;
  const zy = p.zoomRange ? rng.range(1 - p.zoomRange, 1 + p.zoomRange) : 1;
  const flipHorizontal = p.horizontalFlip ? rng.next() < 0.5 : false;
  return { theta, tx, ty, shear, zx, zy, flipHorizontal };
}

type M3 = [number, number, number, number, number, number, number, number, number];

function mul(a: M3, b: M3): M3 {
  const out = new Array<number>(9).fill(0) as M3;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
    }
  }
  return out;
}

/** The output→source matrix of `t` for a `size` x `size` image (flip folded in). */
export function buildAffine(t: TransformParams, size: number): Affine {
  const th = (t.theta * Math.PI) / 180;
  const sh = (t.shear * Math.PI) / 180;
  const rotation: M3 = [Math.cos(th), -Math.sin(th), 0, Math.sin(th), Math.cos(th), 0, 0, 0, 1];
  const shift: M3 = [1, 0, t.tx, 0, 1, t.ty, 0, 0, 1];
  const shear: M3 = [1, -Math.sin(sh), 0, 0, Math.cos(sh), 0, 0, 0, 1];
  const zoom: M3 = [t.zx, 0, 0, 0, t.zy, 0, 0, 0, 1];
  const o = (size - 1) / 2;
  const offset: M3 = [1, 0, o, 0, 1, o, 0, 0, 1];
  const reset: M3 = [1, 0, -o, 0, 1, -o, 0, 0, 1];
  let m = mul(mul(offset, mul(mul(mul(rotation, shift), shear), zoom)), reset);
  // Keras flips the transformed image; sampling column (w-1-c) of it is the same as this product.
  if (t.flipHorizontal) m = mul(m, [1, 0, 0, 0, -1, size - 1, 0, 0, 1]);
  return [m[0], m[1], m[2], m[3], m[4], m[5]];
}

/** A random Keras-style transform for a `size` x `size` image, as an output→source affine map. */
export function randomTransform(p: AugmentParams, rng: Rng, size: number): Affine {
  return buildAffine(sampleTransformParams(p, rng, size), size);
}

function like<T extends Pixels>(image: T, length: number): T {
  const Ctor = image.constructor as new (n: number) => T;
  return new Ctor(length);
}

/** Samples `[srcH, srcW, channels]` pixels through `m` into `[outH, outW, channels]`, clamping to the edge (fill 'nearest'). */
export function sampleAffine<T extends Pixels>(
  image: T,
  channels: number,
  srcH: number,
  srcW: number,
  outH: number,
  outW: number,
  m: Affine,
  interpolation: 'nearest' | 'bilinear',
): T {
  if (image.length !== srcH * srcW * channels) {
    throw new Error(
      `sampleAffine: expected ${srcH}x${srcW}x${channels} values, got ${image.length}`,
    );
  }
  const out = like(image, outH * outW * channels);
  const round = !(image instanceof Float32Array);
  const [a, b, c, d, e, f] = m;
  for (let r = 0; r < outH; r++) {
    for (let col = 0; col < outW; col++) {
      const sr = Math.min(srcH - 1, Math.max(0, a * r + b * col + c));
      const sc = Math.min(srcW - 1, Math.max(0, d * r + e * col + f));
      const o = (r * outW + col) * channels;
      if (interpolation === 'nearest') {
        const src = (Math.round(sr) * srcW + Math.round(sc)) * channels;
        for (let k = 0; k < channels; k++) out[o + k] = image[src + k];
        continue;
      }
      const r0 = Math.floor(sr);
      const c0 = Math.floor(sc);
      const r1 = Math.min(r0 + 1, srcH - 1);
      const c1 = Math.min(c0 + 1, srcW - 1);
      const fr = sr - r0;
      const fc = sc - c0;
      for (let k = 0; k < channels; k++) {
        const top =
          image[(r0 * srcW + c0) * channels + k] * (1 - fc) +
          image[(r0 * srcW + c1) * channels + k] * fc;
        const bottom =
          image[(r1 * srcW + c0) * channels + k] * (1 - fc) +
          image[(r1 * srcW + c1) * channels + k] * fc;
        const v = top * (1 - fr) + bottom * fr;
        out[o + k] = round ? Math.round(v) : v;
      }
    }
  }
  return out;
}

/** Applies `m` to a `[size, size, channels]` image with fill 'nearest'. */
export function applyTransform<T extends Pixels>(
  image: T,
  channels: number,
  size: number,
  m: Affine,
  interpolation: 'nearest' | 'bilinear',
): T {
  return sampleAffine(image, channels, size, size, size, size, m, interpolation);
}

/** Moves an image `[size, size, channels]` (bilinear) and its label mask `[size, size]` (nearest, so labels stay labels) by the same matrix. */
export function augmentPair<T extends Pixels, M extends Pixels>(
  image: T,
  channels: number,
  mask: M,
  size: number,
  m: Affine,
): { image: T; mask: M } {
  return {
    image: applyTransform(image, channels, size, m, 'bilinear'),
    mask: applyTransform(mask, 1, size, m, 'nearest'),
  };
}

/** Resizes `[srcH, srcW, channels]` to `[size, size, channels]`, pixel centres aligned (nearest for masks). */
export function resizeImage<T extends Pixels>(
  image: T,
  channels: number,
  srcH: number,
  srcW: number,
  size: number,
  interpolation: 'nearest' | 'bilinear',
): T {
  const sy = srcH / size;
  const sx = srcW / size;
  const m: Affine = [sy, 0, (sy - 1) / 2, 0, sx, (sx - 1) / 2];
  return sampleAffine(image, channels, srcH, srcW, size, size, m, interpolation);
}
