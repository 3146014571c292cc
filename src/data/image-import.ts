// Import of a person's own images as a GAN training set: several files, a folder, or .zip files
// (mixed freely). Each image is centre-cropped to a square and area-averaged down to the model size,
// so a large photo does not alias into noise. Whatever cannot be used is returned as skipped with a
// human reason, never thrown. Zips go through the same guards as the mask import (archive size,
// entry count, declared uncompressed size), and each file is read only when its turn comes, so a
// folder of photos never sits in memory all at once.
import { resizeImage } from './augment';
import type {
  DecodedImage,
  ImageDecoder,
  ImportProblem,
  NamedFile,
  ZipLimits,
} from './mask-import';
import {
  IMAGE_EXT,
  checkPngSize,
  decodePngImage,
  extension,
  isPng,
  unzipChecked,
} from './mask-import';

/** A file to import: bytes in hand, or a Blob (a picked `File`) read when its turn comes. */
export type ImageSource = NamedFile | { name: string; blob: Blob };

/** How to decode and how much to accept. */
export interface ImageImportOptions extends ZipLimits {
  /** Side lengths to produce, in pixels (each image is stored once per size). */
  sizes: readonly number[];
  /** Decoder for JPEG/WebP/…; defaults to PNG only. */
  decode?: ImageDecoder;
  /** Most images kept (default 5,000). */
  maxImages?: number;
  /** Smallest accepted shorter side, in pixels (default 16). */
  minSide?: number;
  /** Most pixels in one image (default 4096 x 4096). */
  maxPixels?: number;
  /** Largest accepted single file, in bytes (default 50 MB). */
  maxFileBytes?: number;
}

/** The imported images, one RGB pool `[count, size, size, 3]` per size, and the skipped files. */
export interface ImageImportResult {
  count: number;
  pools: Map<number, Uint8Array>;
  skipped: ImportProblem[];
}

/** Default cap on images per import: 5,000 at 64x64 is 61 MB of RGB bytes. */
export const MAX_IMPORT_IMAGES = 5000;
const MB = 1024 * 1024;

/** Crops the centred square of an image with `channels` channels `[h, w, c]` and returns RGB `[size, size, 3]`. */
export function centreCropResize(image: DecodedImage, size: number): Uint8Array {
  const { width: w, height: h, channels: c, data } = image;
  const side = Math.min(w, h);
  const x0 = Math.floor((w - side) / 2);
  const y0 = Math.floor((h - side) / 2);
  const crop = new Float32Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const s = ((y0 + y) * w + x0 + x) * c;
      const d = (y * side + x) * 3;
      const r = data[s];
      const g = data[s + (c >= 3 ? 1 : 0)];
      const b = data[s + (c >= 3 ? 2 : 0)];
      // Transparent pixels have no meaningful colour: show them over white, as image viewers do.
      const a = c === 4 ? data[s + 3] / 255 : c === 2 ? data[s + 1] / 255 : 1;
      crop[d] = r * a + 255 * (1 - a);
      crop[d + 1] = g * a + 255 * (1 - a);
      crop[d + 2] = b * a + 255 * (1 - a);
    }
  }
  const out =
    side >= size
      ? areaResize(crop, side, size)
      : resizeImage(crop, 3, side, side, size, 'bilinear');
  return Uint8Array.from(out, (v) => Math.round(Math.min(255, Math.max(0, v))));
}

/** Box-filter downscale of a square RGB float image: each output pixel averages its exact footprint. */
function areaResize(src: Float32Array, side: number, size: number): Float32Array {
  const taps = areaTaps(side, size);
  const rows = new Float32Array(side * size * 3);
  for (let y = 0; y < side; y++) {
    for (let o = 0; o < size; o++) {
      for (const [i, wt] of taps[o]) {
        for (let k = 0; k < 3; k++)
          rows[(y * size + o) * 3 + k] += wt * src[(y * side + i) * 3 + k];
      }
    }
  }
  const out = new Float32Array(size * size * 3);
  for (let o = 0; o < size; o++) {
    for (const [i, wt] of taps[o]) {
      for (let x = 0; x < size; x++) {
        for (let k = 0; k < 3; k++)
          out[(o * size + x) * 3 + k] += wt * rows[(i * size + x) * 3 + k];
      }
    }
  }
  return out;
}

/** For each output index, the source indices and weights (summing to 1) that its footprint covers. */
function areaTaps(side: number, size: number): [number, number][][] {
  const scale = side / size;
  return Array.from({ length: size }, (_, o) => {
    const from = o * scale;
    const to = from + scale;
    const taps: [number, number][] = [];
    for (let i = Math.floor(from); i < Math.min(side, Math.ceil(to)); i++) {
      const overlap = Math.min(to, i + 1) - Math.max(from, i);
      if (overlap > 1e-9) taps.push([i, overlap / scale]);
    }
    return taps;
  });
}

async function bytesOf(file: ImageSource): Promise<Uint8Array> {
  return 'bytes' in file ? file.bytes : new Uint8Array(await file.blob.arrayBuffer());
}

function sizeOf(file: ImageSource): number {
  return 'bytes' in file ? file.bytes.length : file.blob.size;
}

function hidden(name: string): boolean {
  const base = name.split('/').pop() ?? '';
  return base.startsWith('.') || base === 'Thumbs.db' || name.includes('__MACOSX/');
}

/** Imports images from files, folders' files and .zip files, in name order, each centre-cropped and resized. */
export async function importImages(
  sources: readonly ImageSource[],
  opts: ImageImportOptions,
): Promise<ImageImportResult> {
  const maxImages = opts.maxImages ?? MAX_IMPORT_IMAGES;
  const minSide = opts.minSide ?? 16;
  const maxPixels = opts.maxPixels ?? 4096 * 4096;
  const maxFileBytes = opts.maxFileBytes ?? 50 * MB;
  const decode = opts.decode ?? decodePngImage;
  const skipped: ImportProblem[] = [];
  const kept: Uint8Array[][] = opts.sizes.map(() => []);
  let count = 0;
  const overflow: string[] = [];

  const take = async (name: string, bytes: Uint8Array): Promise<void> => {
    if (count >= maxImages) {
      overflow.push(name);
      return;
    }
    let image: DecodedImage;
    try {
      if (isPng(bytes)) checkPngSize(bytes, maxPixels);
      image = await decode(bytes, name);
    } catch (err) {
      skipped.push({ file: name, reason: `unreadable image: ${(err as Error).message}` });
      return;
    }
    if (image.width * image.height > maxPixels) {
      skipped.push({
        file: name,
        reason: `it is ${image.width}x${image.height} pixels, over the limit of ${maxPixels}`,
      });
      return;
    }
    if (Math.min(image.width, image.height) < minSide) {
      skipped.push({
        file: name,
        reason: `too small: it is ${image.width}x${image.height} pixels, and the shorter side must be at least ${minSide}`,
      });
      return;
    }
    opts.sizes.forEach((size, i) => kept[i].push(centreCropResize(image, size)));
    count++;
  };

  const ordered = [...sources].sort((a, b) => a.name.localeCompare(b.name));
  for (const file of ordered) {
    if (hidden(file.name)) continue;
    const ext = extension(file.name);
    if (ext === 'zip') {
      const unzipped = unzipChecked(await bytesOf(file), opts);
      if ('reason' in unzipped) {
        skipped.push({ file: file.name, reason: `zip refused: ${unzipped.reason}` });
        continue;
      }
      const entries = unzipped.files.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        const name = `${file.name}/${entry.name}`;
        if (!IMAGE_EXT.includes(extension(entry.name))) skipped.push(notImage(name));
        else await take(name, entry.bytes);
      }
      continue;
    }
    if (!IMAGE_EXT.includes(ext)) skipped.push(notImage(file.name));
    else if (sizeOf(file) > maxFileBytes) {
      skipped.push({
        file: file.name,
        reason: `it is ${(sizeOf(file) / MB).toFixed(1)} MB, over the limit of ${maxFileBytes / MB} MB for one image`,
      });
    } else await take(file.name, await bytesOf(file));
  }
  if (overflow.length) {
    skipped.push({
      file: overflow.length === 1 ? overflow[0] : `${overflow[0]} and ${overflow.length - 1} more`,
      reason: `left out: an import holds at most ${maxImages.toLocaleString('en')} images`,
    });
  }
  const pools = new Map<number, Uint8Array>();
  opts.sizes.forEach((size, i) => {
    const n = size * size * 3;
    const pool = new Uint8Array(count * n);
    kept[i].forEach((img, j) => pool.set(img, j * n));
    pools.set(size, pool);
  });
  return { count, pools, skipped };
}

/** Imports the images of one .zip (see `importImages`); skipped entries are named `zipName/path`. */
export function importImagesFromZip(
  zip: Uint8Array,
  opts: ImageImportOptions,
  zipName = 'images.zip',
): Promise<ImageImportResult> {
  return importImages([{ name: zipName, bytes: zip }], opts);
}

function notImage(name: string): ImportProblem {
  const ext = extension(name);
  return {
    file: name,
    reason: `not an image file (${ext ? `.${ext}` : 'no extension'}); images are ${IMAGE_EXT.map((e) => `.${e}`).join(', ')}`,
  };
}
