import { describe, expect, it } from 'vitest';
import { PRESETS, choosePreset } from '../../src/ui/presets';

const MiB = 1024 * 1024;
const laptop = {
  deviceMemoryGb: 8,
  coarsePointer: false,
  screenWidthPx: 1080,
  maxBufferSize: 4096 * MiB,
  maxStorageBufferBindingSize: 2048 * MiB,
};

describe('choosePreset', () => {
  it('picks laptop when no signal says phone', () => {
    expect(choosePreset(laptop)).toEqual({ name: 'laptop', reasons: [] });
    expect(choosePreset({}).name).toBe('laptop');
  });

  it('picks phone for little memory, a finger, a narrow screen or a minimal GPU, and says why', () => {
    expect(choosePreset({ ...laptop, deviceMemoryGb: 4 })).toEqual({
      name: 'phone',
      reasons: ['4 GB of memory'],
    });
    expect(choosePreset({ ...laptop, coarsePointer: true }).reasons).toEqual(['a touch screen']);
    expect(choosePreset({ ...laptop, screenWidthPx: 390 }).reasons).toEqual([
      'a 390 px wide screen',
    ]);
    expect(
      choosePreset({ ...laptop, maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB })
        .name,
    ).toBe('phone');
  });

  it('keeps laptop at the boundaries that are not small', () => {
    expect(choosePreset({ ...laptop, deviceMemoryGb: 6 }).name).toBe('laptop');
    expect(choosePreset({ ...laptop, screenWidthPx: 600 }).name).toBe('laptop');
    // A big buffer limit with a minimal binding limit is a desktop GPU with default limits.
    expect(
      choosePreset({ ...laptop, maxBufferSize: 1024 * MiB, maxStorageBufferBindingSize: 128 * MiB })
        .name,
    ).toBe('laptop');
  });

  it('the phone preset is no larger than the laptop one for every model', () => {
    const { phone, laptop: big } = PRESETS;
    expect(phone.text.batchSize).toBeLessThan(big.text.batchSize);
    expect(phone.text.units).toBeLessThan(big.text.units);
    expect(phone.faces.batchSize).toBeLessThan(big.faces.batchSize);
    expect(phone.faces.width).toBe('small');
    expect(phone.segmentation.batchSize).toBeLessThan(big.segmentation.batchSize);
  });
});
