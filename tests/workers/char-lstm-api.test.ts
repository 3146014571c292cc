import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainProgress } from '../../src/shared/protocol';
import { listSessions, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb } from '../../src/storage/db';
import { createCharLstmApi } from '../../src/workers/text/api';
import { decodeTensorList } from '../../src/storage/checkpoints/snapshot';

const TEXT = 'to be or not to be, that is the question. '.repeat(20);
const CONFIG = { units: 16, batchSize: 16, maxLen: 12 };

function makeApi(factory: IDBFactory) {
  return createCharLstmApi({
    openDb: () => openAppDb('test', factory),
    loadBundled: async () => TEXT,
  });
}

/** Resolves with the last progress message once the loop reports it stopped. */
function untilStopped() {
  const seen: TrainProgress[] = [];
  let resolve!: (p: TrainProgress) => void;
  const done = new Promise<TrainProgress>((r) => (resolve = r));
  const onProgress = (p: TrainProgress) => {
    seen.push(p);
    if (p.state !== 'running') resolve(p);
  };
  return { onProgress, done, seen };
}

async function weightsOf(factory: IDBFactory, id: string): Promise<Float32Array[]> {
  const ckpt = await loadCheckpoint(await openAppDb('test', factory), id);
  const list = decodeTensorList(ckpt!.weights.model);
  const values = await Promise.all(list.map(async (n) => (await n.tensor.data()) as Float32Array));
  tf.dispose(list.map((n) => n.tensor));
  return values;
}

const corpus = { kind: 'bundled', name: 'test text' } as const;

describe('char-LSTM worker API, in-process on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('30 straight steps equal 15 + checkpoint + fresh worker + 15 (within 1e-5)', async () => {
    const straightDb = new IDBFactory();
    const a = makeApi(straightDb);
    await a.init('cpu');
    const runA = untilStopped();
    const metaA = await a.startNew({ corpus, config: CONFIG, seed: 7 }, runA.onProgress, 30);
    const endA = await runA.done;
    expect(endA).toMatchObject({ state: 'paused', step: 30, savedStep: 30 });

    const splitDb = new IDBFactory();
    const b = makeApi(splitDb);
    await b.init('cpu');
    const runB = untilStopped();
    const metaB = await b.startNew({ corpus, config: CONFIG, seed: 7 }, runB.onProgress, 15);
    expect((await runB.done).savedStep).toBe(15);

    const c = makeApi(splitDb); // a fresh worker on the same database
    await c.init('cpu');
    const runC = untilStopped();
    const resumed = await c.resume(metaB.id, runC.onProgress, 15);
    expect(resumed.step).toBe(15);
    expect(await runC.done).toMatchObject({ step: 30, savedStep: 30 });

    const wa = await weightsOf(straightDb, metaA.id);
    const wc = await weightsOf(splitDb, metaB.id);
    let maxDiff = 0;
    wa.forEach((w, i) =>
      w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - wc[i][j])))),
    );
    expect(maxDiff).toBeLessThan(1e-5);
    const hist = c.status()!.history;
    expect(hist.at(-1)!.step).toBe(30);
  });

  it('samples at several temperatures from a seed, streams chunks and keeps the set with the paused session', async () => {
    const factory = new IDBFactory();
    const api = makeApi(factory);
    await api.init('cpu');
    const run = untilStopped();
    await api.startNew({ corpus, config: CONFIG, seed: 1 }, run.onProgress, 3);
    await run.done;
    const chunks: string[][] = [];
    const out = await api.sample(
      { seed: 'to be or not', length: 45, temperatures: [0.2, 1] },
      (t) => chunks.push(t),
    );
    expect(out.texts.map((t) => t.length)).toEqual([45, 45]);
    expect(chunks.length).toBeGreaterThan(0);
    // Saved at once although training is paused: a fresh worker sees it.
    const fresh = makeApi(factory);
    await fresh.init('cpu');
    await fresh.open(api.status()!.meta.id);
    expect(fresh.samples()).toEqual([out]);
    expect(out.step).toBe(3);
    await expect(api.sample({ length: 10, temperatures: [0] }, () => {})).rejects.toThrow(
      /temperature/,
    );
    await expect(
      api.sample({ seed: 'XYZ', length: 10, temperatures: [1] }, () => {}),
    ).rejects.toThrow(/never saw/);
  });

  it('exports a session .zip and imports it back as a new session, in the worker', async () => {
    const factory = new IDBFactory();
    const api = makeApi(factory);
    await api.init('cpu');
    const run = untilStopped();
    const meta = await api.startNew({ corpus, config: CONFIG, seed: 3 }, run.onProgress, 4);
    await run.done;
    const { bytes, fileName } = await api.exportZip(meta.id);
    expect(fileName).toBe(`Text-on-test-text-step-4.zip`);
    const imported = await api.importZip(bytes, 'char-lstm', fileName);
    expect(imported.id).not.toBe(meta.id);
    expect(imported.step).toBe(4);
    expect(await weightsOf(factory, imported.id)).toEqual(await weightsOf(factory, meta.id));
    await expect(api.importZip(bytes, 'gan', fileName)).rejects.toThrow(
      /Could not import .*Your saved sessions are unchanged/,
    );
    await expect(api.importZip(new Uint8Array([1, 2, 3]), 'char-lstm', 'x.zip')).rejects.toThrow(
      /Could not import “x\.zip”/,
    );
    expect((await listSessions(await openAppDb('test', factory))).length).toBe(2);
  });

  it('refuses bad corpora and hyperparameters with a message', async () => {
    const api = createCharLstmApi({
      openDb: () => openAppDb('test', new IDBFactory()),
      loadBundled: async () => '',
    });
    await api.init('cpu');
    await expect(api.startNew({ corpus }, () => {})).rejects.toThrow(/empty/);
    const ok = makeApi(new IDBFactory());
    await expect(ok.startNew({ corpus, config: { learningRate: -1 } }, () => {})).rejects.toThrow(
      /learning rate/,
    );
    await expect(ok.startNew({ corpus, config: { batchSize: 0 } }, () => {})).rejects.toThrow(
      /batch/,
    );
  });
});
