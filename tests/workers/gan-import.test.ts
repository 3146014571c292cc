import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../src/data/png';
import type { TrainProgress } from '../../src/shared/protocol';
import { openAppDb } from '../../src/storage/db';
import { getImagePool } from '../../src/storage/image-sets';
import { createGanApi } from '../../src/workers/faces/api';

/** A 40x30 PNG filled with one colour per image. */
function swatch(i: number): Uint8Array {
  const rgb = new Uint8Array(40 * 30 * 3).map((_, k) => (k % 3 === i % 3 ? 60 + 30 * i : 20));
  return encodePng(rgb, 40, 30, 3);
}

function untilStopped() {
  let resolve!: (p: TrainProgress) => void;
  const done = new Promise<TrainProgress>((r) => (resolve = r));
  return { done, onProgress: (p: TrainProgress) => p.state !== 'running' && resolve(p) };
}

describe('GAN worker API: imported images', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('imports a zip, lists it, trains 2 steps on it and resumes from it', async () => {
    const factory = new IDBFactory();
    const api = createGanApi({ openDb: () => openAppDb('gan-import', factory) });
    await api.init('cpu');
    const entries: Record<string, Uint8Array> = { 'notes.txt': new TextEncoder().encode('x') };
    for (let i = 0; i < 6; i++) entries[`img${i}.png`] = swatch(i);
    const zip = zipSync(entries) as Uint8Array<ArrayBuffer>;
    const report = await api.importImages([{ name: 'mine.zip', blob: new Blob([zip]) }], 'Mine');
    expect(report).toMatchObject({ name: 'Mine', count: 6 });
    expect(report.id).toBeTruthy();
    expect(report.skipped).toEqual([
      { file: 'mine.zip/notes.txt', reason: expect.stringMatching(/not an image/) },
    ]);
    expect(report.message).toMatch(/Imported 6 images; 1 file was skipped/);
    const preview = decodePng(report.previewPng!);
    expect([preview.width, preview.height]).toEqual([4 * 66 + 2, 2 * 66 + 2]);

    const db = await openAppDb('gan-import', factory);
    expect((await getImagePool(db, report.id!, 32))!.length).toBe(6 * 32 * 32 * 3);
    expect((await getImagePool(db, report.id!, 64))!.length).toBe(6 * 64 * 64 * 3);
    const sets = await api.imageSets();
    expect(sets.map(({ id, name, count, sizes }) => ({ id, name, count, sizes }))).toEqual([
      { id: report.id, name: 'Mine', count: 6, sizes: [32, 64] },
    ]);

    const dataset = { kind: 'imported', id: report.id!, name: 'Mine' } as const;
    const run = untilStopped();
    const meta = await api.startNew(
      { dataset, config: { imageSize: 32, width: 'small', batchSize: 4 }, seed: 1 },
      run.onProgress,
      2,
    );
    expect(await run.done).toMatchObject({ state: 'paused', step: 2 });
    expect(meta.dataset).toBe('Mine');

    // A fresh worker resumes from the stored pool; once the set is deleted it says so.
    const again = createGanApi({ openDb: () => openAppDb('gan-import', factory) });
    await again.init('cpu');
    const more = untilStopped();
    expect((await again.resume(meta.id, more.onProgress, 1)).step).toBe(2);
    expect(await more.done).toMatchObject({ step: 3 });
    await again.deleteImageSet(report.id!);
    expect(await again.imageSets()).toEqual([]);
    const third = createGanApi({ openDb: () => openAppDb('gan-import', factory) });
    await third.init('cpu');
    await expect(third.resume(meta.id, () => {}, 1)).rejects.toThrow(/no longer stored/);
  });

  it('reports zero usable images with a clear message and stores nothing', async () => {
    const factory = new IDBFactory();
    const api = createGanApi({ openDb: () => openAppDb('gan-import', factory) });
    const text = new TextEncoder().encode('not a picture') as Uint8Array<ArrayBuffer>;
    const report = await api.importImages(
      [
        { name: 'a.txt', blob: new Blob([text]) },
        { name: 'b.png', blob: new Blob([text]) },
      ],
      'Nothing',
    );
    expect(report).toMatchObject({ id: null, count: 0, previewPng: null });
    expect(report.skipped).toHaveLength(2);
    expect(report.message).toMatch(/No usable images were found; 2 files were skipped/);
    expect(await api.imageSets()).toEqual([]);
  });
});
