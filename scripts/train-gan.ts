// Trains the default DCGAN on the built-in faces in Node and writes the 8x8 sample grid of a fixed
// set of latent vectors as a PNG, for a person to look at.
// Usage: node --import tsx scripts/train-gan.ts [steps=300] [backend=cpu] [out=docs/gan-samples.png] [scale=3]
// GAN_CONFIG='{"learningRate":2e-4}' overrides fields of the default config.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { trainGan } from '../bench/gan';
import { encodePng, gridImage } from '../src/data/png';
import { createGanConfig, imagesToRgb, sampleImages, sampleLatents } from '../src/models/gan';
import type { GanConfig } from '../src/models/gan';

const [stepsArg, backendArg, outArg, scaleArg] = process.argv.slice(2);
const steps = Number(stepsArg ?? 300);
const backend = backendArg ?? 'cpu';
const out = outArg ?? 'docs/gan-samples.png';
const scale = Number(scaleArg ?? 3);
// The fixed latents of the grid: the same seed the app uses for its progress grid.
const GRID_SEED = 42;

function upscale(img: { data: Uint8ClampedArray; width: number; height: number }, k: number) {
  const width = img.width * k;
  const height = img.height * k;
  const data = new Uint8ClampedArray(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (Math.floor(y / k) * img.width + Math.floor(x / k)) * 3;
      data.set(img.data.subarray(src, src + 3), (y * width + x) * 3);
    }
  }
  return { data, width, height };
}

async function main(): Promise<void> {
  if (backend === 'webgpu') await import('../tests/setup/tf.ts');
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available`);
  await tf.ready();
  const cfg = createGanConfig(JSON.parse(process.env.GAN_CONFIG ?? '{}') as Partial<GanConfig>);
  console.error(`training ${JSON.stringify(cfg)} for ${steps} steps on ${backend}`);
  const t0 = performance.now();
  const run = await trainGan(cfg, steps, async (s, seconds) => {
    if (s % 25 !== 0 && s !== steps) return;
    console.error(
      `step ${s}: ${seconds.toFixed(0)} s training, ${((s * cfg.batchSize) / seconds).toFixed(1)} examples/s`,
    );
  });
  const z = sampleLatents(64, cfg.latentDim, GRID_SEED);
  const images = sampleImages(run.g, z);
  const grid = upscale(gridImage(await imagesToRgb(images), cfg.imageSize, 8), scale);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodePng(grid.data, grid.width, grid.height, 3));
  tf.dispose([z, images]);
  const summary = {
    steps,
    backend,
    trainingSeconds: +run.seconds.toFixed(1),
    wallSeconds: +((performance.now() - t0) / 1000).toFixed(1),
    out,
    config: cfg,
  };
  console.log(JSON.stringify(summary));
}

try {
  await main();
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
