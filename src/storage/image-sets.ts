// Imported image sets for the Faces tab, kept in the `files` store: one record per image size
// (`<id>:<size>`, RGB bytes `[count, size, size, 3]`) and one preview record (`<id>:preview`, a PNG
// grid). All records of an import are written in one transaction, so an import is whole or absent.
import { toStorageError } from './db';
import type { AppDatabase, FileRecord } from './db';

/** An imported image set without its pixels, for lists. */
export interface ImageSetInfo {
  id: string;
  name: string;
  count: number;
  sizes: number[];
  addedAt: number;
  /** PNG grid of the first images. */
  preview: Uint8Array;
}

/** What a caller supplies to store an imported image set. */
export interface ImageSetInput {
  id?: string;
  name: string;
  count: number;
  /** One RGB pool `[count, size, size, 3]` per size. */
  pools: ReadonlyMap<number, Uint8Array>;
  preview: Uint8Array;
}

const POOL_KIND = 'image-pool';
const PREVIEW_KIND = 'image-preview';

function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

/** Stores every size of an imported image set and its preview in one transaction. */
export async function putImageSet(db: AppDatabase, input: ImageSetInput): Promise<ImageSetInfo> {
  const id = input.id ?? crypto.randomUUID();
  const addedAt = Date.now();
  const base = { name: input.name, addedAt, count: input.count };
  const records: FileRecord[] = [...input.pools].map(([size, pool]) => ({
    ...base,
    id: `${id}:${size}`,
    kind: POOL_KIND,
    bytes: ownBuffer(pool),
  }));
  records.push({
    ...base,
    id: `${id}:preview`,
    kind: PREVIEW_KIND,
    bytes: ownBuffer(input.preview),
  });
  try {
    const tx = db.transaction('files', 'readwrite');
    await Promise.all([...records.map((r) => tx.store.put(r)), tx.done]);
  } catch (err) {
    throw toStorageError(err, `the imported images “${input.name}”`);
  }
  return {
    id,
    name: input.name,
    count: input.count,
    sizes: [...input.pools.keys()],
    addedAt,
    preview: input.preview,
  };
}

/** The RGB pool `[count, size, size, 3]` of an imported set at `size`, or `undefined`. */
export async function getImagePool(
  db: AppDatabase,
  id: string,
  size: number,
): Promise<Uint8Array | undefined> {
  const rec = await db.get('files', `${id}:${size}`);
  return rec && new Uint8Array(rec.bytes);
}

/** All imported image sets (previews, not pixels), oldest first. */
export async function listImageSets(db: AppDatabase): Promise<ImageSetInfo[]> {
  // Keys only: the pools can be tens of MB each, and a list needs none of them.
  const keys = await db.getAllKeys('files');
  const sizes = new Map<string, number[]>();
  for (const key of keys) {
    const m = /^(.+):(\d+)$/.exec(key);
    if (m) sizes.set(m[1], [...(sizes.get(m[1]) ?? []), Number(m[2])]);
  }
  const infos: ImageSetInfo[] = [];
  for (const key of keys) {
    if (!key.endsWith(':preview')) continue;
    const rec = await db.get('files', key);
    if (rec?.kind !== PREVIEW_KIND) continue;
    const id = key.slice(0, -':preview'.length);
    infos.push({
      id,
      name: rec.name,
      count: rec.count ?? 0,
      sizes: (sizes.get(id) ?? []).sort((a, b) => a - b),
      addedAt: rec.addedAt,
      preview: new Uint8Array(rec.bytes),
    });
  }
  return infos.sort((a, b) => a.addedAt - b.addedAt);
}

/** Deletes every record of an imported image set; a missing id is not an error. */
export async function deleteImageSet(db: AppDatabase, id: string): Promise<void> {
  const tx = db.transaction('files', 'readwrite');
  const range = IDBKeyRange.bound(`${id}:`, `${id}:\uffff`);
  await Promise.all([tx.store.delete(range), tx.done]);
}
