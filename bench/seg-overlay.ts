// The held-out parts figure of the segmenter: image | true parts | predicted parts, each overlaid.
import { gridImage, upscale } from '../src/data/png';
import type { SegRun } from './segmenter';

// One colour per FACE_PARTS entry (the same as scripts/contact-sheet.ts).
export const PART_COLORS: [number, number, number][] = [
  [30, 30, 40],
  [240, 190, 150],
  [120, 70, 30],
  [40, 120, 255],
  [255, 230, 0],
  [0, 200, 120],
  [230, 30, 60],
  [200, 0, 220],
];

/** The image with non-background labels painted over it at `alpha`. */
function overlay(
  image: ArrayLike<number>,
  labels: ArrayLike<number>,
  alpha: number,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(labels.length * 3);
  for (let i = 0; i < labels.length; i++) {
    const c = PART_COLORS[labels[i]];
    const a = labels[i] === 0 ? 0 : alpha;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = (1 - a) * image[i * 3 + k] + a * c[k];
  }
  return out;
}

/** Eight held-out faces of `run` in rows of two (image, truth overlay, prediction overlay), upscaled 3x. */
export function partsOverlayFigure(run: Pick<SegRun, 'heldOut' | 'metrics'>): {
  data: Uint8ClampedArray;
  width: number;
  height: number;
} {
  const { size } = run.heldOut;
  const n = size * size;
  const tiles: Uint8ClampedArray[] = [];
  for (let f = 0; f < 8; f++) {
    const img = Uint8ClampedArray.from(
      run.heldOut.images.subarray(f * n * 3, (f + 1) * n * 3),
      (v) => v * 255,
    );
    tiles.push(img);
    tiles.push(overlay(img, run.heldOut.labels.subarray(f * n, (f + 1) * n), 0.6));
    tiles.push(overlay(img, run.metrics.predicted.subarray(f * n, (f + 1) * n), 0.6));
  }
  return upscale(gridImage(tiles, size, 6), 3);
}
