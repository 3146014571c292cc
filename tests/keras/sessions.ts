// Real sessions of every model kind, trained a few steps by the worker APIs and exported with the
// Export button's code, plus the app's own predictions on fixed inputs: what the Keras tests compare.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { parseSessionZip } from '../../src/storage/checkpoints/import';
import { checkpointToZip } from '../../src/storage/checkpoints/zip';
import type { ModelKind, SessionMeta, TrainProgress } from '../../src/shared/protocol';
import { Rng } from '../../src/shared/rng';
import { getSession, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb, type AppDatabase } from '../../src/storage/db';
import { createCharLstmApi } from '../../src/workers/text/api';
import { createGanApi } from '../../src/workers/faces/api';
import { createSegApi } from '../../src/workers/segmentation/api';
import { restoreModel } from '../../src/storage/checkpoints/snapshot';

const CORPUS = 'the quick brown fox jumps over the lazy dog, and keras reads it too. '.repeat(12);

/** The database and API factories the sessions live in (one fake IndexedDB per run). */
export function sessionStore() {
  const factory = new IDBFactory();
  const openDb = () => openAppDb('keras', factory);
  return {
    openDb,
    text: () => createCharLstmApi({ openDb, loadBundled: async () => CORPUS }),
    faces: () => createGanApi({ openDb }),
    seg: () => createSegApi({ openDb }),
  };
}

/** Resolves once a run stops (its step budget spent). */
export function untilStopped() {
  let done!: () => void;
  const promise = new Promise<void>((r) => (done = r));
  return { promise, onProgress: (p: TrainProgress) => p.state !== 'running' && done() };
}

async function exportZip(db: AppDatabase, meta: SessionMeta): Promise<Uint8Array> {
  return checkpointToZip((await getSession(db, meta.id))!, (await loadCheckpoint(db, meta.id))!);
}

/** Trains and exports one session of each network the Keras tests cover; keys are case ids. */
export async function exportSessions(store: ReturnType<typeof sessionStore>) {
  const db = await store.openDb();
  const zips: Record<string, { kind: ModelKind; zip: Uint8Array; networks: string[] }> = {};

  const text = store.text();
  await text.init('cpu');
  let run = untilStopped();
  const t = await text.startNew(
    {
      corpus: { kind: 'bundled', name: 'keras corpus' },
      config: { units: 24, batchSize: 8, maxLen: 12 },
      seed: 7,
    },
    run.onProgress,
    2,
  );
  await run.promise;
  zips.lstm = { kind: 'char-lstm', zip: await exportZip(db, t), networks: ['model'] };

  for (const upsample of ['resize', 'nearest', 'transpose'] as const) {
    const faces = store.faces();
    await faces.init('cpu');
    run = untilStopped();
    const g = await faces.startNew(
      {
        dataset: { kind: 'builtin', name: 'faces' },
        config: { imageSize: 32, width: 'small', batchSize: 4, latentDim: 16, upsample },
        seed: 3,
        snapshotEvery: 100,
      },
      run.onProgress,
      2,
    );
    await run.promise;
    zips[`gan-${upsample}`] = {
      kind: 'gan',
      zip: await exportZip(db, g),
      networks: ['generator', 'discriminator'],
    };
  }

  const seg = store.seg();
  await seg.init('cpu');
  run = untilStopped();
  const s = await seg.startNew(
    {
      mode: 'parts',
      pretrainTask: 'glasses',
      pretrainSteps: 1,
      frozenSteps: 1,
      batchSize: 2,
      evalEvery: 100,
      seed: 5,
    },
    run.onProgress,
    3,
  );
  await run.promise;
  zips.segmenter = {
    kind: 'segmenter',
    zip: await exportZip(db, s),
    networks: ['segmenter', 'classifier'],
  };
  return zips;
}

/** A fixed input for a network of a parsed session: one-hot windows, latents or images. */
export function inputFor(topology: unknown, seed: number): { data: Float32Array; shape: number[] } {
  const model = topology as { config: { layers: { config: { batch_input_shape?: unknown } }[] } };
  const shape = [2, ...(model.config.layers[0].config.batch_input_shape as number[]).slice(1)];
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (shape.length === 3) {
    // One-hot characters, as the char-LSTM sees them.
    for (let i = 0; i < n / shape[2]; i++) data[i * shape[2] + rng.int(shape[2])] = 1;
  } else {
    for (let i = 0; i < n; i++) data[i] = shape.length === 2 ? rng.normal() : rng.next() * 2 - 1;
  }
  return { data, shape };
}

/** What the app predicts for `input` with a network of a session zip, read through the import path. */
export async function appPredict(
  zip: Uint8Array,
  kind: ModelKind,
  network: string,
  input: { data: Float32Array; shape: number[] },
): Promise<Float32Array> {
  const parsed = parseSessionZip(zip, kind, `${kind}.zip`);
  if (!parsed.ok) throw new Error(parsed.message);
  const ckpt = parsed.checkpoint;
  const model = await restoreModel(ckpt.topologies[network], ckpt.weights[network]);
  const x = tf.tensor(input.data, input.shape);
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return out;
}
