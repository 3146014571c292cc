import { describe, expect, it } from 'vitest';
import { quantile } from '../../src/shared/stats';

describe('quantile', () => {
  it('takes the nearest rank of sorted values', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(v, 0.5)).toBe(5);
    expect(quantile(v, 0.9)).toBe(9);
    expect(quantile(v, 1)).toBe(10);
    expect(quantile(v, 0.01)).toBe(1);
    expect(quantile([4], 0.9)).toBe(4);
  });
});
