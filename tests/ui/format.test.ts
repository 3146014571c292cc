import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/ui/format';

describe('formatBytes', () => {
  it('picks kB, MB or GB so the number stays short', () => {
    expect(formatBytes(0)).toBe('1 kB');
    expect(formatBytes(48_000)).toBe('48 kB');
    expect(formatBytes(18_100_000)).toBe('18.1 MB');
    expect(formatBytes(10_737_418_240)).toBe('10.7 GB');
  });
});
