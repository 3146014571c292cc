// The worker is the only writer of a session: rename, duplicate and delete are intents to it, and
// its errors reach the page with their codes.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { expose, wrap } from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type SessionMeta, type TrainProgress } from '../../src/shared/protocol';
import { starterId } from '../../src/shared/starters';
import { getSession, listSessions, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb } from '../../src/storage/db';
import type { CharLstmApi } from '../../src/shared/protocol/apis';
import { createCharLstmApi } from '../../src/workers/text/api';
import { uniqueName } from '../../src/workers/runtime/session-names';

const TEXT = 'to be or not to be, that is the question. '.repeat(20);
const CONFIG = { units: 8, batchSize: 8, maxLen: 12 };
const corpus = { kind: 'bundled', name: 'test text' } as const;

function setup() {
  const factory = new IDBFactory();
  const openDb = () => openAppDb('single-writer', factory);
  const api = createCharLstmApi({ openDb, loadBundled: async () => TEXT });
  return { api, openDb };
}

/** Progress messages, and a promise of the one that says the run stopped. */
function recorder(onEach: (p: TrainProgress) => void = () => undefined) {
  const seen: TrainProgress[] = [];
  let resolve!: (p: TrainProgress) => void;
  const done = new Promise<TrainProgress>((r) => (resolve = r));
  const onProgress = (p: TrainProgress) => {
    seen.push(p);
    onEach(p);
    if (p.state !== 'running') resolve(p);
  };
  return { seen, done, onProgress };
}

async function trained(api: CharLstmApi, steps = 3, name?: string): Promise<SessionMeta> {
  const run = recorder();
  const meta = await api.startNew({ corpus, name, config: CONFIG, seed: 1 }, run.onProgress, steps);
  await run.done;
  return meta;
}

describe('the worker is the only writer of a session', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a rename during training survives the autosaves that follow it', async () => {
    const { api, openDb } = setup();
    await api.init('cpu');
    api.setAutosave({ everySteps: 3, everySeconds: 1e9 });
    let renamed: Promise<SessionMeta> | null = null;
    let renamedAt = -1;
    const run = recorder((p) => {
      if (renamed || p.savedStep === undefined || p.state !== 'running') return;
      renamedAt = p.step;
      renamed = api.rename(p.sessionId, 'Renamed mid-run');
    });
    const meta = await api.startNew({ corpus, config: CONFIG, seed: 2 }, run.onProgress, 12);
    const end = await run.done;
    expect(await renamed).toMatchObject({ id: meta.id, name: 'Renamed mid-run' });
    expect(end).toMatchObject({ state: 'paused', savedStep: 12 });
    const later = run.seen.filter((p) => p.saved && p.step > renamedAt);
    expect(later.length).toBeGreaterThan(0);
    expect(later.map((p) => p.saved!.name)).toEqual(later.map(() => 'Renamed mid-run'));
    expect(await getSession(await openDb(), meta.id)).toMatchObject({
      name: 'Renamed mid-run',
      step: 12,
    });
    expect(api.status()!.meta.name).toBe('Renamed mid-run');
  });

  it('deleting the loaded, paused session unloads it; Sample then cannot bring it back', async () => {
    const { api, openDb } = setup();
    await api.init('cpu');
    const meta = await trained(api);
    expect(api.status()?.meta.id).toBe(meta.id);
    await api.remove(meta.id);
    expect(api.status()).toBeNull();
    const err = await api
      .sample({ length: 5, temperatures: [1] }, () => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('no-session');
    await api.checkpoint();
    const db = await openDb();
    expect(await listSessions(db)).toEqual([]);
    expect(await loadCheckpoint(db, meta.id)).toBeUndefined();
  });

  it('deleting the session that trains stops it first and leaves nothing behind', async () => {
    const { api, openDb } = setup();
    await api.init('cpu');
    const run = recorder();
    const meta = await api.startNew({ corpus, config: CONFIG, seed: 3 }, run.onProgress);
    await api.remove(meta.id);
    await run.done;
    expect(api.status()).toBeNull();
    expect(await listSessions(await openDb())).toEqual([]);
  });

  it('duplicates and renames through the worker, with unique names', async () => {
    const { api, openDb } = setup();
    await api.init('cpu');
    const first = await trained(api, 2, 'Run');
    const copy = await api.duplicate(first.id);
    expect(copy).toMatchObject({ name: 'Run (copy)', step: 2 });
    expect(copy.id).not.toBe(first.id);
    expect((await api.duplicate(first.id)).name).toBe('Run (copy) (2)');
    const second = await trained(api, 1, 'Run');
    expect(second.name).toBe('Run (2)');

    const taken = await api.rename(copy.id, 'Run').catch((e: unknown) => e);
    expect((taken as AppError).code).toBe('bad-input');
    const empty = await api.rename(copy.id, '   ').catch((e: unknown) => e);
    expect((empty as AppError).code).toBe('bad-input');
    const missing = await api.rename('no-such-id', 'x').catch((e: unknown) => e);
    expect((missing as AppError).code).toBe('not-found');
    expect(await api.rename(copy.id, '  Branch  ')).toMatchObject({ id: copy.id, name: 'Branch' });
    expect((await getSession(await openDb(), copy.id))?.name).toBe('Branch');
    // A copy is a stored session of its own: deleting it leaves the original as it was.
    await api.remove(copy.id);
    expect(await getSession(await openDb(), first.id)).toMatchObject({ name: 'Run', step: 2 });
  });

  it('uniqueName adds the first free number', () => {
    expect(uniqueName('a', new Set())).toBe('a');
    expect(uniqueName('a', new Set(['a']))).toBe('a (2)');
    expect(uniqueName('a', new Set(['a', 'a (2)', 'a (3)']))).toBe('a (4)');
  });

  describe('through Comlink, as the page calls it', () => {
    const channel = new MessageChannel();
    afterAll(() => {
      channel.port1.close();
      channel.port2.close();
    });

    it('an error reaches the page with its code and message', async () => {
      const { api } = setup();
      expose(api, channel.port1 as unknown as Parameters<typeof expose>[1]);
      const remote = wrap<CharLstmApi>(channel.port2 as unknown as Parameters<typeof wrap>[0]);
      const err = await remote.rename(starterId('char-lstm'), 'Mine').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('read-only');
      expect((err as AppError).message).toMatch(/starter model is read-only/);
      const missing = await remote.open('no-such-id').catch((e: unknown) => e);
      expect((missing as AppError).code).toBe('not-found');
    });
  });
});
