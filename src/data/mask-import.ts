// Import of a person's image/mask pairs: from a .zip with images/ and masks/ folders, or from two
// lists of files, matched by file name stem ('images/cat.jpg' ↔ 'masks/cat.png'). Masks are PNGs
// holding class indices (grey values or palette indices) or one colour per class (with a colour
// map). Everything that does not pair up is returned as a problem with a human reason, never thrown.
// Zips are checked before inflating (./zip); PNG headers are checked for their pixel count before
// their data is inflated.
import { resizeImage } from './augment';
import { decodePng } from './png';
import type { SegPair } from './seg-dataset';
import { unzipChecked, type NamedFile, type ZipLimits } from './zip';

/** A decoded image: `data` is `[height, width, channels]` bytes. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** Decodes image bytes (in the browser: createImageBitmap + OffscreenCanvas, injected by the caller). */
export type ImageDecoder = (bytes: Uint8Array, name: string) => Promise<DecodedImage>;

/** How to read masks and how much to accept. */
export interface MaskImportOptions extends ZipLimits {
  /** Declared classes: indices 0..numClasses-1 are valid. */
  numClasses: number;
  /** One RGB colour per class; when given, colour masks map each pixel's colour to its class. */
  classColors?: readonly (readonly [number, number, number])[];
  /** Decoder for the images (masks are always decoded as PNG, exactly); defaults to PNG only. */
  decode?: ImageDecoder;
  /** Most pixels in one image or mask (default 4096 x 4096). */
  maxPixels?: number;
}

/** One loaded pair: `image` `[height, width, 3]` RGB, `labels` `[height, width]` class indices. */
export interface ImportedPair {
  name: string;
  width: number;
  height: number;
  image: Uint8Array;
  labels: Uint8Array;
}

/** A file that was left out and why. */
export interface ImportProblem {
  file: string;
  reason: string;
}

/** The loaded pairs (sorted by name) and the problems. */
export interface MaskImportResult {
  pairs: ImportedPair[];
  problems: ImportProblem[];
}

/** File extensions read as images. */
export const IMAGE_EXT = ['png', 'jpg', 'jpeg', 'webp', 'bmp', 'gif'];

/** The PNG-only decoder used when none is injected (Node, tests, workers without canvas). */
export const decodePngImage: ImageDecoder = async (bytes, name) => {
  if (!isPng(bytes)) throw new Error(`no decoder for ${extension(name) || 'this'} files here`);
  checkPngSize(bytes, 4096 * 4096);
  return decodePng(bytes);
};

/** The lower-case extension of a file name or path, or '' when it has none. */
export function extension(name: string): string {
  const base = name.split('/').pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

function stem(name: string): string {
  const base = name.split('/').pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Whether `bytes` start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e;
}

/** Throws a human message when a PNG header declares more than `maxPixels` pixels. */
export function checkPngSize(bytes: Uint8Array, maxPixels: number): void {
  if (bytes.length < 24) return;
  const u32 = (at: number): number =>
    ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  const w = u32(16);
  const h = u32(20);
  if (w * h > maxPixels)
    throw new Error(`it is ${w}x${h} pixels, more than the limit of ${maxPixels}`);
}

/** Reads pairs from a .zip with `images/` and `masks/` folders (at any depth). */
export async function importPairsFromZip(
  zip: Uint8Array,
  opts: MaskImportOptions,
  zipName = 'the zip',
): Promise<MaskImportResult> {
  const unzipped = unzipChecked(zip, opts);
  if ('reason' in unzipped)
    return { pairs: [], problems: [{ file: zipName, reason: unzipped.reason }] };
  const images: NamedFile[] = [];
  const masks: NamedFile[] = [];
  const problems: ImportProblem[] = [];
  for (const { name, bytes } of unzipped.files) {
    const dirs = name
      .split('/')
      .slice(0, -1)
      .map((d) => d.toLowerCase());
    if (dirs.includes('masks')) masks.push({ name, bytes });
    else if (dirs.includes('images')) images.push({ name, bytes });
    else
      problems.push({
        file: name,
        reason: 'left out: it is in neither an images/ nor a masks/ folder',
      });
  }
  const result = await importPairsFromFiles(images, masks, opts);
  return { pairs: result.pairs, problems: [...problems, ...result.problems] };
}

/** Reads pairs from a list of images and a list of masks, matched by file name stem. */
export async function importPairsFromFiles(
  images: readonly NamedFile[],
  masks: readonly NamedFile[],
  opts: MaskImportOptions,
): Promise<MaskImportResult> {
  const problems: ImportProblem[] = [];
  const byStem = (files: readonly NamedFile[], kind: string): Map<string, NamedFile> => {
    const map = new Map<string, NamedFile>();
    for (const f of files) {
      if (!IMAGE_EXT.includes(extension(f.name))) {
        problems.push({
          file: f.name,
          reason: `left out: not an image file (.${extension(f.name) || 'no extension'})`,
        });
        continue;
      }
      const key = stem(f.name);
      const twin = map.get(key);
      if (twin) {
        problems.push({
          file: f.name,
          reason: `left out: another ${kind} has the same name (${twin.name})`,
        });
        continue;
      }
      map.set(key, f);
    }
    return map;
  };
  const imageMap = byStem(images, 'image');
  const maskMap = byStem(masks, 'mask');
  const pairs: ImportedPair[] = [];
  for (const [key, img] of [...imageMap].sort(([a], [b]) => a.localeCompare(b))) {
    const mask = maskMap.get(key);
    if (!mask) {
      problems.push({ file: img.name, reason: `image without a mask: no mask named ${key}.png` });
      continue;
    }
    const pair = await loadPair(img, mask, opts);
    if ('reason' in pair) problems.push(pair);
    else pairs.push(pair);
  }
  for (const [key, mask] of maskMap) {
    if (!imageMap.has(key)) {
      problems.push({ file: mask.name, reason: `mask without an image: no image named ${key}.*` });
    }
  }
  return { pairs, problems };
}

async function loadPair(
  img: NamedFile,
  mask: NamedFile,
  opts: MaskImportOptions,
): Promise<ImportedPair | ImportProblem> {
  const maxPixels = opts.maxPixels ?? 4096 * 4096;
  let image: DecodedImage;
  try {
    if (isPng(img.bytes)) checkPngSize(img.bytes, maxPixels);
    image = await (opts.decode ?? decodePngImage)(img.bytes, img.name);
  } catch (err) {
    return { file: img.name, reason: `unreadable image: ${(err as Error).message}` };
  }
  if (image.width * image.height > maxPixels) {
    return {
      file: img.name,
      reason: `left out: it is ${image.width}x${image.height} pixels, over the limit`,
    };
  }
  let labels: Uint8Array;
  let mw: number;
  let mh: number;
  try {
    if (!isPng(mask.bytes)) throw new Error('masks must be PNG files');
    checkPngSize(mask.bytes, maxPixels);
    const png = decodePng(mask.bytes);
    mw = png.width;
    mh = png.height;
    labels = maskLabels(png, opts);
  } catch (err) {
    return { file: mask.name, reason: `unreadable mask: ${(err as Error).message}` };
  }
  if (mw !== image.width || mh !== image.height) {
    return {
      file: mask.name,
      reason: `mask of the wrong size: it is ${mw}x${mh} but its image ${img.name} is ${image.width}x${image.height}`,
    };
  }
  const n = image.width * image.height;
  const bad = labels.findIndex((c) => c >= opts.numClasses);
  if (bad >= 0) {
    return {
      file: mask.name,
      reason: `class index ${labels[bad]} at x=${bad % mw}, y=${Math.floor(bad / mw)} is beyond the ${opts.numClasses} declared classes (0 to ${opts.numClasses - 1})`,
    };
  }
  const rgb = new Uint8Array(n * 3);
  const c = image.channels;
  for (let i = 0; i < n; i++) {
    // Grey (and grey+alpha) spreads to RGB; alpha is dropped.
    rgb[i * 3] = image.data[i * c];
    rgb[i * 3 + 1] = image.data[i * c + (c >= 3 ? 1 : 0)];
    rgb[i * 3 + 2] = image.data[i * c + (c >= 3 ? 2 : 0)];
  }
  return { name: stem(img.name), width: image.width, height: image.height, image: rgb, labels };
}

/** Class indices `[height, width]` of a decoded mask PNG; throws a human message when the mask cannot be read as classes. */
function maskLabels(png: ReturnType<typeof decodePng>, opts: MaskImportOptions): Uint8Array {
  const n = png.width * png.height;
  const c = png.channels;
  if (opts.classColors) {
    const lookup = new Map(opts.classColors.map(([r, g, b], k) => [(r << 16) | (g << 8) | b, k]));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const r = png.data[i * c];
      const g = png.data[i * c + (c >= 3 ? 1 : 0)];
      const b = png.data[i * c + (c >= 3 ? 2 : 0)];
      const k = lookup.get((r << 16) | (g << 8) | b);
      if (k === undefined) {
        throw new Error(
          `colour (${r}, ${g}, ${b}) at x=${i % png.width}, y=${Math.floor(i / png.width)} is none of the ${opts.classColors.length} class colours`,
        );
      }
      out[i] = k;
    }
    return out;
  }
  if (png.indices) return png.indices;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = png.data[i * c];
    if (c >= 3 && (png.data[i * c + 1] !== v || png.data[i * c + 2] !== v)) {
      throw new Error('it is a colour mask; give one colour per class to read it');
    }
    out[i] = v;
  }
  // A two-class mask saved as black/white (0/255) is read as 0/1.
  if (opts.numClasses === 2 && out.every((v) => v === 0 || v === 255)) {
    for (let i = 0; i < n; i++) out[i] = out[i] ? 1 : 0;
  }
  return out;
}

/** An imported pair resized to `size` x `size` (image bilinear, labels nearest) for the segmenter. */
export function toSegPair(pair: ImportedPair, size: number): SegPair {
  return {
    size,
    image: resizeImage(pair.image, 3, pair.height, pair.width, size, 'bilinear'),
    labels: resizeImage(pair.labels, 1, pair.height, pair.width, size, 'nearest'),
  };
}
