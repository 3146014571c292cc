import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { checkpointToZip } from '../../src/storage/checkpoints/zip';
import type { TrainProgress } from '../../src/shared/protocol';
import { getSession, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb } from '../../src/storage/db';
import { createCharLstmApi } from '../../src/workers/text/api';
import { restoreModel } from '../../src/storage/checkpoints/snapshot';

describe('session export zip', () => {
  it('holds a model.json + weights.bin that tf.loadLayersModel loads and that predicts like the session', async () => {
    await tf.setBackend('cpu');
    const factory = new IDBFactory();
    const api = createCharLstmApi({
      openDb: () => openAppDb('zip', factory),
      loadBundled: async () => 'export me to keras, then bring me back. '.repeat(10),
    });
    await api.init('cpu');
    let done!: () => void;
    const stopped = new Promise<void>((r) => (done = r));
    const meta = await api.startNew(
      {
        corpus: { kind: 'bundled', name: 't' },
        config: { units: 8, batchSize: 8, maxLen: 10 },
        seed: 2,
      },
      (p: TrainProgress) => p.state !== 'running' && done(),
      3,
    );
    await stopped;
    const db = await openAppDb('zip', factory);
    const ckpt = (await loadCheckpoint(db, meta.id))!;
    const files = unzipSync(checkpointToZip((await getSession(db, meta.id))!, ckpt));
    expect(Object.keys(files).sort()).toEqual([
      'metadata.json',
      'model/model.json',
      'model/weights.bin',
      'optimizers/rmsprop.bin',
      'optimizers/rmsprop.json',
    ]);
    const json = JSON.parse(strFromU8(files['model/model.json']));
    const bin = files['model/weights.bin'];
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const x = tf.oneHot(
      tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8, 9, 0]], [1, 10], 'int32'),
      (ckpt.config as any).model.vocabSize,
    );
    const original = await api.open(meta.id);
    expect(original.step).toBe(3);
    const probs = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    const session = await restoreModel(ckpt.topologies.model, ckpt.weights.model);
    const expected = await (session.predict(x) as tf.Tensor).data();
    probs.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-6));
    session.dispose();
    expect(JSON.parse(strFromU8(files['metadata.json'])).checkpoint.step).toBe(3);
    model.dispose();
    x.dispose();
  });
});
