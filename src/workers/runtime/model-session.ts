import type { HistoryPoint, ModelKind, SessionMeta } from '../../shared/protocol';
import type { Checkpoint } from '../../storage/checkpoints/store';
import { newSessionId } from '../../storage/checkpoints/store';
import type { AppDatabase } from '../../storage/db';
import type { LoopHooks } from './training-loop';

/** A live session of any model: the loop drives it, the host checkpoints it. */
export interface ModelSession extends LoopHooks {
  meta: SessionMeta;
  readonly history: HistoryPoint[];
  /** The JSON config stored in the checkpoint, shown by the UI in its form fields on resume. */
  readonly config?: unknown;
  toCheckpoint(): Promise<Checkpoint>;
  dispose(): void;
  /** Drops old samples or snapshots (storage full), keeping the newest `keepLast`; returns the count dropped. */
  pruneSamples?(keepLast: number): number;
}

/** The meta of a session that is about to write its first checkpoint. */
export function newSessionMeta(model: ModelKind, name: string, dataset: string): SessionMeta {
  const now = Date.now();
  return {
    id: newSessionId(),
    name,
    model,
    dataset,
    step: 0,
    epoch: 0,
    lastLoss: NaN,
    createdAt: now,
    savedAt: now,
    sizeBytes: 0,
    backend: '',
  };
}

/** How a model worker rebuilds its session from storage. */
export interface SessionHostDeps<S extends ModelSession> {
  model: ModelKind;
  openDb?: () => Promise<AppDatabase>;
  restore(meta: SessionMeta, ckpt: Checkpoint, db: AppDatabase): Promise<S>;
  /** Rebuilds a starter, which needs no training data (defaults to `restore`). */
  restoreStarter?(meta: SessionMeta, ckpt: Checkpoint): Promise<S>;
  /** The stored config with the settings that may change between runs applied; null when nothing changes. */
  retune?(config: unknown, tuning: TrainTuning): unknown;
}

/** Settings a continued run may change (batch size, learning rate …), by the name of their config field. */
export type TrainTuning = Record<string, number>;

/** The first non-finite value in a checkpoint's float32 weights, as "network/tensor", or null. */
export function nonFiniteWeight(ckpt: Checkpoint): string | null {
  for (const [net, blob] of Object.entries(ckpt.weights)) {
    let offset = 0;
    for (const spec of blob.specs) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.dtype === 'float32') {
        const values = new Float32Array(blob.data, offset, n);
        for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) return `${net}/${spec.name}`;
      }
      offset += n * 4;
    }
  }
  return null;
}
