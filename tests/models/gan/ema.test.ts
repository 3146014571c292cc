// The generator's weight average: the arithmetic of one update, batch-norm statistics copied, no
// leak, and a session restores its average exactly (the grid and Generate draw with it).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildGenerator, createGanConfig } from '../../../src/models/gan/model';
import { createGeneratorEma } from '../../../src/models/gan/train';
import { GanSession, renderFacePool } from '../../../src/workers/faces/session';
import { newSessionMeta } from '../../../src/workers/runtime/session-host';
import { useBackend } from '../../helpers/backends';

const cfg = createGanConfig({ upsample: 'nearest', emaDecay: 0.9, batchSize: 2 });

describe('generator weight average', () => {
  it('moves trainable weights by (1 - decay) towards G, copies moving statistics, leaks nothing', async () => {
    await useBackend('cpu');
    const g = buildGenerator(cfg, 1);
    const ema = createGeneratorEma(g, cfg, 0.9);
    const before = ema.model.getWeights().map((w) => w.dataSync().slice());
    g.setWeights(g.weights.map((w, i) => tf.fill(w.shape as number[], i % 2 ? 1 : -1)));
    const tensors = tf.memory().numTensors;
    // Past the warm-up (d = min(0.9, 1001 / 1010) = 0.9).
    ema.update(1000);
    ema.update(1001);
    expect(tf.memory().numTensors).toBe(tensors);
    const trainable = new Set(g.trainableWeights.map((w) => w.originalName));
    const after = ema.model.weights;
    after.forEach((w, i) => {
      const target = i % 2 ? 1 : -1;
      const got = w.read().dataSync();
      // Two updates: 0.81 * old + 0.19 * target for weights; moving statistics are G's own.
      const want = trainable.has(w.originalName) ? 0.81 * before[i][0] + 0.19 * target : target;
      expect(got[0]).toBeCloseTo(want, 5);
    });
    ema.dispose();
    g.dispose();
  });

  it('a GAN session checkpoints its average and restores it exactly', async () => {
    await useBackend('cpu');
    const pool = renderFacePool(1, 8, 32);
    const config = {
      model: cfg,
      dataset: { kind: 'builtin' as const, name: 'Built-in faces' },
      dataSeed: 1,
      latentSeed: 2,
      snapshotEvery: 1000,
    };
    const s = GanSession.create(newSessionMeta('gan', 'ema', 'faces'), config, pool);
    for (let i = 0; i < 3; i++) tf.dispose(Object.values(s.step()));
    const ckpt = await s.toCheckpoint();
    expect(Object.keys(ckpt.weights).sort()).toEqual([
      'discriminator',
      'generator',
      'generatorEma',
    ]);
    const back = await GanSession.restore(s.meta, ckpt, pool);
    const a = s.sampler.getWeights().map((w) => Array.from(w.dataSync()));
    const b = back.sampler.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);
    expect(a).not.toEqual(s.generator.getWeights().map((w) => Array.from(w.dataSync())));
    s.dispose();
    back.dispose();
  });
});
