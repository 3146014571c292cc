// The char-LSTM vectoriser: vocabulary, windows and batches as plain typed arrays (no tfjs), so
// the worker can keep a whole corpus as one Uint16Array and cut batches without allocating tensors.
import { Rng } from '../shared/rng';

/** The largest corpus accepted, in UTF-16 code units (about 20 MB of text). */
export const MAX_CORPUS_CHARS = 20_000_000;

/** The most distinct characters a corpus may have; more means it is probably not plain text. */
export const MAX_VOCAB = 300;

/** The characters of `text` (code points) sorted by code point, like Python's `sorted(set(text))`. */
export function buildVocab(text: string): string[] {
  const chars = Array.from(new Set(text));
  return chars.sort((a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0));
}

/** `text` as vocabulary indices, one per code point; throws on a character outside `vocab`. */
export function encodeText(text: string, vocab: readonly string[]): Uint16Array {
  const index = new Map<string, number>();
  vocab.forEach((c, i) => index.set(c, i));
  const out = new Uint16Array(countCodePoints(text));
  let n = 0;
  for (const c of text) {
    const i = index.get(c);
    if (i === undefined) throw new Error(`character ${JSON.stringify(c)} is not in the vocabulary`);
    out[n++] = i;
  }
  return out;
}

/** The text of vocabulary indices `ids`. */
export function decodeText(ids: ArrayLike<number>, vocab: readonly string[]): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += vocab[ids[i]] ?? '';
  return s;
}

/** How many windows Keras' `range(0, length - maxLen, step)` yields for a text of `length` chars. */
export function countWindows(length: number, maxLen = 40, step = 3): number {
  return length > maxLen ? Math.ceil((length - maxLen) / step) : 0;
}

/** A permutation of `0..windowCount-1` that depends only on `(seed, epoch)`, so a resumed run recomputes it. */
export function epochOrder(windowCount: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(windowCount);
  for (let i = 0; i < windowCount; i++) order[i] = i;
  const rng = new Rng(mixSeed(seed, epoch));
  for (let i = windowCount - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** One batch of windows `order[cursor..]`: `xs` `[count, maxLen]` and `ys` `[count]` char indices (`count` < `batchSize` only at the epoch's end). */
export function fillBatch(
  encoded: ArrayLike<number>,
  order: ArrayLike<number>,
  cursor: number,
  batchSize: number,
  maxLen: number,
  step: number,
): { xs: Int32Array; ys: Int32Array; count: number } {
  const count = Math.max(0, Math.min(batchSize, order.length - cursor));
  const xs = new Int32Array(count * maxLen);
  const ys = new Int32Array(count);
  for (let b = 0; b < count; b++) {
    const start = order[cursor + b] * step;
    for (let t = 0; t < maxLen; t++) xs[b * maxLen + t] = encoded[start + t];
    ys[b] = encoded[start + maxLen];
  }
  return { xs, ys, count };
}

/** A human message saying why `text` cannot train a char model, or null when it can. */
export function validateCorpus(text: string, maxLen = 40): string | null {
  if (text.length === 0) return 'The text is empty.';
  if (text.length > MAX_CORPUS_CHARS) {
    const mb = (text.length / 1e6).toFixed(1);
    return `The text is too large (${mb} M characters); the limit is ${MAX_CORPUS_CHARS / 1e6} M.`;
  }
  if (looksBinary(text)) {
    return 'This looks like a binary file, not plain text (it has NUL bytes or many unreadable characters).';
  }
  const length = countCodePoints(text);
  if (length < maxLen + 1) {
    return `The text is too short: it has ${length} characters and needs at least ${maxLen + 1}.`;
  }
  const vocab = buildVocab(text);
  if (vocab.length < 2) return 'The text uses a single character; there is nothing to learn.';
  if (vocab.length > MAX_VOCAB) {
    return `The text uses ${vocab.length} distinct characters (limit ${MAX_VOCAB}); it is probably not plain text.`;
  }
  return null;
}

function countCodePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A low surrogate after a high one belongs to the same code point.
    if (c < 0xdc00 || c > 0xdfff || i === 0 || !isHigh(text.charCodeAt(i - 1))) n++;
  }
  return n;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

// Decoding a binary file as UTF-8 yields NULs, U+FFFD replacement characters and C0 controls.
function looksBinary(text: string): boolean {
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13)) bad++;
  }
  return bad > 8 && bad > text.length * 0.01;
}

// Different epochs (and seeds) must give unrelated streams: murmur3's finaliser spreads the bits.
function mixSeed(seed: number, epoch: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
