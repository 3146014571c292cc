// Trains the default DCGAN on the built-in faces in Node and writes the 8x8 sample grid of a fixed
// set of latent vectors as a PNG, for a person to look at.
// Usage: node --import tsx scripts/train-gan.ts [steps=300] [backend=cpu] [out=docs/gan-samples.png] [scale=3]
// GAN_CONFIG='{"learningRate":2e-4}' overrides fields of the default config.
import * as tf from '@tensorflow/tfjs';
import { trainGan, writeSampleGrid } from '../bench/gan';
import { createGanConfig } from '../src/models/gan';
import type { GanConfig } from '../src/models/gan';

const [stepsArg, backendArg, outArg, scaleArg] = process.argv.slice(2);
const steps = Number(stepsArg ?? 300);
const backend = backendArg ?? 'cpu';
const out = outArg ?? 'docs/gan-samples.png';
const scale = Number(scaleArg ?? 3);
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
  await writeSampleGrid(run.g, out, scale);
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
