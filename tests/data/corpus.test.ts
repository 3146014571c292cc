import { describe, expect, it } from 'vitest';
import {
  buildVocab,
  countWindows,
  decodeText,
  encodeText,
  epochOrder,
  fillBatch,
  MAX_CORPUS_CHARS,
  validateCorpus,
} from '../../src/data/corpus';

describe('vocabulary and encoding', () => {
  it('sorts unique code points and round-trips text', () => {
    const text = 'banana bread 🍞!';
    const vocab = buildVocab(text);
    expect(vocab).toEqual([' ', '!', 'a', 'b', 'd', 'e', 'n', 'r', '🍞']);
    const ids = encodeText(text, vocab);
    expect(ids.length).toBe(15); // the emoji is one character, as in Python
    expect(decodeText(ids, vocab)).toBe(text);
    expect(() => encodeText('x', vocab)).toThrow(/not in the vocabulary/);
  });
});

describe('windows', () => {
  it('counts windows like range(0, len - maxLen, step)', () => {
    expect(countWindows(50, 40, 3)).toBe(4); // 0, 3, 6, 9
    expect(countWindows(41, 40, 3)).toBe(1);
    expect(countWindows(40, 40, 3)).toBe(0);
    expect(countWindows(600_893, 40, 3)).toBe(200_285); // Nietzsche, as in the Keras example
  });

  it('cuts windows and next-character targets', () => {
    const text = 'abcdefghijklmnopqrstuvwxyz';
    const vocab = buildVocab(text);
    const enc = encodeText(text, vocab);
    const maxLen = 5;
    const step = 3;
    const n = countWindows(enc.length, maxLen, step);
    expect(n).toBe(7);
    const order = Uint32Array.from([2, 0, 6]);
    const { xs, ys, count } = fillBatch(enc, order, 0, 3, maxLen, step);
    expect(count).toBe(3);
    expect(decodeText(xs.subarray(0, 5), vocab)).toBe('ghijk');
    expect(decodeText(xs.subarray(5, 10), vocab)).toBe('abcde');
    expect(decodeText(xs.subarray(10, 15), vocab)).toBe('stuvw');
    expect(decodeText(ys, vocab)).toBe('lfx');
    // The epoch's last batch is partial.
    expect(fillBatch(enc, order, 2, 3, maxLen, step).count).toBe(1);
  });
});

describe('epochOrder', () => {
  it('is a permutation that depends only on seed and epoch', () => {
    const a = epochOrder(1000, 42, 3);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(epochOrder(1000, 42, 3)).toEqual(a);
    expect(epochOrder(1000, 42, 4)).not.toEqual(a);
    expect(epochOrder(1000, 43, 3)).not.toEqual(a);
    // Shuffled, not the identity.
    expect(a.filter((v, i) => v === i).length).toBeLessThan(20);
  });
});

describe('validateCorpus', () => {
  const good = 'Call me Ishmael. Some years ago, never mind how long precisely.';

  it('accepts plain text', () => {
    expect(validateCorpus(good)).toBeNull();
  });

  it('explains each kind of bad input', () => {
    expect(validateCorpus('')).toMatch(/empty/);
    expect(validateCorpus('too short')).toMatch(/too short.*9 characters.*41/);
    expect(validateCorpus('a'.repeat(100))).toMatch(/single character/);
    expect(validateCorpus(`${good}\u0000${good}`)).toMatch(/binary/);
    expect(validateCorpus(good + '\ufffd\u0001'.repeat(20))).toMatch(/binary/);
    const manyChars = Array.from({ length: 400 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join(
      '',
    );
    expect(validateCorpus(manyChars)).toMatch(/400 distinct characters.*not plain text/);
    expect(validateCorpus('ab'.repeat(MAX_CORPUS_CHARS / 2 + 1))).toMatch(/too large/);
  });

  it('tolerates a few stray replacement characters', () => {
    expect(validateCorpus(`${good.repeat(10)}\ufffd`)).toBeNull();
  });
});
