// What the Segmentation tab and its worker exchange: requests, stored config, scores, imports.
import type { AugmentParams } from '../../data/augment';
import type { ImportProblem } from '../../data/mask-import';
import type { NamedFile } from '../../data/zip';
import type { AttributeTaskName, SegMode } from '../../data/seg-dataset';
import type { SegmenterConfig } from '../../models/segmenter/model';
import type { SegTrainConfig } from '../../models/segmenter/train';

/** The JSON config a segmenter session stores in its checkpoint. */
export interface SegSessionConfig {
  mode: SegMode;
  model: SegmenterConfig;
  train: SegTrainConfig;
  augment: AugmentParams;
  /** Attribute task for "Pretrain encoder", or null to train from scratch. */
  pretrainTask: AttributeTaskName | null;
  pretrainSteps: number;
  frozenSteps: number;
  evalEvery: number;
  dataSeed: number;
  /** The person's imported pairs (stored in `files`), used instead of the built-in faces of `mode`. */
  imported?: ImportedRef;
}

/** A stored imported dataset a session trains on; its pairs are re-read from storage on resume. */
export interface ImportedRef {
  id: string;
  name: string;
  classes: string[];
}

/** Held-out scores at a step, with predicted label maps for the overlay. */
export interface SegEval {
  step: number;
  pixelAccuracy: number;
  meanIou: number;
  iou: number[];
  /** Predicted labels `[count, size, size]` of the first held-out faces. */
  predicted: Uint8Array;
}

/** What the UI asks for when it starts a new segmentation session. */
export interface NewSegSession {
  mode: SegMode;
  /** An imported dataset's id (from `importPairs`); its pairs replace the built-in faces of `mode`. */
  importedId?: string;
  pretrainTask: AttributeTaskName | null;
  pretrainSteps?: number;
  frozenSteps?: number;
  topK?: number;
  learningRate?: number;
  finetuneDivisor?: number;
  batchSize?: number;
  /** From this step on the learning rate is divided by 10 once more; 0: never. */
  lrDropStep?: number;
  /** Weight rare mask classes up (multi-class masks only); defaults to on. */
  balanceClasses?: boolean;
  /** Multiple of the Dice loss added to a multi-class mask loss (0: none); defaults to 1. */
  diceWeight?: number;
  augment?: Partial<AugmentParams>;
  evalEvery?: number;
  seed?: number;
}

/** How mask pixels name their class: the value itself, or the colour of the built-in palette. */
export type MaskFormat = 'indices' | 'colors';

/** A .zip with `images/` and `masks/` folders, or the two lists of files. */
export type PairSource = Uint8Array | { images: NamedFile[]; masks: NamedFile[] };

/** What an import did: the stored dataset's id (null when nothing was stored), its pairs and the files left out. */
export interface ImportPairsResult {
  id: string | null;
  name: string;
  count: number;
  numClasses: number;
  problems: ImportProblem[];
  /** Up to 8 imported images over their coloured masks, as one PNG; null when nothing was loaded. */
  previewPng: Uint8Array | null;
  message: string;
}

/** A built-in face's prediction: PNGs of the face and of its RGBA mask, and the mask's mean IoU against the face's own labels. */
export interface BuiltInPrediction {
  name: string;
  imagePng: Uint8Array;
  maskPng: Uint8Array;
  /** Null when the session's classes are an imported dataset's, which a built-in face has no labels for. */
  meanIou: number | null;
}
