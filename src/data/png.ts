// A small PNG codec in pure TypeScript (no DOM), so workers and Node can read masks and write grids.
import { unzlibSync, zlibSync } from 'fflate';
import { concatBytes } from '../shared/bytes';

/** A decoded PNG: `data` holds `[height, width, channels]` bytes, row-major. */
export interface DecodedPng {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
  /** For palette PNGs (colour type 3): the raw palette index of each pixel, `[height, width]`. */
  indices?: Uint8Array;
  /** For palette PNGs: the palette as RGB triplets, `[entries, 3]`. */
  palette?: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes[start, end)` as PNG chunks use it. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  writeU32(out, 0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  writeU32(out, 8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encodes 8-bit `[height, width, channels]` pixels (grey, RGB or RGBA) as a PNG file. */
export function encodePng(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
): Uint8Array {
  if (pixels.length !== width * height * channels) {
    throw new Error(
      `encodePng: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${pixels.length}`,
    );
  }
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  const cand = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const prev = row - stride;
    const out = y * (stride + 1);
    // Per row, keep the filter with the smallest sum of absolute residuals (the libpng heuristic).
    let bestScore = Infinity;
    for (let f = 0; f < 5; f++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const x = pixels[row + i];
        const a = i >= channels ? pixels[row + i - channels] : 0;
        const b = y > 0 ? pixels[prev + i] : 0;
        const c = y > 0 && i >= channels ? pixels[prev + i - channels] : 0;
        const pred =
          f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const r = (x - pred) & 0xff;
        cand[i] = r;
        score += r < 128 ? r : 256 - r;
      }
      if (score < bestScore) {
        bestScore = score;
        raw[out] = f;
        raw.set(cand, out + 1);
      }
    }
  }
  const ihdr = new Uint8Array(13);
  writeU32(ihdr, 0, width);
  writeU32(ihdr, 4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  return concatBytes([
    Uint8Array.from(SIGNATURE),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

const COLOUR_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

interface Header {
  width: number;
  height: number;
  depth: number;
  colourType: number;
}

function parseHeader(body: Uint8Array): Header {
  if (body.length !== 13) throw new Error('PNG is corrupt: IHDR chunk has the wrong length');
  const h = {
    width: readU32(body, 0),
    height: readU32(body, 4),
    depth: body[8],
    colourType: body[9],
  };
  if (h.width === 0 || h.height === 0) throw new Error('PNG is corrupt: zero width or height');
  if (!(h.colourType in COLOUR_CHANNELS)) {
    throw new Error(`PNG is corrupt: unknown colour type ${h.colourType}`);
  }
  if (!ALLOWED_DEPTHS[h.colourType].includes(h.depth)) {
    throw new Error(
      `PNG is corrupt: bit depth ${h.depth} is invalid for colour type ${h.colourType}`,
    );
  }
  if (h.depth === 16)
    throw new Error('16-bit PNGs are not supported: save the image with 8 bits per channel');
  if (body[10] !== 0 || body[11] !== 0)
    throw new Error('PNG uses an unknown compression or filter method');
  if (body[12] !== 0)
    throw new Error(
      'Interlaced (Adam7) PNGs are not supported: save the image without interlacing',
    );
  return h;
}

/** Reverses the five PNG row filters in place; `raw` is `[height, 1 + stride]`, returns `[height, stride]`. */
function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    if (f > 4) throw new Error(`PNG is corrupt: unknown filter type ${f} on row ${y}`);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[row + i - bpp] : 0;
      const b = y > 0 ? out[prev + i] : 0;
      const c = y > 0 && i >= bpp ? out[prev + i - bpp] : 0;
      const pred =
        f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
      out[row + i] = (raw[src + i] + pred) & 0xff;
    }
  }
  return out;
}

/** Decodes an 8-bit (or 1/2/4-bit grey or palette), non-interlaced PNG; palette images expand to RGB(A). */
export function decodePng(bytes: Uint8Array): DecodedPng {
  if (bytes.length < 8 || SIGNATURE.some((v, i) => bytes[i] !== v)) {
    throw new Error('Not a PNG file: the PNG signature is missing');
  }
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let alpha: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let pos = 8;
  let ended = false;
  while (!ended) {
    if (pos + 12 > bytes.length)
      throw new Error('PNG is truncated: the file ends before the IEND chunk');
    const len = readU32(bytes, pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + len > bytes.length) {
      throw new Error(`PNG is truncated: chunk ${type} runs past the end of the file`);
    }
    if (crc32(bytes, pos + 4, pos + 8 + len) !== readU32(bytes, pos + 8 + len)) {
      throw new Error(`PNG is corrupt: CRC mismatch in chunk ${type}`);
    }
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') header = parseHeader(body);
    else if (!header) throw new Error('PNG is corrupt: the first chunk is not IHDR');
    else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') alpha = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') ended = true;
    pos += 12 + len;
  }
  if (!header) throw new Error('PNG is corrupt: no IHDR chunk');
  if (idat.length === 0) throw new Error('PNG is corrupt: no image data (IDAT)');
  const { width, height, depth, colourType } = header;
  const samples = COLOUR_CHANNELS[colourType];
  const stride = Math.ceil((width * samples * depth) / 8);
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of idat) {
    joined.set(c, at);
    at += c.length;
  }
  let raw: Uint8Array;
  try {
    raw = unzlibSync(joined);
  } catch (e) {
    throw new Error(`PNG is corrupt: image data does not decompress (${(e as Error).message})`);
  }
  if (raw.length < height * (stride + 1)) {
    throw new Error(
      `PNG is truncated: image data holds ${raw.length} of ${height * (stride + 1)} bytes`,
    );
  }
  const rows = unfilter(raw, height, stride, Math.max(1, (samples * depth) >> 3));
  const values = depth === 8 ? rows : unpackBits(rows, width, height, stride, depth);
  if (colourType !== 3) {
    // Sub-byte grey is rescaled to 0..255 so that a 1-bit mask reads as 0/255.
    if (depth < 8)
      for (let i = 0; i < values.length; i++) values[i] = (values[i] * 255) / ((1 << depth) - 1);
    return { width, height, channels: samples as 1 | 2 | 3 | 4, data: values };
  }
  if (!palette || palette.length % 3 !== 0)
    throw new Error('PNG is corrupt: palette image without a valid PLTE chunk');
  const entries = palette.length / 3;
  const channels = alpha ? 4 : 3;
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    const k = values[i];
    if (k >= entries)
      throw new Error(`PNG is corrupt: pixel uses palette index ${k} beyond ${entries} entries`);
    data.set(palette.subarray(k * 3, k * 3 + 3), i * channels);
    if (alpha) data[i * channels + 3] = k < alpha.length ? alpha[k] : 255;
  }
  return { width, height, channels, data, indices: values, palette: palette.slice() };
}

function unpackBits(
  rows: Uint8Array,
  width: number,
  height: number,
  stride: number,
  depth: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = rows[y * stride + Math.floor(x / perByte)];
      const shift = 8 - depth * ((x % perByte) + 1);
      out[y * width + x] = (byte >> shift) & mask;
    }
  }
  return out;
}

/** Tiles RGB images of `[size, size, 3]` into one RGB image with `pad` pixels around and between them. */
export function gridImage(
  images: Uint8ClampedArray[],
  size: number,
  cols: number,
  pad = 2,
  padValue = 255,
): { data: Uint8ClampedArray; width: number; height: number } {
  const rows = Math.max(1, Math.ceil(images.length / cols));
  const width = cols * size + (cols + 1) * pad;
  const height = rows * size + (rows + 1) * pad;
  const data = new Uint8ClampedArray(width * height * 3).fill(padValue);
  images.forEach((img, n) => {
    if (img.length !== size * size * 3)
      throw new Error(`gridImage: image ${n} is not ${size}x${size} RGB`);
    const ox = pad + (n % cols) * (size + pad);
    const oy = pad + Math.floor(n / cols) * (size + pad);
    for (let y = 0; y < size; y++) {
      data.set(img.subarray(y * size * 3, (y + 1) * size * 3), ((oy + y) * width + ox) * 3);
    }
  });
  return { data, width, height };
}

/** An RGB image `[height, width, 3]` with every pixel drawn as a `k`x`k` block (nearest neighbour), so small images stay readable in a viewer. */
export function upscale(
  img: { data: Uint8ClampedArray; width: number; height: number },
  k: number,
): { data: Uint8ClampedArray; width: number; height: number } {
  const width = img.width * k;
  const height = img.height * k;
  const data = new Uint8ClampedArray(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (Math.floor(y / k) * img.width + Math.floor(x / k)) * 3;
      data.set(img.data.subarray(src, src + 3), (y * width + x) * 3);
    }
  }
  return { data, width, height };
}
