// Writes two figures for the segmenter:
//   docs/seg-parts-overlay.png      held-out faces: image | true parts | predicted parts (overlaid),
//                                   after the bench's quality budget in parts mode on cpu
//   docs/augmentation-preview.png   one face and its part mask under 8 random default augmentations
// Usage: node --import tsx scripts/seg-figures.ts   (SEG_FIG_STEPS overrides the budget's steps, without
// its learning-rate drop; SEG_FIG_STEPS=0 writes only the augmentation preview)
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { partsOverlayFigure, PART_COLORS } from '../bench/seg-overlay';
import { QUALITY_BUDGET, trainBuiltIn } from '../bench/segmenter';
import { DEFAULT_AUGMENT, augmentPair, randomTransform } from '../src/data/augment';
import { FACE_PARTS, renderFace } from '../src/data/faces';
import { encodePng, gridImage, upscale } from '../src/data/png';
import { installKernels } from '../src/models/kernels';
import { Rng } from '../src/shared/rng';

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

  // Parts overlay after training (the bench writes the same figure with SEG_BENCH_OVERLAY=path).
  if (process.env.SEG_FIG_STEPS === '0') return;
  await tf.setBackend('cpu');
  installKernels();
  const steps = Number(process.env.SEG_FIG_STEPS ?? QUALITY_BUDGET.parts.steps);
  const { batchSize, augment } = QUALITY_BUDGET;
  const lrDropStep = process.env.SEG_FIG_STEPS ? 0 : QUALITY_BUDGET.parts.lrDropStep;
  const t0 = performance.now();
  const run = await trainBuiltIn('parts', steps, { batchSize, augment, lrDropStep });
  const seconds = (performance.now() - t0) / 1000;
  write('docs/seg-parts-overlay.png', partsOverlayFigure(run));
  console.log(
    `parts mode, cpu backend: ${steps} steps of batch ${run.batchSize} in ${seconds.toFixed(0)} s; held-out mean IoU ${run.metrics.meanIou.toFixed(3)}, pixel accuracy ${run.metrics.pixelAccuracy.toFixed(3)}; per class ${FACE_PARTS.map((p, i) => `${p} ${run.metrics.iou[i].toFixed(2)}`).join(', ')}`,
  );
  run.model.dispose();
}

await main();
