import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { crc32, decodePng, encodePng, gridImage, upscale } from '../../src/data/png';
import { Rng } from '../../src/shared/rng';

// An independent, hand-written PNG builder so that the decoder is not only tested against our encoder.
function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

function chunk(type: string, body: ArrayLike<number>): number[] {
  const bytes = new Uint8Array([...type].map((c) => c.charCodeAt(0)).concat(Array.from(body)));
  return [...u32(body.length), ...bytes, ...u32(crc32(bytes))];
}

interface HandPng {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlace?: number;
  rows: number[][]; // each row starts with its filter byte
  extra?: number[][]; // chunks placed between IHDR and IDAT
}

function buildPng(p: HandPng): Uint8Array {
  const ihdr = [...u32(p.width), ...u32(p.height), p.depth, p.colourType, 0, 0, p.interlace ?? 0];
  const raw = Uint8Array.from(p.rows.flat());
  return Uint8Array.from([
    137,
    80,
    78,
    71,
    13,
    10,
    26,
    10,
    ...chunk('IHDR', ihdr),
    ...(p.extra ?? []).flat(),
    ...chunk('IDAT', zlibSync(raw)),
    ...chunk('IEND', []),
  ]);
}

/** Applies PNG filter `f` to a row (the textbook definition), given the previous unfiltered row. */
function filterRow(f: number, row: number[], prev: number[] | null, bpp: number): number[] {
  return row.map((x, i) => {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= bpp ? prev[i - bpp] : 0;
    let pred = 0;
    if (f === 1) pred = a;
    if (f === 2) pred = b;
    if (f === 3) pred = Math.floor((a + b) / 2);
    if (f === 4) {
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    return (x - pred + 256) % 256;
  });
}

function randomBytes(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? rng.int(256) : (i * 13) % 256));
}

describe('encodePng / decodePng', () => {
  it.each([1, 3, 4] as const)('round-trips %i-channel images exactly', (channels) => {
    for (const [w, h] of [
      [1, 1],
      [13, 7],
      [64, 64],
    ]) {
      const pixels = randomBytes(w * h * channels, w * channels);
      const png = encodePng(pixels, w, h, channels);
      expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
      const out = decodePng(png);
      expect(out.width).toBe(w);
      expect(out.height).toBe(h);
      expect(out.channels).toBe(channels);
      expect(out.data).toEqual(pixels);
    }
  });

  it('encodes a Uint8ClampedArray and rejects a buffer of the wrong length', () => {
    const img = new Uint8ClampedArray(4 * 4 * 3).fill(200);
    expect(decodePng(encodePng(img, 4, 4, 3)).data).toEqual(new Uint8Array(48).fill(200));
    expect(() => encodePng(img, 5, 4, 3)).toThrow(/expected 5x4x3/);
  });

  it('decodes all five filter types and grey + alpha from a hand-built file', () => {
    const w = 5;
    const bpp = 2;
    const plain = [0, 1, 2, 3, 4, 2].map((_, y) =>
      Array.from({ length: w * bpp }, (_, i) => (y * 37 + i * i * 11 + (i % 2) * 90) % 256),
    );
    const rows = plain.map((row, y) => {
      const f = y % 5;
      return [f, ...filterRow(f, row, y > 0 ? plain[y - 1] : null, bpp)];
    });
    const out = decodePng(buildPng({ width: w, height: 6, depth: 8, colourType: 4, rows }));
    expect(out.channels).toBe(2);
    expect(Array.from(out.data)).toEqual(plain.flat());
  });

  it('decodes a hand-built palette PNG, with and without transparency, at 8 and 2 bits', () => {
    const plte = chunk('PLTE', [0, 0, 0, 255, 0, 0, 0, 128, 255]);
    const idx = [
      [0, 1, 2],
      [2, 2, 1],
    ];
    const rows = idx.map((r) => [0, ...r]);
    const rgb = decodePng(
      buildPng({ width: 3, height: 2, depth: 8, colourType: 3, rows, extra: [plte] }),
    );
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.indices!)).toEqual(idx.flat());
    expect(Array.from(rgb.data)).toEqual([
      0, 0, 0, 255, 0, 0, 0, 128, 255, 0, 128, 255, 0, 128, 255, 255, 0, 0,
    ]);

    const trns = chunk('tRNS', [0, 128]);
    const rgba = decodePng(
      buildPng({ width: 3, height: 2, depth: 8, colourType: 3, rows, extra: [plte, trns] }),
    );
    expect(rgba.channels).toBe(4);
    expect(Array.from(rgba.data.subarray(0, 12))).toEqual([
      0, 0, 0, 0, 255, 0, 0, 128, 0, 128, 255, 255,
    ]);

    // Two bits per index, four pixels per byte: 0 1 2 | 2 2 1 packed high bits first.
    const packed = [
      [0, 0b00011000],
      [0, 0b10100100],
    ];
    const small = decodePng(
      buildPng({ width: 3, height: 2, depth: 2, colourType: 3, rows: packed, extra: [plte] }),
    );
    expect(Array.from(small.indices!)).toEqual(idx.flat());
    expect(Array.from(small.data)).toEqual(Array.from(rgb.data));
  });

  it('gives clear errors for corrupt or unsupported files', () => {
    const good = encodePng(randomBytes(8 * 8 * 3, 1), 8, 8, 3);
    expect(() => decodePng(new TextEncoder().encode('hello, not a png'))).toThrow(
      /Not a PNG file: the PNG signature is missing/,
    );
    const flipped = good.slice();
    flipped[45] ^= 0xff; // inside the IDAT body
    expect(() => decodePng(flipped)).toThrow(/CRC mismatch in chunk IDAT/);
    expect(() => decodePng(good.subarray(0, good.length - 20))).toThrow(/PNG is truncated/);
    expect(() => decodePng(good.subarray(0, 20))).toThrow(/PNG is truncated/);
    const rows = [[0, 1, 2, 3]];
    expect(() =>
      decodePng(buildPng({ width: 1, height: 1, depth: 8, colourType: 2, interlace: 1, rows })),
    ).toThrow(/Interlaced \(Adam7\) PNGs are not supported/);
    expect(() =>
      decodePng(buildPng({ width: 1, height: 1, depth: 16, colourType: 0, rows: [[0, 1, 2]] })),
    ).toThrow(/16-bit PNGs are not supported/);
    expect(() =>
      decodePng(buildPng({ width: 2, height: 2, depth: 8, colourType: 0, rows: [[0, 1, 2]] })),
    ).toThrow(/PNG is truncated: image data holds 3 of 6 bytes/);
    expect(() =>
      decodePng(buildPng({ width: 1, height: 1, depth: 8, colourType: 0, rows: [[7, 1]] })),
    ).toThrow(/unknown filter type 7/);
    expect(() =>
      decodePng(buildPng({ width: 1, height: 1, depth: 8, colourType: 3, rows: [[0, 0]] })),
    ).toThrow(/palette image without a valid PLTE chunk/);
  });
});

describe('gridImage', () => {
  it('tiles RGB images with padding around and between them', () => {
    const a = new Uint8ClampedArray(2 * 2 * 3).fill(10);
    const b = new Uint8ClampedArray(2 * 2 * 3).fill(20);
    const c = new Uint8ClampedArray(2 * 2 * 3).fill(30);
    const g = gridImage([a, b, c], 2, 2, 1, 0);
    expect(g.width).toBe(2 * 2 + 3);
    expect(g.height).toBe(2 * 2 + 3);
    const at = (x: number, y: number) => g.data[(y * g.width + x) * 3];
    expect([
      at(0, 0),
      at(1, 1),
      at(2, 2),
      at(3, 1),
      at(4, 1),
      at(5, 2),
      at(1, 4),
      at(2, 5),
    ]).toEqual([0, 10, 10, 0, 20, 20, 30, 30]);
    expect(at(4, 4)).toBe(0); // the missing fourth tile stays padding
    expect(() => gridImage([new Uint8ClampedArray(5)], 2, 1)).toThrow(/not 2x2 RGB/);
  });
});

describe('upscale', () => {
  it('draws every pixel as a k x k block', () => {
    // 2x1 image: red, blue.
    const img = { data: Uint8ClampedArray.from([255, 0, 0, 0, 0, 255]), width: 2, height: 1 };
    const big = upscale(img, 2);
    expect([big.width, big.height]).toEqual([4, 2]);
    const red = [255, 0, 0];
    const blue = [0, 0, 255];
    expect(Array.from(big.data)).toEqual([
      ...red,
      ...red,
      ...blue,
      ...blue,
      ...red,
      ...red,
      ...blue,
      ...blue,
    ]);
  });
});
