// Two tabs are two workers on one database: a copy loaded in one tab never overwrites what the other
// saved since, nor brings back what it deleted; Train with changed batch size and learning rate
// continues the same session.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionMeta, TrainProgress } from '../../src/shared/protocol';
import { getSession, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb } from '../../src/storage/db';
import type { CharLstmApi } from '../../src/shared/protocol/apis';
import { createCharLstmApi } from '../../src/workers/text/api';
import type { CharLstmSessionConfig } from '../../src/shared/protocol/text';

const TEXT = 'to be or not to be, that is the question. '.repeat(20);
const CONFIG = { units: 8, batchSize: 8, maxLen: 12 };
const corpus = { kind: 'bundled', name: 'test text' } as const;
const SAMPLE = { length: 5, temperatures: [0.5] };

/** Two workers (tabs) on one database. */
async function twoTabs(): Promise<{
  a: CharLstmApi;
  b: CharLstmApi;
  db: ReturnType<typeof openAppDb>;
}> {
  const factory = new IDBFactory();
  const openDb = () => openAppDb('two-tabs', factory);
  const a = createCharLstmApi({ openDb, loadBundled: async () => TEXT });
  const b = createCharLstmApi({ openDb, loadBundled: async () => TEXT });
  await Promise.all([a.init('cpu'), b.init('cpu')]);
  return { a, b, db: openDb() };
}

/** Runs `steps` more steps; resolves when the run has paused with its checkpoint written. */
function ran(start: (onProgress: (p: TrainProgress) => void) => Promise<SessionMeta>) {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return start((p) => p.state !== 'running' && resolve()).then((meta) => done.then(() => meta));
}

describe('two tabs on one session', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a tab samples what the other tab saved since, and never saves its older copy back', async () => {
    const { a, b, db } = await twoTabs();
    const meta = await ran((p) => a.startNew({ corpus, config: CONFIG, seed: 1 }, p, 2));
    await b.open(meta.id);
    await ran((p) => a.resume(meta.id, p, 3));
    expect((await getSession(await db, meta.id))!.step).toBe(5);

    // B's Sample re-reads the checkpoint A wrote, so it samples step 5 and saves nothing older.
    const sample = await b.sample(SAMPLE, () => undefined);
    expect(sample.step).toBe(5);
    expect((await getSession(await db, meta.id))!.step).toBe(5);
  });

  it("a stale copy's save is refused rather than written over a newer checkpoint", async () => {
    const { a, b, db } = await twoTabs();
    const meta = await ran((p) => a.startNew({ corpus, config: CONFIG, seed: 1 }, p, 2));
    await b.open(meta.id);
    await ran((p) => a.resume(meta.id, p, 3));
    await expect(b.checkpoint()).rejects.toMatchObject({ code: 'locked' });
    expect((await getSession(await db, meta.id))!.step).toBe(5);
  });

  it('a session deleted in one tab is unloaded in the other and is not saved back', async () => {
    const { a, b, db } = await twoTabs();
    const meta = await ran((p) => a.startNew({ corpus, config: CONFIG, seed: 1 }, p, 2));
    await b.open(meta.id);
    await a.remove(meta.id);
    // The news travels over a BroadcastChannel; even before it arrives, B's save is refused.
    await expect(b.checkpoint()).rejects.toMatchObject({ code: 'not-found' });
    await expect.poll(() => b.status()).toBeNull();
    await expect(b.sample(SAMPLE, () => undefined)).rejects.toMatchObject({ code: 'no-session' });
    expect(await getSession(await db, meta.id)).toBeUndefined();
    expect(await loadCheckpoint(await db, meta.id)).toBeUndefined();
  });

  it('Train with a new batch size and learning rate continues the same session from its step', async () => {
    const { a, db } = await twoTabs();
    const meta = await ran((p) => a.startNew({ corpus, config: CONFIG, seed: 1 }, p, 2));
    const tuning = { batchSize: 4, learningRate: 0.002 };
    const resumed = await ran((p) => a.resume(meta.id, p, 3, tuning));
    expect(resumed.id).toBe(meta.id);
    const stored = (await getSession(await db, meta.id))!;
    expect(stored.step).toBe(5);
    const config = (await loadCheckpoint(await db, meta.id))!
      .config as unknown as CharLstmSessionConfig;
    expect(config.model).toMatchObject({ units: 8, batchSize: 4, learningRate: 0.002 });
    await expect(ran((p) => a.resume(meta.id, p, 1, { batchSize: 0 }))).rejects.toMatchObject({
      code: 'bad-input',
    });
  });
});
