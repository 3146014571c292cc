// The Keras example's sampler and its generation loop: every temperature advances together as one
// batch, each step re-reads the last `maxLen` characters, as the example does.
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../shared/rng';
import { predictProbs } from './fast';

/** How many characters are generated between two `onChunk` calls. */
export const CHUNK_CHARS = 20;

/** Keras' `sample(preds, temperature)`: log(p)/T, softmax, one multinomial draw; T→0 is argmax. */
export function sampleIndex(probs: ArrayLike<number>, temperature: number, rng: Rng): number {
  const n = probs.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (probs[i] > probs[best]) best = i;
  if (!(temperature > 0) || !(probs[best] > 0)) return best;
  // In float64 like numpy; shifting by the max log-probability keeps exp() finite for tiny T.
  const top = Math.log(probs[best]) / temperature;
  const weights = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = probs[i];
    weights[i] = p > 0 ? Math.exp(Math.log(p) / temperature - top) : 0;
    total += weights[i];
  }
  let u = rng.next() * total;
  for (let i = 0; i < n; i++) {
    u -= weights[i];
    if (u < 0 && weights[i] > 0) return i;
  }
  return best;
}

/** Generates `length` characters after `seedText` for every temperature at once (one batch row each), calling `onChunk` every 20 characters and at the end; one text per temperature. */
export async function generateText(
  model: tf.LayersModel,
  vocab: readonly string[],
  seedText: string,
  length: number,
  temperatures: number[],
  rng: Rng,
  onChunk?: (texts: string[]) => void,
  shouldStop?: () => boolean,
): Promise<string[]> {
  const maxLen = model.inputs[0].shape[1];
  if (typeof maxLen !== 'number') throw new Error('the model has no fixed window length');
  const index = new Map(vocab.map((c, i) => [c, i] as const));
  const pad = index.get(' ') ?? 0;
  const seed = Array.from(seedText)
    .slice(-maxLen)
    .map((c) => {
      const i = index.get(c);
      if (i === undefined)
        throw new Error(`The seed character ${JSON.stringify(c)} is not in the vocabulary.`);
      return i;
    });
  // A seed shorter than a window is left-padded like a text that starts with spaces.
  const window = [...new Array<number>(maxLen - seed.length).fill(pad), ...seed];
  const n = temperatures.length;
  if (n === 0) return [];
  const contexts = new Int32Array(n * maxLen);
  for (let k = 0; k < n; k++) contexts.set(window, k * maxLen);
  const texts = temperatures.map(() => '');
  for (let step = 0; step < length && !shouldStop?.(); step++) {
    const probs = predictProbs(model, contexts, n);
    const values = await probs.data();
    probs.dispose();
    const vocabSize = values.length / n;
    for (let k = 0; k < n; k++) {
      const row = (values as Float32Array).subarray(k * vocabSize, (k + 1) * vocabSize);
      const next = sampleIndex(row, temperatures[k], rng);
      texts[k] += vocab[next];
      contexts.copyWithin(k * maxLen, k * maxLen + 1, (k + 1) * maxLen);
      contexts[(k + 1) * maxLen - 1] = next;
    }
    if (onChunk && (step + 1) % CHUNK_CHARS === 0) onChunk([...texts]);
  }
  // A last call with the final texts, also after an early stop.
  onChunk?.([...texts]);
  return texts;
}
