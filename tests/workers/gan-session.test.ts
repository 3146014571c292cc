import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { DEFAULT_GAN } from '../../src/models/gan/model';
import { GanSession, renderFacePool } from '../../src/workers/faces/session';
import { newSessionMeta } from '../../src/workers/runtime/session-host';

it('creating and disposing a GAN session frees every tensor, the compiled optimizer included', async () => {
  await tf.setBackend('cpu');
  const pool = renderFacePool(1, 4, 32);
  const config = {
    model: { ...DEFAULT_GAN, imageSize: 32 as const, width: 'small' as const, batchSize: 2 },
    dataset: { kind: 'builtin' as const, name: 'Built-in faces' },
    dataSeed: 1,
    latentSeed: 2,
    snapshotEvery: 1000,
  };
  const before = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) {
    const s = GanSession.create(newSessionMeta('gan', 'leak', 'faces'), config, pool);
    await s.flushSnapshots();
    s.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);
});
