// Imported segmentation datasets kept in the `files` store, so that training on a person's own
// image/mask pairs works offline and resumes after a reload. A dataset is two records written in one
// transaction: `seg-pairs/<uuid>` holds images then labels at the model size, and
// `seg-pairs/<uuid>/info` a small JSON header, so lists never read pixels and an import is whole or absent.
// (The Faces tab's image sets share the store with `<id>:<size>` keys; these keys never contain ':'.)
import { toStorageError } from './db';
import type { AppDatabase, FileRecord } from './db';

const PREFIX = 'seg-pairs/';
const PIXELS_KIND = 'seg-pairs';
const INFO_KIND = 'seg-pairs-info';

/** What an imported segmentation dataset's header records about its pairs. */
export interface SegDatasetInfo {
  id: string;
  name: string;
  /** Images and masks are size x size. */
  size: number;
  count: number;
  numClasses: number;
  /** How the masks were read: class indices or the built-in colour palette. */
  maskFormat: 'indices' | 'colors';
  /** The pair names (file stems), in stored order. */
  names: string[];
  addedAt: number;
}

/** A stored dataset: images `[count, size, size, 3]` RGB bytes and labels `[count, size, size]` class indices. */
export interface SegDataset extends SegDatasetInfo {
  images: Uint8Array;
  labels: Uint8Array;
}

/** A fresh id for an imported segmentation dataset. */
export function newSegDatasetId(): string {
  return `${PREFIX}${crypto.randomUUID()}`;
}

/** Stores a segmentation dataset (pixels and header) in one transaction and resolves to its info. */
export async function putSegDataset(db: AppDatabase, ds: SegDataset): Promise<SegDatasetInfo> {
  const n = ds.count * ds.size * ds.size;
  if (ds.images.length !== n * 3 || ds.labels.length !== n || ds.names.length !== ds.count)
    throw new Error('putSegDataset: images, labels and names disagree with count and size');
  const info = infoOf(ds);
  const pixels = new Uint8Array(n * 4);
  pixels.set(ds.images);
  pixels.set(ds.labels, n * 3);
  const base = { name: ds.name, addedAt: ds.addedAt };
  const header = new TextEncoder().encode(JSON.stringify(info));
  const records: FileRecord[] = [
    { ...base, id: ds.id, kind: PIXELS_KIND, bytes: pixels.buffer },
    { ...base, id: `${ds.id}/info`, kind: INFO_KIND, bytes: header.buffer as ArrayBuffer },
  ];
  try {
    const tx = db.transaction('files', 'readwrite');
    await Promise.all([...records.map((r) => tx.store.put(r)), tx.done]);
  } catch (err) {
    throw toStorageError(err, `the imported pairs “${ds.name}”`);
  }
  return info;
}

async function getInfo(db: AppDatabase, id: string): Promise<SegDatasetInfo | undefined> {
  const rec = await db.get('files', `${id}/info`);
  if (rec?.kind !== INFO_KIND) return undefined;
  return JSON.parse(new TextDecoder().decode(rec.bytes)) as SegDatasetInfo;
}

/** One stored segmentation dataset with its pixels, or `undefined` when it is not (or no longer) stored. */
export async function getSegDataset(db: AppDatabase, id: string): Promise<SegDataset | undefined> {
  const info = await getInfo(db, id);
  const rec = await db.get('files', id);
  if (!info || rec?.kind !== PIXELS_KIND) return undefined;
  const n = info.count * info.size * info.size;
  const bytes = new Uint8Array(rec.bytes);
  if (bytes.length !== n * 4) throw new Error(`The stored pairs “${info.name}” are damaged.`);
  return { ...info, images: bytes.subarray(0, n * 3), labels: bytes.subarray(n * 3) };
}

/** All stored segmentation datasets without their pixels, oldest first. */
export async function listSegDatasets(db: AppDatabase): Promise<SegDatasetInfo[]> {
  const keys = await db.getAllKeys('files', IDBKeyRange.bound(PREFIX, `${PREFIX}\uffff`));
  const infos: SegDatasetInfo[] = [];
  for (const key of keys) {
    if (!key.endsWith('/info')) continue;
    const info = await getInfo(db, key.slice(0, -'/info'.length));
    if (info) infos.push(info);
  }
  return infos.sort((a, b) => a.addedAt - b.addedAt);
}

/** Deletes a stored segmentation dataset; a missing id is not an error. */
export async function deleteSegDataset(db: AppDatabase, id: string): Promise<void> {
  const tx = db.transaction('files', 'readwrite');
  await Promise.all([tx.store.delete(id), tx.store.delete(`${id}/info`), tx.done]);
}

function infoOf(ds: SegDatasetInfo): SegDatasetInfo {
  const { id, name, size, count, numClasses, maskFormat, names, addedAt } = ds;
  return { id, name, size, count, numClasses, maskFormat, names, addedAt };
}
