// The seed lecture's sampler and a batched text generator over the char-LSTM.
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../shared/rng';
import { predictProbs } from './char-lstm-fast';

/**
 * Exactly the Keras example's `sample(preds, temperature)`: log(p) / T, softmax, one multinomial
 * draw. A vanishing temperature gives the argmax.
 */
export function sampleIndex(probs: ArrayLike<number>, temperature: number, rng: Rng): number {
  const n = probs.length;
  const logits = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    // log(0) would be -Infinity; a floor keeps the softmax finite and that entry at ~0 probability.
    logits[i] = Math.log(Math.max(probs[i], 1e-30)) / temperature;
    if (logits[i] > max) max = logits[i];
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    logits[i] = Math.exp(logits[i] - max);
    sum += logits[i];
  }
  let r = rng.next() * sum;
  for (let i = 0; i < n; i++) {
    r -= logits[i];
    if (r < 0) return i;
  }
  return n - 1;
}

/**
 * Generates `length` characters after `seedText` at every temperature at once (one batch row per
 * temperature), feeding the last `maxLen` characters each time as the Keras example does; calls
 * `onChunk` with the texts so far every 20 characters and stops early when `shouldStop()` is true.
 */
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
  const maxLen = (model.inputs[0].shape[1] as number) ?? 40;
  const index = new Map(vocab.map((c, i) => [c, i]));
  const seedIds = [...seedText].map((c) => index.get(c) ?? 0);
  // A seed shorter than the window is left-padded with its first character.
  while (seedIds.length < maxLen) seedIds.unshift(seedIds[0] ?? 0);
  const n = temperatures.length;
  const windows = temperatures.map(() => seedIds.slice(-maxLen));
  const texts = temperatures.map(() => '');
  const contexts = new Int32Array(n * maxLen);
  for (let k = 0; k < length; k++) {
    if (shouldStop?.()) break;
    windows.forEach((w, i) => contexts.set(w, i * maxLen));
    const probs = predictProbs(model, contexts, n);
    const values = await probs.data();
    probs.dispose();
    for (let i = 0; i < n; i++) {
      const row = values.subarray(i * vocab.length, (i + 1) * vocab.length);
      const next = sampleIndex(row, temperatures[i], rng);
      texts[i] += vocab[next];
      windows[i].shift();
      windows[i].push(next);
    }
    if ((k + 1) % 20 === 0) onChunk?.([...texts]);
  }
  onChunk?.([...texts]);
  return texts;
}
