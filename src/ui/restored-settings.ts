// Maps the config a checkpoint stores back onto each tab's form fields, so a resumed session shows
// the settings it actually trains with.
import type { CharLstmSessionConfig, CorpusRef } from '../workers/char-lstm-session';
import type { FaceDataset, GanSessionConfig } from '../workers/gan-session';
import type { NewSegSession } from '../workers/seg-api';
import type { SegSessionConfig } from '../workers/seg-session';
import type { FacesSettings } from './faces-controller';

/** The Text tab's fields of a stored char-LSTM config. */
export function textSettingsFrom(cfg: unknown): {
  batchSize: number;
  learningRate: number;
  units: number;
  corpus: CorpusRef;
} | null {
  const c = cfg as Partial<CharLstmSessionConfig> | null;
  if (!c?.model || !c.corpus) return null;
  const { batchSize, learningRate, units } = c.model;
  return { batchSize, learningRate, units, corpus: c.corpus };
}

/** The Faces tab's fields and dataset choice of a stored GAN config. */
export function facesSettingsFrom(
  cfg: unknown,
): { settings: FacesSettings; dataset: FaceDataset | null } | null {
  const c = cfg as Partial<GanSessionConfig> | null;
  if (!c?.model) return null;
  const { imageSize, width, batchSize } = c.model;
  const settings = { imageSize, width, batchSize, snapshotEvery: c.snapshotEvery ?? 50 };
  return { settings, dataset: c.dataset ?? null };
}

/** The Segmentation tab's request fields of a stored segmenter config, over `current`. */
export function segRequestFrom(cfg: unknown, current: NewSegSession): NewSegSession | null {
  const c = cfg as Partial<SegSessionConfig> | null;
  if (!c?.train || !c.mode) return null;
  return {
    ...current,
    mode: c.mode,
    importedId: c.imported?.id,
    pretrainTask: c.pretrainTask ?? null,
    pretrainSteps: c.pretrainSteps,
    frozenSteps: c.frozenSteps,
    topK: c.train.topK,
    learningRate: c.train.learningRate,
    finetuneDivisor: c.train.finetuneDivisor,
    batchSize: c.train.batchSize,
    balanceClasses: c.train.balanceClasses ?? false,
    lrDropStep: c.train.lrDropStep ?? 0,
    diceWeight: c.train.diceWeight ?? 0,
    evalEvery: c.evalEvery,
    augment: { ...current.augment, ...c.augment },
  };
}
