// Draws the app icons (a small neural network on the theme colour) as PNGs with no image tools:
// shapes are signed-distance functions with analytic anti-aliasing, encoded by a tiny PNG writer.
// Run `node scripts/make-icons.mjs` after changing the design; the PNGs are committed so the
// build never needs this script.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zlibSync } from 'fflate';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');

const THEME = [0x1d, 0x35, 0x57];
const EDGE = [0xa8, 0xda, 0xdc];
const NODE = [0xf1, 0xfa, 0xee];
const OUTPUT = [0xe6, 0x39, 0x46];

/** Node centres of a 3-4-2 network in unit coordinates, centred on (0.5, 0.5). */
function network() {
  const layers = [3, 4, 2];
  const xs = [0.22, 0.5, 0.78];
  const gap = 0.19;
  return layers.map((n, li) =>
    Array.from({ length: n }, (_, i) => ({ x: xs[li], y: 0.5 + (i - (n - 1) / 2) * gap })),
  );
}

function segmentDistance(px, py, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const t = Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - a.x - t * dx, py - a.y - t * dy);
}

function roundedSquareDistance(px, py, half, radius) {
  const qx = Math.abs(px - 0.5) - (half - radius);
  const qy = Math.abs(py - 0.5) - (half - radius);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - radius;
}

/**
 * Renders one icon as RGBA bytes.
 * `scale` shrinks the glyph around the centre (maskable icons keep it inside the 80% safe zone);
 * `fullBleed` paints the background to the edges instead of a rounded square.
 */
function render(size, { scale, fullBleed }) {
  const layers = network();
  const nodes = layers.flat();
  const edges = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    for (const a of layers[l]) for (const b of layers[l + 1]) edges.push([a, b]);
  }
  const outputs = new Set(layers[layers.length - 1]);
  const nodeR = 0.062;
  const ringR = 0.016;
  const edgeHalf = 0.008;
  const px = 1 / size;
  // Coverage of a shape from its signed distance, one pixel wide ramp.
  const cover = (d) => Math.max(0, Math.min(1, 0.5 - d / px));

  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ux = (x + 0.5) / size;
      const uy = (y + 0.5) / size;
      // Glyph coordinates: undo the centred scale.
      const gx = 0.5 + (ux - 0.5) / scale;
      const gy = 0.5 + (uy - 0.5) / scale;
      const g = (d) => cover(d * scale);
      let color = [...THEME];
      const blend = (c, a) => {
        for (let k = 0; k < 3; k++) color[k] = color[k] * (1 - a) + c[k] * a;
      };
      let edgeD = Infinity;
      for (const [a, b] of edges) edgeD = Math.min(edgeD, segmentDistance(gx, gy, a, b));
      blend(EDGE, 0.85 * g(edgeD - edgeHalf));
      for (const n of nodes) {
        const d = Math.hypot(gx - n.x, gy - n.y);
        // A theme-coloured ring separates each node from the edges that meet it.
        blend(THEME, g(d - nodeR - ringR));
        blend(outputs.has(n) ? OUTPUT : NODE, g(d - nodeR));
      }
      const alpha = fullBleed ? 1 : cover(roundedSquareDistance(ux, uy, 0.5, 0.2));
      const o = (y * size + x) * 4;
      rgba[o] = Math.round(color[0]);
      rgba[o + 1] = Math.round(color[1]);
      rgba[o + 2] = Math.round(color[2]);
      rgba[o + 3] = Math.round(alpha * 255);
    }
  }
  return rgba;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes RGBA bytes `[size * size * 4]` as an 8-bit RGBA PNG. */
function encodePng(size, rgba) {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  ihdr.set([8, 6, 0, 0, 0], 8);
  // Filter type 0 (none) on every row keeps the writer trivial; zlib still compresses flat areas.
  const raw = new Uint8Array(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  return Buffer.concat(parts);
}

const icons = [
  { file: 'icon-192.png', size: 192, scale: 1, fullBleed: false },
  { file: 'icon-512.png', size: 512, scale: 1, fullBleed: false },
  // Farthest node edge sits at about 0.33 of the width from the centre after scaling: inside 0.4.
  { file: 'icon-maskable-512.png', size: 512, scale: 0.78, fullBleed: true },
];

mkdirSync(outDir, { recursive: true });
for (const icon of icons) {
  const png = encodePng(icon.size, render(icon.size, icon));
  writeFileSync(join(outDir, icon.file), png);
  console.log(`${icon.file}: ${icon.size}x${icon.size}, ${png.length} bytes`);
}
