import { describe, expect, it } from 'vitest';
import { textPlanPairs, type TextSettings } from '../../src/ui/session/restored-settings';
import { planTrain } from '../../src/ui/session/train-plan';
import type { CorpusRef } from '../../src/shared/protocol/text';

const corpus: CorpusRef = { kind: 'stored', id: 'c1', name: 'tiny.txt' };
const stored = {
  model: { units: 8, batchSize: 8, learningRate: 0.01, maxLen: 40, step: 3, vocabSize: 20 },
  corpus,
  vocab: [],
  dataSeed: 1,
  lowerCase: true,
};
const form: TextSettings = { units: 8, batchSize: 8, learningRate: 0.01, corpus, lowerCase: true };
const loaded = { name: 'Text on tiny.txt', step: 225, elsewhere: false };

function plan(changes: Partial<TextSettings>, elsewhere = false) {
  const pairs = textPlanPairs(stored, { ...form, ...changes })!;
  return planTrain({ ...loaded, elsewhere }, pairs.architecture, pairs.tunable);
}

describe('what Train does, said before the click', () => {
  it('continues the loaded session when only batch size or learning rate change', () => {
    expect(plan({})).toMatchObject({ continues: true, label: 'Train', blocked: false });
    expect(plan({}).hint).toBe(
      'Continues “Text on tiny.txt” from step 225. Batch size and learning rate may change between runs; other settings start a new session.',
    );
    expect(plan({ batchSize: 4, learningRate: 0.002 }).hint).toContain(
      'with Batch size 8 → 4 and Learning rate 0.01 → 0.002.',
    );
  });

  it('starts a new session, and says so, when units, corpus or lower-casing change', () => {
    const units = plan({ units: 16 });
    expect(units).toMatchObject({ continues: false, label: 'Train new session' });
    expect(units.hint).toBe(
      'LSTM units 8 → 16: a new session, beside “Text on tiny.txt”, which stays at step 225.',
    );
    expect(plan({ corpus: { kind: 'bundled', name: 'Moby-Dick' } }).hint).toContain(
      'Corpus tiny.txt → Moby-Dick',
    );
    expect(plan({ lowerCase: false }).hint).toContain('Lower-case on → off');
  });

  it('is blocked while another tab trains the loaded session, and starts anew with nothing loaded', () => {
    expect(plan({}, true)).toMatchObject({ continues: true, blocked: true });
    expect(plan({ units: 16 }, true)).toMatchObject({ continues: false, blocked: false });
    expect(planTrain(null, [], [])).toEqual({
      continues: false,
      label: 'Train',
      hint: 'Starts a new session.',
      blocked: false,
    });
  });
});
