import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCharLstm, createCharLstmConfig } from '../../src/models/char-lstm/model';
import { generateText, sampleIndex } from '../../src/models/char-lstm/sampler';
import { Rng } from '../../src/shared/rng';
import { useBackend } from '../helpers/backends';

function chiSquare(probs: number[], temperature: number, draws: number, seed: number): number {
  const rng = new Rng(seed);
  const counts = new Array<number>(probs.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleIndex(probs, temperature, rng)]++;
  const weights = probs.map((p) => p ** (1 / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  return counts.reduce((chi, c, i) => {
    const expected = (draws * weights[i]) / total;
    return chi + (c - expected) ** 2 / expected;
  }, 0);
}

// chi-square critical value for 5 degrees of freedom at p = 0.001.
const CHI2_DF5_P001 = 20.515;

describe('sampleIndex', () => {
  const probs = [0.05, 0.1, 0.15, 0.2, 0.22, 0.28];

  it('is argmax as T goes to 0', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 50; trial++) {
      const p = Array.from({ length: 30 }, () => rng.next());
      const argmax = p.indexOf(Math.max(...p));
      expect(sampleIndex(p, 1e-6, rng)).toBe(argmax);
      expect(sampleIndex(Float32Array.from(p), 0, rng)).toBe(argmax);
    }
  });

  it('draws with the given probabilities at T = 1 (chi-square over 10,000 draws)', () => {
    const chi = chiSquare(probs, 1, 10_000, 7);
    console.log(`chi-square at T=1: ${chi.toFixed(2)} (critical ${CHI2_DF5_P001}, 5 df)`);
    expect(chi).toBeLessThan(CHI2_DF5_P001);
  });

  it('sharpens by p^(1/T) at T = 0.5, and the test tells the difference', () => {
    expect(chiSquare(probs, 0.5, 10_000, 8)).toBeLessThan(CHI2_DF5_P001);
    // Counts drawn at T = 0.5 do not pass as T = 1 draws.
    const rng = new Rng(9);
    const counts = new Array<number>(probs.length).fill(0);
    for (let i = 0; i < 10_000; i++) counts[sampleIndex(probs, 0.5, rng)]++;
    const chiWrong = counts.reduce(
      (c, n, i) => c + (n - 10_000 * probs[i]) ** 2 / (10_000 * probs[i]),
      0,
    );
    expect(chiWrong).toBeGreaterThan(CHI2_DF5_P001);
  });

  it('never picks a zero-probability character, even at high temperature', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 2000; i++) expect(sampleIndex([0, 0.5, 0, 0.5], 5, rng)).not.toBe(0);
  });
});

describe('generateText', () => {
  let model: tf.LayersModel;
  const vocab = [' ', 'a', 'b', 'c', 'd'];

  beforeAll(async () => {
    await useBackend('cpu');
    model = buildCharLstm(createCharLstmConfig(vocab.length, { maxLen: 6, units: 8 }), 3);
  });
  afterAll(() => model.dispose());

  it('streams chunks of 20 characters for all temperatures together', async () => {
    const chunks: string[][] = [];
    const before = tf.memory().numTensors;
    const texts = await generateText(model, vocab, 'abcd', 45, [0.2, 1, 1.2], new Rng(1), (t) =>
      chunks.push(t),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(texts).toHaveLength(3);
    expect(texts.map((t) => t.length)).toEqual([45, 45, 45]);
    expect(texts.join('')).toMatch(/^[ abcd]+$/);
    expect(chunks.map((c) => c[0].length)).toEqual([20, 40, 45]);
    expect(chunks[2]).toEqual(texts);
    // Same seed and rng seed: the same text.
    expect(await generateText(model, vocab, 'abcd', 45, [0.2, 1, 1.2], new Rng(1))).toEqual(texts);
  });

  it('stops early when asked', async () => {
    let calls = 0;
    const texts = await generateText(
      model,
      vocab,
      'abcdabcd',
      500,
      [1],
      new Rng(2),
      () => calls++,
      () => calls >= 1,
    );
    expect(texts[0]).toHaveLength(20);
  });

  it('rejects seed characters outside the vocabulary', async () => {
    await expect(generateText(model, vocab, 'xyz', 5, [1], new Rng(1))).rejects.toThrow(/xyz|"x"/);
  });
});
