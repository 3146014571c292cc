import { describe, expect, it } from 'vitest';
import { smoothEma, summarize, toColumns } from '../../src/ui/session/chart-data';

describe('chart data', () => {
  it('EMA with debiasing starts at the first value and leaves nulls as gaps', () => {
    expect(smoothEma([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smoothEma([2, null, 2, 4], 0.5);
    expect(s[0]).toBeCloseTo(2);
    expect(s[1]).toBeNull();
    expect(s[2]).toBeCloseTo(2);
    // (0.5 * (0.5 * 1 + 1) + 2) / (1 - 0.125) = 2.75 / 0.875
    expect(s[3]).toBeCloseTo(2.75 / 0.875);
  });

  it('sorts by step, merges sparse metrics of equal steps and fills the rest with null', () => {
    const cols = toColumns(
      [
        { step: 20, metrics: { loss: 1 } },
        { step: 10, metrics: { loss: 2 } },
        { step: 20, metrics: { meanIou: 0.5 } },
      ],
      ['loss', 'meanIou'],
    );
    expect(cols).toEqual([
      [10, 20],
      [2, 1],
      [null, 0.5],
    ]);
  });

  it('summarizes each metric in words', () => {
    const text = summarize(
      [
        { step: 1, metrics: { loss: 4 } },
        { step: 9, metrics: { loss: 2 } },
      ],
      { loss: 'Loss', meanIou: 'Mean IoU' },
    );
    expect(text).toBe(
      'Loss: 2 points, 4.000 at step 1, 2.000 at step 9 (range 2.000 to 4.000). Mean IoU: no values yet.',
    );
    expect(summarize([], { loss: 'Loss' })).toBe('No training history yet.');
  });
});
