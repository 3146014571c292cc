import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUGMENT,
  applyTransform,
  augmentPair,
  buildAffine,
  randomTransform,
  resizeImage,
  sampleTransformParams,
  validateAugmentParams,
} from '../../src/data/augment';
import type { AugmentParams, TransformParams } from '../../src/data/augment';
import { Rng } from '../../src/shared/rng';

const SIZE = 64;
const C = (SIZE - 1) / 2;
const NONE: TransformParams = {
  theta: 0,
  tx: 0,
  ty: 0,
  shear: 0,
  zx: 1,
  zy: 1,
  flipHorizontal: false,
};

/** A grey image with one bright 3x3 blob centred on (row, col). */
function blob(row: number, col: number): Float32Array {
  const img = new Float32Array(SIZE * SIZE);
  for (let r = row - 1; r <= row + 1; r++)
    for (let c = col - 1; c <= col + 1; c++) img[r * SIZE + c] = 1;
  return img;
}

/** Centroid (row, col) of the bright pixels. */
function centroid(img: Float32Array): [number, number] {
  let n = 0;
  let r = 0;
  let c = 0;
  img.forEach((v, i) => {
    n += v;
    r += v * Math.floor(i / SIZE);
    c += v * (i % SIZE);
  });
  return [r / n, c / n];
}

function moved(t: Partial<TransformParams>, row: number, col: number): [number, number] {
  return centroid(
    applyTransform(blob(row, col), 1, SIZE, buildAffine({ ...NONE, ...t }, SIZE), 'bilinear'),
  );
}

describe('augmentation', () => {
  it('moves image and mask together: the mask stays the threshold of the image over 100 transforms', () => {
    const rng = new Rng(11);
    // A smooth RGB image (so thresholds make regions) and its mask = red > 128.
    const image = new Uint8Array(SIZE * SIZE * 3);
    for (let r = 0; r < SIZE; r++) {
      for (let c = 0; c < SIZE; c++) {
        const i = (r * SIZE + c) * 3;
        image[i] = Math.round(127.5 + 127.5 * Math.sin(r / 7) * Math.cos(c / 5));
        image[i + 1] = (r * 4) & 255;
        image[i + 2] = (c * 4) & 255;
      }
    }
    const threshold = (img: Uint8Array): Uint8Array => {
      const m = new Uint8Array(SIZE * SIZE);
      for (let i = 0; i < m.length; i++) m[i] = img[i * 3] > 128 ? 1 : 0;
      return m;
    };
    const mask = threshold(image);
    const strong: AugmentParams = {
      ...DEFAULT_AUGMENT,
      rotationRange: 45,
      widthShiftRange: 0.2,
      heightShiftRange: 0.2,
      shearRange: 20,
      zoomRange: 0.3,
      horizontalFlip: true,
    };
    let mismatches = 0;
    let changed = 0;
    for (let k = 0; k < 100; k++) {
      const m = randomTransform(strong, rng, SIZE);
      const nearest = applyTransform(image, 3, SIZE, m, 'nearest');
      const pair = augmentPair(image, 3, mask, SIZE, m);
      const expected = threshold(nearest);
      for (let i = 0; i < expected.length; i++) if (pair.mask[i] !== expected[i]) mismatches++;
      if (pair.mask.some((v, i) => v !== mask[i])) changed++;
    }
    expect(mismatches).toBe(0);
    // The transforms really move things (else the check above would be vacuous).
    expect(changed).toBe(100);
  });

  it('rotates by the stated degrees about the centre (positive = clockwise on screen, Keras scipy path)', () => {
    // A blob right of the centre, on its row (offset -0.5 because the centre is at 31.5).
    const [r, c] = moved({ theta: 10 }, 31, 52);
    const th = (10 * Math.PI) / 180;
    const [dr, dc] = [31 - C, 52 - C];
    expect(r).toBeCloseTo(C + dr * Math.cos(th) + dc * Math.sin(th), 0);
    expect(c).toBeCloseTo(C - dr * Math.sin(th) + dc * Math.cos(th), 0);
    const turned = Math.atan2(r - C, c - C) - Math.atan2(dr, dc);
    expect(Math.abs((turned * 180) / Math.PI - 10)).toBeLessThan(1);
    // The drawn angles fill [-10, 10] degrees and never leave it.
    const rng = new Rng(3);
    const thetas = Array.from(
      { length: 400 },
      () => sampleTransformParams(DEFAULT_AUGMENT, rng, SIZE).theta,
    );
    expect(Math.max(...thetas.map(Math.abs))).toBeLessThanOrEqual(10);
    expect(Math.max(...thetas)).toBeGreaterThan(9.5);
    expect(Math.min(...thetas)).toBeLessThan(-9.5);
  });

  it('shifts by the stated fraction of width and height (content moves by -tx rows, -ty columns)', () => {
    const rng = new Rng(4);
    const draws = Array.from({ length: 400 }, () =>
      sampleTransformParams(DEFAULT_AUGMENT, rng, SIZE),
    );
    const maxTy = Math.max(...draws.map((d) => Math.abs(d.ty)));
    const maxTx = Math.max(...draws.map((d) => Math.abs(d.tx)));
    expect(maxTy).toBeLessThanOrEqual(0.15 * SIZE);
    expect(maxTy).toBeGreaterThan(0.14 * SIZE);
    expect(maxTx).toBeLessThanOrEqual(0.15 * SIZE);
    expect(maxTx).toBeGreaterThan(0.14 * SIZE);
    const [r1, c1] = moved({ ty: 0.15 * SIZE }, 30, 30);
    expect(r1).toBeCloseTo(30, 5);
    expect(c1).toBeCloseTo(30 - 9.6, 5);
    const [r2, c2] = moved({ tx: -0.15 * SIZE }, 30, 30);
    expect(r2).toBeCloseTo(30 + 9.6, 5);
    expect(c2).toBeCloseTo(30, 5);
  });

  it('shears by the stated angle in degrees: source = [[1, -sin s], [0, cos s]] · output', () => {
    const s = (20 * Math.PI) / 180;
    // output = inverse(shear) · source = [[1, tan s], [0, 1 / cos s]] · source, about the centre.
    const [dr, dc] = [31 - C, 51 - C];
    const [r, c] = moved({ shear: 20 }, 31, 51);
    expect(r).toBeCloseTo(C + dr + dc * Math.tan(s), 0);
    expect(c).toBeCloseTo(C + dc / Math.cos(s), 0);
    // Points on the centre column move only by the half-pixel offset of the centre.
    const [r0, c0] = moved({ shear: 20 }, 12, 31);
    expect(r0).toBeCloseTo(12 - 0.5 * Math.tan(s), 0);
    expect(c0).toBeCloseTo(C - 0.5 / Math.cos(s), 0);
  });

  it('zooms by factors in [1 - z, 1 + z] per axis; a factor above 1 shrinks the content', () => {
    const [r, c] = moved({ zx: 1.1, zy: 1.1 }, 31, 53);
    expect(c).toBeCloseTo(C + (53 - C) / 1.1, 0);
    expect(r).toBeCloseTo(C + (31 - C) / 1.1, 0);
    const [r2, c2] = moved({ zx: 0.9, zy: 1 }, 49, 20);
    expect(r2).toBeCloseTo(C + (49 - C) / 0.9, 0);
    expect(c2).toBeCloseTo(20, 5);
    const rng = new Rng(5);
    const z = Array.from({ length: 400 }, () =>
      sampleTransformParams(DEFAULT_AUGMENT, rng, SIZE),
    ).flatMap((d) => [d.zx, d.zy]);
    expect(Math.min(...z)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...z)).toBeLessThanOrEqual(1.1);
    expect(Math.min(...z)).toBeLessThan(0.91);
    expect(Math.max(...z)).toBeGreaterThan(1.09);
  });

  it('flips horizontally after the affine part, half of the time when enabled', () => {
    const [r, c] = moved({ flipHorizontal: true }, 10, 5);
    expect(r).toBeCloseTo(10, 5);
    expect(c).toBeCloseTo(SIZE - 1 - 5, 5);
    const rng = new Rng(6);
    const flips = Array.from({ length: 400 }, () =>
      sampleTransformParams({ ...DEFAULT_AUGMENT, horizontalFlip: true }, rng, SIZE),
    ).filter((d) => d.flipHorizontal).length;
    expect(flips).toBeGreaterThan(160);
    expect(flips).toBeLessThan(240);
    expect(sampleTransformParams(DEFAULT_AUGMENT, rng, SIZE).flipHorizontal).toBe(false);
  });

  it("fills with the nearest edge pixel ('nearest')", () => {
    const img = new Float32Array(SIZE * SIZE);
    for (let r = 0; r < SIZE; r++) img[r * SIZE + SIZE - 1] = 1; // right edge column lit
    const out = applyTransform(img, 1, SIZE, buildAffine({ ...NONE, ty: 10 }, SIZE), 'nearest');
    // Content moves left by 10: columns 53..63 now all sample the last source column.
    for (let c = SIZE - 10; c < SIZE; c++) expect(out[5 * SIZE + c]).toBe(1);
    expect(out[5 * SIZE + SIZE - 12]).toBe(0);
  });

  it("matches Keras' matrix applied by scipy.ndimage.affine_transform (order 1, mode 'nearest')", () => {
    // Reference from scipy 1.17 with keras-preprocessing's composition R · T · S · Z about the
    // centre ((h-1)/2, (w-1)/2), for theta 17°, tx 1.3, ty -0.8, shear 9°, zx 1.07, zy 0.94.
    const S = 8;
    const image = Float32Array.from({ length: S * S }, (_, i) => (i * 7) % 31);
    const t = { theta: 17, tx: 1.3, ty: -0.8, shear: 9, zx: 1.07, zy: 0.94, flipHorizontal: false };
    const scipy = [
      13.972, 16.445, 24.187, 9.078, 9.96, 18.346, 24.131, 4.549, 7.833, 11.851, 20.237, 18.039,
      7.625, 14.396, 22.783, 21.668, 1.693, 7.901, 16.287, 22.238, 8.883, 10.447, 18.833, 27.219,
      23.659, 6.311, 12.338, 20.724, 20.363, 6.497, 14.884, 23.27, 21.942, 13.525, 8.388, 16.775,
      25.161, 14.996, 10.934, 19.321, 24.391, 15.669, 5.219, 12.825, 21.212, 26.796, 11.518, 15.371,
      26.581, 8.161, 7.409, 13.323, 19.237, 20.551, 3.035, 11.421, 20.929, 3.685, 9.599, 15.513,
      21.427, 12.545, 2.255, 7.0,
    ];
    const got = applyTransform(image, 1, S, buildAffine(t, S), 'bilinear');
    got.forEach((v, i) => expect(v).toBeCloseTo(scipy[i], 2));
  });

  it('is the identity without augmentation, keeps dtypes, resizes with aligned centres, validates', () => {
    const img = Uint8Array.from({ length: SIZE * SIZE }, (_, i) => i % 251);
    expect(applyTransform(img, 1, SIZE, buildAffine(NONE, SIZE), 'bilinear')).toEqual(img);
    const small = resizeImage(Uint8Array.from([0, 100, 200, 250]), 1, 2, 2, 4, 'nearest');
    expect(Array.from(small)).toEqual([
      0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 250, 250, 200, 200, 250, 250,
    ]);
    expect(validateAugmentParams(DEFAULT_AUGMENT)).toBeNull();
    expect(validateAugmentParams({ ...DEFAULT_AUGMENT, zoomRange: 2 })).toMatch(/zoom/);
  });
});
