import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openAppDb, StorageFullError, type AppDatabase } from '../../src/storage/db';
import { deleteCorpus, getCorpus, listCorpora, putCorpus } from '../../src/storage/corpora';

let db: AppDatabase;
beforeEach(async () => {
  db = await openAppDb('corpora', new IDBFactory());
});
afterEach(() => {
  vi.restoreAllMocks();
  db.close();
});

describe('corpora', () => {
  it('stores, lists without text, reads back and deletes', async () => {
    const moby = await putCorpus(db, {
      id: 'moby',
      name: 'Moby-Dick',
      text: 'Call me Ishmael.',
      source: 'bundled',
      addedAt: 1,
    });
    expect(moby).toEqual({
      id: 'moby',
      name: 'Moby-Dick',
      source: 'bundled',
      addedAt: 1,
      sizeBytes: 16,
    });
    // 9 characters, of which "é" takes 2 bytes and "—" 3 in UTF-8.
    const mine = await putCorpus(db, {
      name: 'notes.txt',
      text: 'café — ok',
      source: 'file',
      addedAt: 2,
    });
    expect(mine.sizeBytes).toBe(12);
    expect(mine.id).toMatch(/^[0-9a-f-]{36}$/);

    const list = await listCorpora(db);
    expect(list.map((c) => c.name)).toEqual(['Moby-Dick', 'notes.txt']);
    expect(list.every((c) => !('text' in c))).toBe(true);

    expect((await getCorpus(db, 'moby'))?.text).toBe('Call me Ishmael.');
    await putCorpus(db, { id: 'moby', name: 'Moby-Dick', text: 'Call me.', source: 'bundled' });
    expect((await getCorpus(db, 'moby'))?.text).toBe('Call me.');
    expect((await listCorpora(db)).length).toBe(2);

    await deleteCorpus(db, 'moby');
    expect(await getCorpus(db, 'moby')).toBeUndefined();
    await deleteCorpus(db, 'moby');
    expect((await listCorpora(db)).map((c) => c.id)).toEqual([mine.id]);
  });

  it('reports a full disk as StorageFullError and stores nothing', async () => {
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const err = await putCorpus(db, { name: 'huge.txt', text: 'x', source: 'file' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(/^Storage is full: the corpus “huge.txt”/);
    vi.restoreAllMocks();
    expect(await listCorpora(db)).toEqual([]);
  });
});
