// The part of every model worker's API that manages sessions, as the page sees it.
import type { BackendReport, HistoryPoint, ModelKind, SessionMeta, TrainProgress } from './index';

/** What a worker reports about its loaded session: meta, state, whole history and stored config. */
export interface SessionStatus {
  meta: SessionMeta;
  running: boolean;
  history: HistoryPoint[];
  config?: unknown;
}

/** Session intents every model worker serves; the worker is the only writer of sessions. */
export interface SessionApi {
  init(forced: string | null, tabId?: string): Promise<BackendReport>;
  open(id: string): Promise<SessionMeta>;
  /** Continues a session from its checkpoint; `tuning` changes settings that may change between runs. */
  resume(
    id: string,
    onProgress: (p: TrainProgress) => void,
    maxSteps?: number,
    tuning?: Record<string, number>,
  ): Promise<SessionMeta>;
  pause(): Promise<void>;
  checkpoint(): Promise<SessionMeta | null>;
  status(): SessionStatus | null;
  pruneSamples(keepLast: number): Promise<{ dropped: number; meta: SessionMeta | null }>;
  importZip(zip: Uint8Array, expected: ModelKind, fileName: string): Promise<SessionMeta>;
  openStarter(url: string): Promise<SessionMeta>;
  exportZip(id: string): Promise<{ bytes: Uint8Array; fileName: string }>;
  /** Renames a session; a loaded one keeps the new name in its next checkpoints. */
  rename(id: string, name: string): Promise<SessionMeta>;
  /** Copies a session's last checkpoint under a new id and a unique name. */
  duplicate(id: string): Promise<SessionMeta>;
  /** Deletes a session and its checkpoint, unloading it first when it is loaded. */
  remove(id: string): Promise<void>;
}
