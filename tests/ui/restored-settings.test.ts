import { describe, expect, it } from 'vitest';
import { facesSettingsFrom, segRequestFrom } from '../../src/ui/session/restored-settings';

describe('restored settings', () => {
  it('a resumed faces session brings back its fields and its imported dataset', () => {
    const dataset = { kind: 'imported', id: 'set-1', name: 'my photos' } as const;
    const cfg = {
      model: { imageSize: 64, width: 'standard', batchSize: 16 },
      dataset,
      snapshotEvery: 10,
    };
    expect(facesSettingsFrom(cfg)).toEqual({
      settings: { imageSize: 64, width: 'standard', batchSize: 16, snapshotEvery: 10 },
      dataset,
    });
    expect(facesSettingsFrom(null)).toBeNull();
  });

  it('a resumed segmentation session on imported pairs selects that import', () => {
    const cfg = {
      mode: 'binary',
      train: { topK: 2, learningRate: 0.001, finetuneDivisor: 10, batchSize: 8 },
      imported: { id: 'pairs-1', name: 'cells', classes: ['background (0)', 'class 1'] },
    };
    const req = segRequestFrom(cfg, { mode: 'parts', pretrainTask: null });
    expect(req).toMatchObject({ mode: 'binary', importedId: 'pairs-1', topK: 2, batchSize: 8 });
    // Saved before the Dice term and class balancing existed: it trained without them.
    expect(req).toMatchObject({ diceWeight: 0, balanceClasses: false, lrDropStep: 0 });
    const builtin = segRequestFrom(
      { ...cfg, imported: undefined },
      { mode: 'parts', pretrainTask: null, importedId: 'old' },
    );
    expect(builtin?.importedId).toBeUndefined();
  });
});
