// Maps the config a checkpoint stores back onto each tab's form fields, so a resumed session shows
// the settings it actually trains with.
import type { FacesSettings } from '../faces/controller';
import type { SettingPair } from './train-plan';
import type { CharLstmSessionConfig, CorpusRef } from '../../shared/protocol/text';
import type { FaceDataset, GanSessionConfig } from '../../shared/protocol/faces';
import type { NewSegSession, SegSessionConfig } from '../../shared/protocol/segmentation';

/** The Text tab's form fields that a stored config also holds. */
export interface TextSettings {
  batchSize: number;
  learningRate: number;
  units: number;
  corpus: CorpusRef;
  lowerCase: boolean;
}

/** A form next to the loaded session's config: what starts a new session, and what may change between runs. */
export interface PlanPairs {
  architecture: SettingPair[];
  tunable: SettingPair[];
}

/** The Text tab's fields of a stored char-LSTM config. */
export function textSettingsFrom(cfg: unknown): TextSettings | null {
  const c = cfg as Partial<CharLstmSessionConfig> | null;
  if (!c?.model || !c.corpus) return null;
  const { batchSize, learningRate, units } = c.model;
  return { batchSize, learningRate, units, corpus: c.corpus, lowerCase: !!c.lowerCase };
}

/** The Text form against a stored char-LSTM config, or null when the config is unknown. */
export function textPlanPairs(cfg: unknown, form: TextSettings): PlanPairs | null {
  const was = textSettingsFrom(cfg);
  if (!was) return null;
  return {
    architecture: [
      { label: 'LSTM units', was: was.units, now: form.units },
      { label: 'Corpus', was: was.corpus.name, now: form.corpus.name },
      { label: 'Lower-case', was: was.lowerCase, now: form.lowerCase },
    ],
    tunable: [
      { label: 'Batch size', was: was.batchSize, now: form.batchSize },
      { label: 'Learning rate', was: was.learningRate, now: form.learningRate },
    ],
  };
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

/** The Faces form and dataset against a stored GAN config, or null when the config is unknown. */
export function facesPlanPairs(
  cfg: unknown,
  form: FacesSettings,
  dataset: FaceDataset | null,
): PlanPairs | null {
  const was = facesSettingsFrom(cfg);
  if (!was) return null;
  const size = (n: number) => `${n}x${n}`;
  return {
    architecture: [
      { label: 'Image size', was: size(was.settings.imageSize), now: size(form.imageSize) },
      { label: 'Model width', was: was.settings.width, now: form.width },
      { label: 'Images', was: was.dataset?.name ?? '', now: dataset?.name ?? '' },
    ],
    tunable: [
      { label: 'Batch size', was: was.settings.batchSize, now: form.batchSize },
      { label: 'Grid every N steps', was: was.settings.snapshotEvery, now: form.snapshotEvery },
    ],
  };
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
