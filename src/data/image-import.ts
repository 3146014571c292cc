// Import of a person's own images as a GAN training set: several files, a folder, or .zip files
// (mixed freely). Each image is centre-cropped to a square and area-averaged down to the model size,
// so a large photo does not alias into noise. Whatever cannot be used is returned as skipped with a
// human reason, never thrown. Zips go through the same guards as the mask import (archive size,
// entry count, declared uncompressed size), and each file is read only when its turn comes, so a
// folder of photos never sits in memory all at once.
import { resizeImage } from './augment';
import type { DecodedImage, ImageDecoder, ImportProblem } from './mask-import';
import { IMAGE_EXT, checkPngSize, decodePngImage, extension, isPng } from './mask-import';
import { unzipChecked, type NamedFile, type ZipLimits } from './zip';

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
  /** Called after each image file is read, with how many have been read so far. */
  onProgress?: (read: number) => void;
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

/** Crops the centred square of a decoded image `[h, w, channels]` and returns RGB `[size, size, 3]`. */
export function centreCropResize(image: DecodedImage, size: number): Uint8Array {
  return toBytes(centreCropFloat(image, size));
}

function toBytes(v: Float32Array): Uint8Array {
  return Uint8Array.from(v, (x) => Math.round(Math.min(255, Math.max(0, x))));
}

/** The centre square resampled to `size`, as RGB floats: box filter down, bilinear up. */
function centreCropFloat(image: DecodedImage, size: number): Float32Array {
  const { width: w, height: h, channels: c, data } = image;
  const side = Math.min(w, h);
  const x0 = Math.floor((w - side) / 2);
  const y0 = Math.floor((h - side) / 2);
  const down = side >= size;
  // Upscaling resamples the crop itself; downscaling spreads each source pixel over the (at most
  // two per axis) output pixels its footprint overlaps, so a 12-megapixel photo is one pass.
  const n = down ? size : side;
  const tx = down ? spread(side, size) : spread(side, side);
  const out = new Float32Array(n * n * 3);
  // Grey (and grey + alpha) spreads to RGB; 0 means no alpha channel.
  const gAt = c >= 3 ? 1 : 0;
  const bAt = c >= 3 ? 2 : 0;
  const alpha = c === 4 ? 3 : c === 2 ? 1 : 0;
  for (let y = 0; y < side; y++) {
    const row = ((y0 + y) * w + x0) * c;
    const oy0 = tx.o0[y] * n;
    const oy1 = tx.o1[y] * n;
    const wy0 = tx.w0[y];
    const wy1 = tx.w1[y];
    for (let x = 0; x < side; x++) {
      const s = row + x * c;
      // Transparent pixels have no meaningful colour: show them over white, as image viewers do.
      const a = alpha ? data[s + alpha] / 255 : 1;
      const bg = 255 * (1 - a);
      const r = data[s] * a + bg;
      const g = data[s + gAt] * a + bg;
      const b = data[s + bAt] * a + bg;
      const ox0 = tx.o0[x];
      const ox1 = tx.o1[x];
      const wx0 = tx.w0[x];
      const wx1 = tx.w1[x];
      const r0 = (oy0 + ox0) * 3;
      const r1 = (oy0 + ox1) * 3;
      const r2 = (oy1 + ox0) * 3;
      const r3 = (oy1 + ox1) * 3;
      const a0 = wy0 * wx0;
      const a1 = wy0 * wx1;
      const a2 = wy1 * wx0;
      const a3 = wy1 * wx1;
      // Unrolled: this loop runs once per source pixel (12 million times for a phone photo).
      out[r0] += a0 * r;
      out[r0 + 1] += a0 * g;
      out[r0 + 2] += a0 * b;
      out[r1] += a1 * r;
      out[r1 + 1] += a1 * g;
      out[r1 + 2] += a1 * b;
      out[r2] += a2 * r;
      out[r2 + 1] += a2 * g;
      out[r2 + 2] += a2 * b;
      out[r3] += a3 * r;
      out[r3 + 1] += a3 * g;
      out[r3 + 2] += a3 * b;
    }
  }
  return down ? out : resizeImage(out, 3, side, side, size, 'bilinear');
}

/** For each source index of `side`, the two output indices of `size` its footprint overlaps and their weights. */
function spread(side: number, size: number) {
  const scale = side / size;
  const o0 = new Int32Array(side);
  const o1 = new Int32Array(side);
  const w0 = new Float32Array(side);
  const w1 = new Float32Array(side);
  for (let i = 0; i < side; i++) {
    const first = Math.min(size - 1, Math.floor(i / scale));
    const edge = (first + 1) * scale;
    o0[i] = first;
    if (edge < i + 1 - 1e-9 && first + 1 < size) {
      o1[i] = first + 1;
      w0[i] = (edge - i) / scale;
      w1[i] = (i + 1 - edge) / scale;
    } else {
      o1[i] = first;
      w0[i] = 1 / scale;
    }
  }
  return { o0, o1, w0, w1 };
}

/** Halves a square RGB float image by 2x2 averages: the same as box-filtering the source to half the size. */
function halve(img: Float32Array, size: number): Float32Array {
  const half = size / 2;
  const out = new Float32Array(half * half * 3);
  for (let y = 0; y < half; y++)
    for (let x = 0; x < half; x++)
      for (let k = 0; k < 3; k++) {
        const at = (yy: number, xx: number) => img[(yy * size + xx) * 3 + k];
        out[(y * half + x) * 3 + k] =
          (at(2 * y, 2 * x) +
            at(2 * y, 2 * x + 1) +
            at(2 * y + 1, 2 * x) +
            at(2 * y + 1, 2 * x + 1)) /
          4;
      }
  return out;
}

/** The image at every size in `sizes`; a size that halves a larger downscaled one reuses it. */
function atSizes(image: DecodedImage, sizes: readonly number[]): Uint8Array[] {
  const side = Math.min(image.width, image.height);
  const done = new Map<number, Float32Array>();
  for (const size of [...sizes].sort((a, b) => b - a)) {
    const double = done.get(size * 2);
    done.set(
      size,
      double && side >= size * 2 ? halve(double, size * 2) : centreCropFloat(image, size),
    );
  }
  return sizes.map((size) => toBytes(done.get(size)!));
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
  let read = 0;
  const overflow: string[] = [];

  const take = async (name: string, bytes: Uint8Array): Promise<void> => {
    if (count >= maxImages) {
      overflow.push(name);
      return;
    }
    let image: DecodedImage;
    try {
      opts.onProgress?.(++read);
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
    atSizes(image, opts.sizes).forEach((img, i) => kept[i].push(img));
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
    // Past the cap a file is only named, never read: a folder may hold far more than the cap.
    else if (count >= maxImages) overflow.push(file.name);
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
