// One seeded GAN recipe experiment: trains `--steps` steps of the default config with `--set`
// overrides (JSON) and prints the face metric (faceFd, precision, recall, worst attribute TV) of the
// generator and, with --ema D, of its weight average, every `--eval-every` steps; optionally writes
// the final grid. Used to choose the recipe; the bench reports the chosen one.
//   node --import tsx scripts/gan-experiment.ts --seed 1 --steps 1500 --eval-every 500 --set '{"upsample":"nearest"}' [--ema 0.999] [--grid out.png]
import * as tf from '@tensorflow/tfjs';
import { trainGan, writeSampleGrid } from '../bench/gan';
import { faceSuite } from '../bench/gan-quality';
import { createGanConfig, type GanConfig } from '../src/models/gan/model';
import { scoreFaces } from '../src/models/gan/face-metric';
import { embedGenerator } from '../src/models/gan/face-suite';
import { createGeneratorEma, type GeneratorEma } from '../src/models/gan/train';
import { installKernels } from '../src/models/kernels';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
await tf.setBackend('cpu');
installKernels();
const cfg = createGanConfig(JSON.parse(arg('set', '{}')) as Partial<GanConfig>);
const [seed, steps, every] = ['seed', 'steps', 'eval-every'].map((k) =>
  Number(arg(k, { seed: '1', steps: '1500', 'eval-every': '500' }[k] as string)),
);
const emaDecay = Number(arg('ema', '0'));
const suite = await faceSuite(cfg.imageSize);
let ema: GeneratorEma | null = null;
const report = async (label: string, g: tf.LayersModel, step: number, seconds: number) => {
  const s = scoreFaces(suite.real, await embedGenerator(g, suite, label.endsWith('batch')));
  console.log(
    JSON.stringify({
      label,
      set: arg('set', '{}'),
      seed,
      step,
      faceFd: +s.faceFd.toFixed(2),
      precision: s.precision,
      recall: s.recall,
      attributeTvMax: s.attributeTvMax,
      msPerStep: Math.round((1000 * seconds) / step),
    }),
  );
};
const run = await trainGan(
  cfg,
  steps,
  async (step, seconds, _t, g) => {
    if (emaDecay > 0) {
      ema ??= createGeneratorEma(g, cfg, emaDecay);
      ema.update(step);
    }
    if (step % every === 0) {
      await report('g', g, step, seconds);
      if (ema) {
        await report('ema', ema.model, step, seconds);
        await report('ema-batch', ema.model, step, seconds);
      }
    }
  },
  seed,
);
const grid = arg('grid', '');
if (grid) await writeSampleGrid((ema as GeneratorEma | null)?.model ?? run.g, grid);
process.exit(0);
