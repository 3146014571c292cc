// A person's own segmentation data inside the segmenter worker: import of image/mask pairs into
// storage, the held-out split of a stored dataset, and prediction on one picked image. Pixels stay
// plain bytes; only predictLabels touches tfjs.
import type * as tf from '@tensorflow/tfjs';
import { importPairsFromFiles, toSegPair } from '../../data/mask-import';
import type { ImportProblem, MaskImportOptions } from '../../data/mask-import';
import { unzipChecked, type NamedFile } from '../../data/zip';
import { resizeImage } from '../../data/augment';
import { encodePng, gridImage } from '../../data/png';
import type { SegPair } from '../../data/seg-dataset';
import { predictLabels } from '../../models/segmenter/train';
import { CLASS_COLORS } from '../../shared/class-colors';
import { Rng } from '../../shared/rng';
import type { AppDatabase } from '../../storage/db';
import { getSegDataset, newSegDatasetId, putSegDataset } from '../../storage/seg-datasets';
import type { SegDataset } from '../../storage/seg-datasets';
import { decodeAnyImage } from '../runtime/image-decode';
import type { ImportPairsResult, MaskFormat, PairSource } from '../../shared/protocol/segmentation';

/** The most mask classes an import accepts: one per palette colour. */
export const MAX_IMPORT_CLASSES = CLASS_COLORS.length;

// Files are read in groups of this many name stems, so a big import never holds more than this many
// full-size images at once: each group is resized to the model size before the next is decoded.
const STEMS_PER_CHUNK = 16;

function stem(name: string): string {
  const base = name.split('/').pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** RGBA mask image: class colours, background fully transparent, `[size, size, 4]`. */
export function maskRgba(labels: Uint8Array, size: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 4);
  labels.forEach((l, i) => {
    const c = CLASS_COLORS[l] ?? [255, 255, 255];
    out.set([c[0], c[1], c[2], l === 0 ? 0 : 255], i * 4);
  });
  return out;
}

/** RGB mask image (background black) `[size, size, 3]`, for side-by-side previews. */
export function maskRgb(labels: Uint8Array, size: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 3);
  labels.forEach((l, i) => out.set(CLASS_COLORS[l] ?? [255, 255, 255], i * 3));
  return out;
}

type SmallPair = SegPair & { name: string };

// Like importPairsFromZip, but the files go through readFilePairs so that they are decoded a group at
// a time; the folder rule is the same: a file belongs to the innermost images/ or masks/ folder.
async function readZipPairs(
  zip: Uint8Array,
  opts: MaskImportOptions,
  size: number,
  zipName: string,
): Promise<{ pairs: SmallPair[]; problems: ImportProblem[] }> {
  const unzipped = unzipChecked(zip, opts);
  if ('reason' in unzipped)
    return { pairs: [], problems: [{ file: zipName, reason: unzipped.reason }] };
  const images: NamedFile[] = [];
  const masks: NamedFile[] = [];
  const problems: ImportProblem[] = [];
  for (const f of unzipped.files) {
    const dirs = f.name
      .split('/')
      .slice(0, -1)
      .map((d) => d.toLowerCase());
    if (dirs.includes('masks')) masks.push(f);
    else if (dirs.includes('images')) images.push(f);
    else
      problems.push({
        file: f.name,
        reason: 'left out: it is in neither an images/ nor a masks/ folder',
      });
  }
  const r = await readFilePairs(images, masks, opts, size);
  return { pairs: r.pairs, problems: [...problems, ...r.problems] };
}

async function readFilePairs(
  images: readonly NamedFile[],
  masks: readonly NamedFile[],
  opts: MaskImportOptions,
  size: number,
): Promise<{ pairs: SmallPair[]; problems: ImportProblem[] }> {
  const groups = new Map<string, { images: NamedFile[]; masks: NamedFile[] }>();
  const group = (name: string) => {
    const key = stem(name);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { images: [], masks: [] }));
    return g;
  };
  for (const f of images) group(f.name).images.push(f);
  for (const f of masks) group(f.name).masks.push(f);
  const keys = [...groups.keys()].sort((a, b) => a.localeCompare(b));
  const pairs: SmallPair[] = [];
  const problems: ImportProblem[] = [];
  for (let at = 0; at < keys.length; at += STEMS_PER_CHUNK) {
    const chunk = keys.slice(at, at + STEMS_PER_CHUNK).map((k) => groups.get(k)!);
    const r = await importPairsFromFiles(
      chunk.flatMap((g) => g.images),
      chunk.flatMap((g) => g.masks),
      opts,
    );
    pairs.push(...r.pairs.map((p) => ({ name: p.name, ...toSegPair(p, size) })));
    problems.push(...r.problems);
  }
  return { pairs, problems };
}

/** Checks, resizes to `size` x `size` and stores a person's image/mask pairs; stores nothing when no pair loads. */
export async function importSegPairs(
  db: AppDatabase,
  source: PairSource,
  opts: { numClasses: number; maskFormat: MaskFormat; size: number; name: string },
): Promise<ImportPairsResult> {
  const { numClasses, maskFormat, size, name } = opts;
  if (!Number.isInteger(numClasses) || numClasses < 2 || numClasses > MAX_IMPORT_CLASSES) {
    throw new Error(
      `The number of classes must be a whole number from 2 to ${MAX_IMPORT_CLASSES}.`,
    );
  }
  const readOpts: MaskImportOptions = {
    numClasses,
    decode: decodeAnyImage,
    ...(maskFormat === 'colors' ? { classColors: CLASS_COLORS.slice(0, numClasses) } : {}),
  };
  const { pairs, problems } =
    source instanceof Uint8Array
      ? await readZipPairs(source, readOpts, size, name)
      : await readFilePairs(source.images, source.masks, readOpts, size);
  const result = { name, count: pairs.length, numClasses, problems };
  if (pairs.length === 0) {
    return {
      ...result,
      id: null,
      previewPng: null,
      message: `No image/mask pair could be loaded from “${name}”, so nothing was stored${problems.length ? '; the reasons are listed below' : ''}.`,
    };
  }
  const n = size * size;
  const ds: SegDataset = {
    id: newSegDatasetId(),
    name,
    size,
    count: pairs.length,
    numClasses,
    maskFormat,
    names: pairs.map((p) => p.name),
    addedAt: Date.now(),
    images: new Uint8Array(pairs.length * n * 3),
    labels: new Uint8Array(pairs.length * n),
  };
  pairs.forEach((p, k) => {
    ds.images.set(p.image, k * n * 3);
    ds.labels.set(p.labels, k * n);
  });
  await putSegDataset(db, ds);
  const shown = pairs.slice(0, 8);
  const grid = gridImage(
    [
      ...shown.map((p) => Uint8ClampedArray.from(p.image)),
      ...shown.map((p) => maskRgb(p.labels, size)),
    ],
    size,
    shown.length,
    1,
  );
  const left = problems.length ? `; ${problems.length} left out (listed below)` : '';
  return {
    ...result,
    id: ds.id,
    previewPng: encodePng(grid.data, grid.width, grid.height, 3),
    message: `Stored ${pairs.length} pair${pairs.length === 1 ? '' : 's'} from “${name}” at ${size}x${size}${left}.`,
  };
}

/** The pairs of a stored dataset split into training and held-out pairs (10 %, at least 1), the same for the same seed; `ref.name` names it in errors ('' when unknown). */
export async function loadImportedPairs(
  db: AppDatabase,
  ref: { id: string; name: string },
  seed: number,
): Promise<{ dataset: SegDataset; train: SegPair[]; heldOut: SegPair[] }> {
  const dataset = await getSegDataset(db, ref.id);
  if (!dataset) {
    throw new Error(
      `The imported pairs${ref.name ? ` “${ref.name}”` : ''} are no longer stored on this device: import them again and start a new session.`,
    );
  }
  const { count, size } = dataset;
  if (count < 2) {
    throw new Error(
      `“${dataset.name}” holds ${count} pair; training needs at least 2 (one is held out for scoring).`,
    );
  }
  const n = size * size;
  const all: SegPair[] = Array.from({ length: count }, (_, k) => ({
    size,
    image: dataset.images.subarray(k * n * 3, (k + 1) * n * 3),
    labels: dataset.labels.subarray(k * n, (k + 1) * n),
  }));
  // Seeded Fisher–Yates, so a resumed session holds out exactly the pairs it held out before.
  const order = all.map((_, i) => i);
  const rng = new Rng(seed ^ 0x4e1d);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const held = Math.max(1, Math.round(count * 0.1));
  const heldSet = new Set(order.slice(0, held));
  return {
    dataset,
    train: all.filter((_, i) => !heldSet.has(i)),
    heldOut: all.filter((_, i) => heldSet.has(i)),
  };
}

/** Predicts the mask of one image file: the image at the model size, its mask as an RGBA overlay, and the labels `[size, size]`. */
export async function predictImage(
  model: tf.LayersModel,
  size: number,
  bytes: Uint8Array,
  name: string,
): Promise<{ size: number; imagePng: Uint8Array; maskPng: Uint8Array; labels: Uint8Array }> {
  let img;
  try {
    img = await decodeAnyImage(bytes, name);
  } catch (err) {
    throw new Error(`Cannot read “${name}”: ${(err as Error).message}.`);
  }
  const c = img.channels;
  const px = img.width * img.height;
  const rgb = new Uint8Array(px * 3);
  for (let i = 0; i < px; i++) {
    rgb[i * 3] = img.data[i * c];
    rgb[i * 3 + 1] = img.data[i * c + (c >= 3 ? 1 : 0)];
    rgb[i * 3 + 2] = img.data[i * c + (c >= 3 ? 2 : 0)];
  }
  const image = resizeImage(rgb, 3, img.height, img.width, size, 'bilinear');
  const input = Float32Array.from(image, (v) => v / 255);
  const labels = await predictLabels(model, input, 1, size);
  return {
    size,
    imagePng: encodePng(image, size, size, 3),
    maskPng: encodePng(maskRgba(labels, size), size, size, 4),
    labels,
  };
}
