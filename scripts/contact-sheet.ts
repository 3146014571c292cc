// Renders the built-in faces (seeds 0..63) and their part labels as 8x8 PNG contact sheets for a person to look at.
// Usage: node --import tsx scripts/contact-sheet.ts [out.png]   (labels go next to it as *-labels-sheet.png)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FACE_PARTS, renderFaces } from '../src/data/faces';
import { encodePng, gridImage, upscale } from '../src/data/png';

// One distinct colour per FACE_PARTS entry.
const PART_COLORS: Record<(typeof FACE_PARTS)[number], [number, number, number]> = {
  background: [30, 30, 40],
  skin: [240, 190, 150],
  hair: [120, 70, 30],
  eyes: [40, 120, 255],
  brows: [255, 230, 0],
  nose: [0, 200, 120],
  mouth: [230, 30, 60],
  glasses: [200, 0, 220],
};

const out = process.argv[2] ?? 'docs/faces-contact-sheet.png';
const labelsOut = out.includes('contact-sheet')
  ? out.replace('contact-sheet', 'labels-sheet')
  : out.replace(/\.png$/, '') + '-labels.png';
const size = 64;
const t0 = performance.now();
const faces = renderFaces(0, 64, size);
const ms = performance.now() - t0;

const sheet = upscale(
  gridImage(
    faces.map((f) => f.image),
    size,
    8,
    2,
  ),
  2,
);
const labelImages = faces.map((f) => {
  const img = new Uint8ClampedArray(size * size * 3);
  f.labels.forEach((l, i) => img.set(PART_COLORS[FACE_PARTS[l]], i * 3));
  return img;
});
const labelSheet = upscale(gridImage(labelImages, size, 8, 2), 2);

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, encodePng(sheet.data, sheet.width, sheet.height, 3));
writeFileSync(labelsOut, encodePng(labelSheet.data, labelSheet.width, labelSheet.height, 3));
console.log(`wrote ${out} and ${labelsOut} (64 faces rendered in ${ms.toFixed(1)} ms)`);
