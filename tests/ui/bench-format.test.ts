import { describe, expect, it } from 'vitest';
import type { BenchReport, BenchRow } from '../../src/shared/bench';
import {
  BENCH_METRICS,
  benchFileName,
  formatMs,
  formatPercent,
  formatRate,
  longTasksPerModel,
} from '../../src/ui/bench/format';

const ROW: BenchRow = {
  model: 'gan',
  backend: 'webgpu',
  config: 'batch 4',
  batch: 4,
  steps: 3,
  examplesPerSec: 12.345,
  msPerStepMedian: 321.5,
  msPerStepP90: 1500,
  flopsPerStep: 1e9,
  flopsPerSec: 3.21e9,
  fractionOfPeak: 0.123,
  leakedTensorsPer1000Steps: 0,
  saveMs: 40,
  saveOverStep: 0.1244,
};

describe('benchmark formatting', () => {
  it('formats rates with SI prefixes and times in ms or s', () => {
    expect(formatRate(3.21e9, 'FLOP/s')).toBe('3.21 GFLOP/s');
    expect(formatRate(850e6, 'FLOP/s')).toBe('850 MFLOP/s');
    expect(formatRate(12, 'FLOP/s')).toBe('12.0 FLOP/s');
    expect(formatRate(NaN, 'FLOP/s')).toBe('—');
    expect(formatRate(194e6, '')).toBe('194 M');
    expect(formatMs(321.5)).toBe('322 ms');
    expect(formatMs(1500)).toBe('1.50 s');
  });

  it('shows every metric of a row and names the download by date and backend', () => {
    const shown = Object.fromEntries(BENCH_METRICS.map((m) => [m.label, m.value(ROW)]));
    expect(shown['Of matmul peak']).toBe('12 %');
    expect(shown['FLOP/s (est.)']).toBe('3.21 G');
    expect(formatPercent(2.7)).toBe('270 %');
    expect(formatPercent(0.045)).toBe('4.5 %');
    expect(shown['Leaked tensors / 1,000 steps']).toBe('0');
    expect(shown['Save ÷ step']).toBe('0.12 (40.0 ms)');
    expect(shown['Page long tasks (> 50 ms)']).toBe('—');
    const inApp = Object.fromEntries(
      BENCH_METRICS.map((m) => [m.label, m.value({ ...ROW, mainThreadLongTasks: 2 })]),
    );
    expect(inApp['Page long tasks (> 50 ms)']).toBe('2');
    const report = { date: '2026-11-26T21:00:00.000Z', backend: 'webgpu' } as BenchReport;
    expect(benchFileName(report)).toBe('benchmark-2026-11-26-webgpu.json');
  });

  it('gives each long task to the model being measured when it ended', () => {
    const starts = [
      { at: 1000, model: 'char-lstm' as const },
      { at: 5000, model: 'gan' as const },
      { at: 9000, model: 'segmenter' as const },
    ];
    // 500: during the matmul peak, before any model.
    expect(longTasksPerModel(starts, [500, 1000, 4999, 9500, 9600])).toEqual({
      'char-lstm': 2,
      gan: 0,
      segmenter: 2,
    });
    expect(longTasksPerModel([], [10])).toEqual({});
  });
});
