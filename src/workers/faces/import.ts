// A person's own images as a Faces training set, inside the GAN worker: decode, centre-crop and
// resize every picked file (or zip entry) to both model sizes, then store the pools and a preview in
// one transaction. Bad input never throws: it comes back as skipped files and a message.
import type { ImageSource } from '../../data/image-import';
import { MAX_IMPORT_IMAGES, importImages } from '../../data/image-import';
import type { ImportProblem } from '../../data/mask-import';
import { encodePng, gridImage } from '../../data/png';
import type { AppDatabase } from '../../storage/db';
import { putImageSet } from '../../storage/image-sets';
import { decodeImageShrunk } from '../runtime/image-decode';
import type { ImageImportReport } from '../../shared/protocol/faces';

/** The image sizes the Faces models train on; an import stores both so either size can use it. */
export const FACE_SIZES = [32, 64] as const;

/** Imports images (files, folder files or .zip files) and stores them as a Faces image set. */
export async function importFaceImages(
  db: AppDatabase,
  files: readonly ImageSource[],
  name: string,
  onProgress?: (read: number) => void,
): Promise<ImageImportReport> {
  const none = (skipped: ImportProblem[], message: string): ImageImportReport => ({
    id: null,
    name,
    count: 0,
    skipped,
    previewPng: null,
    message,
  });
  if (!files.length) return none([], 'No files were chosen.');
  let result;
  try {
    result = await importImages(files, {
      sizes: FACE_SIZES,
      // The browser shrinks photos to 4x the largest model size first; the box filter does the rest.
      decode: decodeImageShrunk(4 * 64),
      maxPixels: 100_000_000,
      onProgress,
    });
  } catch (err) {
    // The importer reports bad files itself; anything else (out of memory, a read error) lands here.
    return none([], `The import failed: ${(err as Error).message}`);
  }
  const { count, pools, skipped } = result;
  const s = skipped.length;
  const skippedText = s ? `; ${s} file${s === 1 ? ' was' : 's were'} skipped (see the list)` : '';
  if (!count) return none(skipped, `No usable images were found${skippedText}.`);
  const preview = previewGrid(pools.get(64)!, count);
  const info = await putImageSet(db, { name, count, pools, preview });
  const capped = count === MAX_IMPORT_IMAGES ? ` (the most one import holds)` : '';
  return {
    id: info.id,
    name,
    count,
    skipped,
    previewPng: preview,
    message: `Imported ${count} image${count === 1 ? '' : 's'}${capped}${skippedText}.`,
  };
}

/** A 4-column PNG grid of the first 16 images of a 64x64 pool. */
function previewGrid(pool: Uint8Array, count: number): Uint8Array {
  const n = 64 * 64 * 3;
  const shown = Array.from(
    { length: Math.min(16, count) },
    (_, i) => new Uint8ClampedArray(pool.buffer, pool.byteOffset + i * n, n),
  );
  const grid = gridImage(shown, 64, Math.min(4, shown.length));
  return encodePng(grid.data, grid.width, grid.height, 3);
}
