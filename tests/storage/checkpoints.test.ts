import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionMeta } from '../../src/shared/protocol';
import {
  DB_VERSION,
  MIGRATIONS,
  isQuotaError,
  openAppDb,
  toStorageError,
  type AppDatabase,
} from '../../src/storage/db';
import {
  StorageFullError,
  deleteSession,
  duplicateSession,
  getSession,
  listSessions,
  loadCheckpoint,
  newSessionId,
  renameSession,
  saveCheckpoint,
  type Checkpoint,
  type TensorBlob,
} from '../../src/storage/checkpoints/store';

function blob(values: number[]): TensorBlob {
  return {
    specs: [{ name: 'w', shape: [values.length], dtype: 'float32' }],
    data: new Float32Array(values).buffer,
  };
}

function makeMeta(id: string, over: Partial<SessionMeta> = {}): SessionMeta {
  return {
    id,
    name: `session ${id}`,
    model: 'char-lstm',
    dataset: 'Moby-Dick',
    step: 0,
    epoch: 0,
    lastLoss: NaN,
    createdAt: 1000,
    savedAt: 1000,
    sizeBytes: 0,
    backend: 'cpu',
    ...over,
  };
}

function makeCkpt(id: string, step: number): Checkpoint {
  return {
    sessionId: id,
    model: 'char-lstm',
    version: 1,
    step,
    epoch: 1,
    cursor: step * 128,
    rngState: 0xdeadbeef + step,
    config: { maxLen: 40, lr: 0.01, nested: { units: [128] } },
    topologies: { model: { class_name: 'Sequential', config: { layers: [] } } },
    weights: { model: blob([step, 1.5, -2.25, 3e-8]) },
    optimizers: { opt: blob([0.1 * step, 0.2]) },
    history: [{ step, metrics: { loss: 2 / (step + 1) } }],
    samples: ['the whale', new Uint8Array([137, 80, 78, 71, step])],
    extra: { seedText: 'call me ishmael', flags: [true, false] },
  };
}

let db: AppDatabase;
beforeEach(async () => {
  db = await openAppDb('test', new IDBFactory());
});
afterEach(() => {
  vi.restoreAllMocks();
  db.close();
});

describe('schema', () => {
  it('creates every v1 store and index on an empty database', () => {
    expect(DB_VERSION).toBe(1);
    expect(db.version).toBe(1);
    expect([...db.objectStoreNames].sort()).toEqual([
      'checkpoints',
      'corpora',
      'files',
      'sessions',
    ]);
    const tx = db.transaction(['sessions', 'checkpoints']);
    const sessions = tx.objectStore('sessions');
    expect(sessions.keyPath).toBe('id');
    expect([...sessions.indexNames].sort()).toEqual(['by-model', 'by-savedAt']);
    expect(tx.objectStore('checkpoints').keyPath).toBe('sessionId');
  });

  it('a later version adds a store without losing saved sessions', async () => {
    const factory = new IDBFactory();
    const v1 = await openAppDb('upgrade', factory);
    await saveCheckpoint(v1, makeMeta('a'), makeCkpt('a', 7));
    v1.close();
    const v2 = await openAppDb('upgrade', factory, [
      ...MIGRATIONS,
      (d) => {
        (d as unknown as IDBDatabase).createObjectStore('later');
      },
    ]);
    expect(v2.version).toBe(2);
    expect([...v2.objectStoreNames]).toContain('later');
    expect((await loadCheckpoint(v2, 'a'))?.step).toBe(7);
    expect((await getSession(v2, 'a'))?.name).toBe('session a');
    v2.close();
  });
});

describe('saveCheckpoint / loadCheckpoint', () => {
  it('reads back exactly what was written, bytes included', async () => {
    const ckpt = makeCkpt('s1', 42);
    const stored = await saveCheckpoint(db, makeMeta('s1', { step: 42 }), ckpt);
    const back = await loadCheckpoint(db, 's1');
    expect(back).toStrictEqual(ckpt);
    expect([...new Uint8Array(back!.weights.model!.data)]).toEqual([
      ...new Uint8Array(ckpt.weights.model!.data),
    ]);
    expect(back!.samples[1]).toBeInstanceOf(Uint8Array);
    // The comparison above would notice a single changed byte.
    const tampered = structuredClone(ckpt);
    new Uint8Array(tampered.weights.model!.data)[3]! ^= 1;
    expect(back).not.toStrictEqual(tampered);

    expect(await getSession(db, 's1')).toStrictEqual(stored);
    // 16 + 8 weight/optimizer bytes plus 5 PNG bytes at least, and JSON parts on top.
    expect(stored.sizeBytes).toBeGreaterThan(29);
    expect(stored.sizeBytes).toBeLessThan(5000);
  });

  it('keeps exactly one checkpoint per session, the latest', async () => {
    await saveCheckpoint(db, makeMeta('s1'), makeCkpt('s1', 1));
    await saveCheckpoint(db, makeMeta('s1', { step: 2 }), makeCkpt('s1', 2));
    expect(await db.count('checkpoints')).toBe(1);
    expect((await loadCheckpoint(db, 's1'))?.step).toBe(2);
    expect((await getSession(db, 's1'))?.step).toBe(2);
  });

  it('writes in one strict-durability transaction over both stores', async () => {
    const spy = vi.spyOn(IDBDatabase.prototype, 'transaction');
    await saveCheckpoint(db, makeMeta('s1'), makeCkpt('s1', 1));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toEqual(['sessions', 'checkpoints']);
    expect(spy.mock.calls[0]![1]).toBe('readwrite');
    expect(spy.mock.calls[0]![2]).toEqual({ durability: 'strict' });
  });

  it('a fault between the two puts leaves the previous checkpoint and meta unchanged', async () => {
    const meta1 = await saveCheckpoint(
      db,
      makeMeta('s1', { step: 10, savedAt: 10 }),
      makeCkpt('s1', 10),
    );
    const meta2 = makeMeta('s1', { step: 20, savedAt: 20, name: 'renamed in flight' });
    await expect(
      saveCheckpoint(db, meta2, makeCkpt('s1', 20), { faultAfterFirstPut: true }),
    ).rejects.toThrow(/Injected fault/);
    expect(await loadCheckpoint(db, 's1')).toStrictEqual(makeCkpt('s1', 10));
    expect(await getSession(db, 's1')).toStrictEqual(meta1);
  });

  it('a failed first-ever save leaves nothing behind', async () => {
    await expect(
      saveCheckpoint(db, makeMeta('s1'), makeCkpt('s1', 1), { faultAfterFirstPut: true }),
    ).rejects.toThrow(/Injected fault/);
    expect(await db.count('sessions')).toBe(0);
    expect(await db.count('checkpoints')).toBe(0);
    expect(await listSessions(db)).toEqual([]);
  });

  it('maps QuotaExceededError to StorageFullError and keeps the previous checkpoint', async () => {
    const meta1 = await saveCheckpoint(db, makeMeta('s1', { step: 1 }), makeCkpt('s1', 1));
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (this.name === 'checkpoints') throw new DOMException('quota', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const err = await saveCheckpoint(db, makeMeta('s1', { step: 2 }), makeCkpt('s1', 2)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(/^Storage is full: /);
    expect((err as Error).message).toContain('step 2');
    expect(((err as Error).cause as DOMException).name).toBe('QuotaExceededError');
    vi.restoreAllMocks();
    expect((await loadCheckpoint(db, 's1'))?.step).toBe(1);
    expect(await getSession(db, 's1')).toStrictEqual(meta1);
  });

  it('recognises quota errors in their browser shapes and passes other errors through', () => {
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaError({ name: 'Error', code: 22 })).toBe(true);
    expect(
      isQuotaError(new Error('x', { cause: new DOMException('x', 'QuotaExceededError') })),
    ).toBe(true);
    expect(isQuotaError(new DOMException('x', 'AbortError'))).toBe(false);
    const other = new TypeError('boom');
    expect(toStorageError(other, 'x')).toBe(other);
    expect(toStorageError(new DOMException('x', 'QuotaExceededError'), 'y')).toBeInstanceOf(
      StorageFullError,
    );
  });

  it('refuses a checkpoint that belongs to another session', async () => {
    await expect(saveCheckpoint(db, makeMeta('a'), makeCkpt('b', 1))).rejects.toThrow(
      /does not match/,
    );
    expect(await db.count('sessions')).toBe(0);
  });
});

describe('session management', () => {
  beforeEach(async () => {
    await saveCheckpoint(db, makeMeta('old', { savedAt: 100 }), makeCkpt('old', 1));
    await saveCheckpoint(db, makeMeta('new', { savedAt: 300 }), makeCkpt('new', 3));
    const gan = makeMeta('gan', { savedAt: 200, model: 'gan' });
    await saveCheckpoint(db, gan, { ...makeCkpt('gan', 2), model: 'gan' });
  });

  it('lists newest first, optionally by model', async () => {
    expect((await listSessions(db)).map((s) => s.id)).toEqual(['new', 'gan', 'old']);
    expect((await listSessions(db, 'char-lstm')).map((s) => s.id)).toEqual(['new', 'old']);
    expect((await listSessions(db, 'segmenter')).length).toBe(0);
  });

  it('renames', async () => {
    const renamed = await renameSession(db, 'old', 'Moby run 1');
    expect(renamed.name).toBe('Moby run 1');
    expect((await getSession(db, 'old'))?.name).toBe('Moby run 1');
    await expect(renameSession(db, 'missing', 'x')).rejects.toThrow(/No session/);
  });

  it('duplicates under a new id with an independent copy of the checkpoint', async () => {
    const copy = await duplicateSession(db, 'old', 'branch');
    expect(copy.id).not.toBe('old');
    expect(copy.name).toBe('branch');
    const ckpt = await loadCheckpoint(db, copy.id);
    expect(ckpt).toStrictEqual({ ...makeCkpt('old', 1), sessionId: copy.id });
    await db.put('checkpoints', { ...ckpt!, samples: [] });
    expect((await loadCheckpoint(db, 'old'))?.samples.length).toBe(2);
    expect(await db.count('sessions')).toBe(4);
  });

  it('deletes meta and checkpoint together', async () => {
    await deleteSession(db, 'old');
    expect(await getSession(db, 'old')).toBeUndefined();
    expect(await loadCheckpoint(db, 'old')).toBeUndefined();
    expect((await listSessions(db)).map((s) => s.id)).toEqual(['new', 'gan']);
  });

  it('makes unique ids', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newSessionId()));
    expect(ids.size).toBe(100);
  });
});
