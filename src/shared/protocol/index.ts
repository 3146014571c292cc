// Plain data types that cross the worker boundary. No tensors, no tfjs imports.
import type { ErrorCode } from './errors';

/** The three model kinds the app trains. */
export type ModelKind = 'char-lstm' | 'gan' | 'segmenter';

/** A tfjs backend name the runtime can choose. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** What the worker runtime chose and why the others were skipped. */
export interface BackendReport {
  backend: BackendName;
  /** One line per backend tried, e.g. "webgpu: self-test gradient mismatch 0.3". */
  log: string[];
  /** Whether the choice was forced with `?backend=`. */
  forced: boolean;
}

/** A small progress message sent from a training loop to the UI (throttled). */
export interface TrainProgress {
  sessionId: string;
  step: number;
  epoch: number;
  /** Position inside the current epoch, 0..1. */
  epochFraction: number;
  /** Named scalar losses and metrics at `step`, e.g. { loss: 1.2 }. */
  metrics: Record<string, number>;
  examplesPerSec: number;
  stepsPerSec: number;
  /** Seconds until the end of the current epoch, NaN when unknown. */
  etaSec: number;
  state: 'running' | 'paused' | 'stopped' | 'error';
  /** Set after a checkpoint was written at `savedStep`. */
  savedStep?: number;
  /** The session row that checkpoint wrote, so the page need not read it back. */
  saved?: SessionMeta;
  message?: string;
  /** What kind of failure `message` reports, when the run ended with one. */
  code?: ErrorCode;
  /** Set after a NaN/Inf loss rolled the session back to the checkpoint at this step. */
  rolledBackTo?: number;
  /** Set when the worker moved to another backend (the WebGPU device was lost). */
  backend?: BackendReport;
}

/** One point of a loss/metric history kept in checkpoints and charts. */
export interface HistoryPoint {
  step: number;
  metrics: Record<string, number>;
}

/** How often training autosaves; the first limit reached triggers a save. */
export interface AutosavePolicy {
  everySteps: number;
  everySeconds: number;
}

/** Default autosave: every 200 steps or 30 s, whichever comes first. */
export const DEFAULT_AUTOSAVE: AutosavePolicy = { everySteps: 200, everySeconds: 30 };

/** The summary row of a session shown in the sessions list. */
export interface SessionMeta {
  id: string;
  name: string;
  model: ModelKind;
  /** Human label of the data, e.g. "Moby-Dick" or "my-notes.txt". */
  dataset: string;
  step: number;
  epoch: number;
  lastLoss: number;
  createdAt: number;
  savedAt: number;
  sizeBytes: number;
  backend: string;
}

export * from './errors';
export type * from './session';
