// Writes two figures for the segmenter:
//   docs/seg-parts-overlay.png      held-out faces: image | true parts | predicted parts (overlaid),
//                                   after the bench's quality budget in parts mode on cpu
//   docs/augmentation-preview.png   one face and its part mask under 8 random default augmentations
// Usage: node --import tsx scripts/seg-figures.ts   (SEG_FIG_STEPS overrides the budget's steps)
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { QUALITY_BUDGET, trainBuiltIn } from '../bench/segmenter';
import { DEFAULT_AUGMENT, augmentPair, randomTransform } from '../src/data/augment';
import { FACE_PARTS, renderFace } from '../src/data/faces';
import { encodePng, gridImage, upscale } from '../src/data/png';
import { Rng } from '../src/shared/rng';

// One colour per FACE_PARTS entry (the same as scripts/contact-sheet.ts).
const PART_COLORS: [number, number, number][] = [
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

function colours(labels: ArrayLike<number>): Uint8ClampedArray {
  const out = new Uint8ClampedArray(labels.length * 3);
  for (let i = 0; i < labels.length; i++) out.set(PART_COLORS[labels[i]], i * 3);
  return out;
}

function write(
  path: string,
  img: { data: Uint8ClampedArray; width: number; height: number },
): void {
  writeFileSync(path, encodePng(img.data, img.width, img.height, 3));
  console.log(`wrote ${path} (${img.width}x${img.height})`);
}

async function main(): Promise<void> {
  mkdirSync('docs', { recursive: true });
  const size = 64;

  // Augmentation preview: the original, then 8 augmentations; images on top, masks below.
  const face = renderFace(2_000_000_123, size);
  const rng = new Rng(42);
  const images: Uint8ClampedArray[] = [face.image];
  const masks: Uint8ClampedArray[] = [colours(face.labels)];
  for (let k = 0; k < 8; k++) {
    const m = randomTransform(DEFAULT_AUGMENT, rng, size);
    const pair = augmentPair(face.image, 3, face.labels, size, m);
    images.push(pair.image);
    masks.push(colours(pair.mask));
  }
  write('docs/augmentation-preview.png', upscale(gridImage([...images, ...masks], size, 9), 3));

  // Parts overlay after training.
  await tf.setBackend('cpu');
  const steps = Number(process.env.SEG_FIG_STEPS ?? QUALITY_BUDGET.steps.parts);
  const { batchSize, augment } = QUALITY_BUDGET;
  const t0 = performance.now();
  const run = await trainBuiltIn('parts', steps, { batchSize, augment });
  const seconds = (performance.now() - t0) / 1000;
  const tiles: Uint8ClampedArray[] = [];
  const n = size * size;
  for (let f = 0; f < 8; f++) {
    const img = Uint8ClampedArray.from(
      run.heldOut.images.subarray(f * n * 3, (f + 1) * n * 3),
      (v) => v * 255,
    );
    tiles.push(img);
    tiles.push(overlay(img, run.heldOut.labels.subarray(f * n, (f + 1) * n), 0.6));
    tiles.push(overlay(img, run.metrics.predicted.subarray(f * n, (f + 1) * n), 0.6));
  }
  write('docs/seg-parts-overlay.png', upscale(gridImage(tiles, size, 6), 3));
  console.log(
    `parts mode, cpu backend: ${steps} steps of batch ${run.batchSize} in ${seconds.toFixed(0)} s; held-out mean IoU ${run.metrics.meanIou.toFixed(3)}, pixel accuracy ${run.metrics.pixelAccuracy.toFixed(3)}; per class ${FACE_PARTS.map((p, i) => `${p} ${run.metrics.iou[i].toFixed(2)}`).join(', ')}`,
  );
  run.model.dispose();
}

await main();
