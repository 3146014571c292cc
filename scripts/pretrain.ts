// Makes the app's starter models, seeded and resumable, on the app's own model and session code:
//   npm run pretrain -- text --data path/to/nietzsche.txt [--steps N] [--lr-drop-step N] [--resume scripts/pretrain/resume/text.zip]
//   npm run pretrain -- faces [--steps N] [--set '{"width":"standard"}'] [--grid docs/gan-starter-samples.png] [--resume …]
//   npm run pretrain -- segmentation [--steps N] [--resume …] [--clean-from N]
// Common options: --seed 1, --out public/starters/<model>, --save-every 500, --max-minutes M, --backend cpu.
import { installKernels } from '../src/models/kernels';
import { parseArgs, useBackend } from './pretrain/common';
import { FACES_DEFAULT_STEPS, pretrainFaces } from './pretrain/faces';
import { pretrainSegmentation, SEGMENTATION_DEFAULT_STEPS } from './pretrain/segmentation';
import { pretrainText, TEXT_DEFAULT_STEPS } from './pretrain/text';

const model = process.argv[2];
const defaults: Record<string, number> = {
  text: TEXT_DEFAULT_STEPS,
  faces: FACES_DEFAULT_STEPS,
  segmentation: SEGMENTATION_DEFAULT_STEPS,
};
if (!(model in defaults)) {
  console.error(`usage: npm run pretrain -- ${Object.keys(defaults).join('|')} [options]`);
  process.exit(2);
}
const args = parseArgs(process.argv.slice(3), model, defaults[model]);
const backend = await useBackend(args.backend);
// Without our conv kernels a GAN step on cpu takes over a minute.
installKernels();
if (model === 'text') await pretrainText(args, backend);
if (model === 'faces') await pretrainFaces(args, backend, JSON.parse(args.set ?? '{}'));
if (model === 'segmentation') await pretrainSegmentation(args, backend);
process.exit(0);
