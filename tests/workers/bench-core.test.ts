import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { charLstmFlopsPerStep } from '../../src/models/flops';
import { measureMatmulPeak, runBench, timeSteps } from '../../src/workers/bench/core';
import type { BenchProgress } from '../../src/shared/bench';

// Tiny recipes: the numbers only have to be real measurements, not representative ones.
const TINY = {
  'char-lstm': { batchSize: 4, maxLen: 5, units: 8 },
  gan: { batchSize: 2 },
  segmenter: { batchSize: 1, size: 32, filters: [4, 8] },
};

describe('in-app benchmark core (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('measures every model: finite positive speeds, no leaked tensors, a checkpoint save time', async () => {
    const progress: BenchProgress[] = [];
    const before = tf.memory().numTensors;
    const result = await runBench(
      {
        configs: TINY,
        warmupSteps: 1,
        minSteps: 3,
        maxSteps: 3,
        budgetMs: 0,
        matmulMaxN: 256,
      },
      (p) => progress.push(p),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(result.matmulPeakFlopsPerSec).toBeGreaterThan(0);
    expect(result.matmulN).toBe(256);
    expect(result.rows.map((r) => r.model)).toEqual(['char-lstm', 'gan', 'segmenter']);
    for (const row of result.rows) {
      expect(row.backend).toBe('cpu');
      expect(row.steps).toBe(3);
      for (const key of [
        'examplesPerSec',
        'msPerStepMedian',
        'msPerStepP90',
        'flopsPerStep',
        'flopsPerSec',
        'fractionOfPeak',
        'saveMs',
        'saveOverStep',
      ] as const) {
        expect(Number.isFinite(row[key]) && row[key] > 0, `${row.model} ${key} ${row[key]}`).toBe(
          true,
        );
      }
      expect(row.msPerStepP90).toBeGreaterThanOrEqual(row.msPerStepMedian);
      expect(row.leakedTensorsPer1000Steps, row.model).toBe(0);
    }
    const lstm = result.rows[0];
    expect(lstm.flopsPerStep).toBe(
      charLstmFlopsPerStep({ ...TINY['char-lstm'], vocabSize: 60, learningRate: 0.01, step: 3 }),
    );
    expect(progress[0].fraction).toBe(0);
    expect(progress.at(-1)!.fraction).toBe(1);
    expect(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction)).toBe(true);
  });

  it('counts tensors a leaky step leaves behind, per 1,000 steps', async () => {
    const kept: tf.Tensor[] = [];
    const { ms, leaked } = await timeSteps(async () => void kept.push(tf.zeros([2])), {
      warmupSteps: 1,
      minSteps: 4,
      maxSteps: 4,
      budgetMs: 0,
    });
    tf.dispose(kept);
    expect(ms).toHaveLength(4);
    expect(leaked).toBe(4);
  });

  it('time-boxes the timed loop: a slow step stops after the budget once the minimum is done', async () => {
    const { ms } = await timeSteps(() => new Promise((r) => setTimeout(r, 30)), {
      warmupSteps: 0,
      minSteps: 2,
      maxSteps: 100,
      budgetMs: 100,
    });
    expect(ms.length).toBeGreaterThanOrEqual(2);
    expect(ms.length).toBeLessThan(10);
  });

  it('grows the matmul until one takes longer than the target', async () => {
    const peak = await measureMatmulPeak(4096, 1);
    expect(peak.flopsPerSec).toBeGreaterThan(0);
    expect(peak.n).toBe(256);
  });
});
