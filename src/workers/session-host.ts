import type {
  AutosavePolicy,
  BackendReport,
  HistoryPoint,
  ModelKind,
  SessionMeta,
  TrainProgress,
} from '../shared/protocol';
import { DEFAULT_AUTOSAVE } from '../shared/protocol';
import type { Checkpoint } from '../storage/checkpoints';
import { loadCheckpoint, newSessionId, saveCheckpoint } from '../storage/checkpoints';
import type { AppDatabase } from '../storage/db';
import { openAppDb } from '../storage/db';
import { initBackend } from './runtime';
import type { LoopHooks } from './training-loop';
import { TrainingLoop } from './training-loop';

/** A live session of any model: the loop drives it, the host checkpoints it. */
export interface ModelSession extends LoopHooks {
  meta: SessionMeta;
  readonly history: HistoryPoint[];
  toCheckpoint(): Promise<Checkpoint>;
  dispose(): void;
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
  openDb?: () => Promise<AppDatabase>;
  restore(meta: SessionMeta, ckpt: Checkpoint, db: AppDatabase): Promise<S>;
}

/**
 * The part of every model worker's API that does not depend on the model: backend choice, one loaded
 * session, the training loop, checkpoints, pause and resume.
 */
export function createSessionHost<S extends ModelSession>(deps: SessionHostDeps<S>) {
  let dbPromise: Promise<AppDatabase> | null = null;
  const db = () => (dbPromise ??= (deps.openDb ?? (() => openAppDb()))());
  let backend: BackendReport | null = null;
  let session: S | null = null;
  let loop: TrainingLoop | null = null;
  let autosave: AutosavePolicy = DEFAULT_AUTOSAVE;

  async function save(): Promise<SessionMeta> {
    if (!session) throw new Error('No session is loaded.');
    const ckpt = await session.toCheckpoint();
    const meta = { ...session.meta, backend: backend?.backend ?? '' };
    session.meta = await saveCheckpoint(await db(), meta, ckpt);
    return session.meta;
  }

  async function replace(next: S): Promise<void> {
    await loop?.pause();
    loop = null;
    session?.dispose();
    session = next;
  }

  function run(onProgress: (p: TrainProgress) => void, maxSteps?: number): void {
    if (!session) throw new Error('No session is loaded.');
    loop = new TrainingLoop(session, {
      sessionId: session.meta.id,
      autosave,
      history: session.history,
      onProgress,
      maxSteps,
      save: async () => {
        await save();
      },
    });
    void loop.start().catch(() => undefined);
  }

  async function open(sessionId: string): Promise<SessionMeta> {
    if (session?.meta.id === sessionId) return session.meta;
    const database = await db();
    const ckpt = await loadCheckpoint(database, sessionId);
    const meta = await database.get('sessions', sessionId);
    if (!ckpt || !meta) throw new Error('This session has no checkpoint on this device.');
    await replace(await deps.restore(meta, ckpt, database));
    return meta;
  }

  return {
    db,
    /** The loaded session, if any. */
    current: () => session,
    /** The loaded session, or a clear error telling the person to train or open one first. */
    loaded(): S {
      if (!session) throw new Error('Train or open a session first: there is no model loaded.');
      return session;
    },
    /** Makes `next` the loaded session, writes its first checkpoint and starts training it. */
    async begin(
      next: S,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      await replace(next);
      const stored = await save();
      run(onProgress, maxSteps);
      return stored;
    },
    api: {
      /** Chooses and self-tests the backend; `forced` comes from `?backend=`. */
      async init(forced: string | null = null): Promise<BackendReport> {
        backend ??= await initBackend(forced);
        return backend;
      },
      /** Sets the autosave policy for the next runs. */
      setAutosave(policy: AutosavePolicy): void {
        autosave = policy;
      },
      /** Loads a saved session (without training), e.g. to sample from it. */
      open,
      /** Loads a saved session and continues training from its checkpointed step. */
      async resume(
        sessionId: string,
        onProgress: (p: TrainProgress) => void,
        maxSteps?: number,
      ): Promise<SessionMeta> {
        const meta = await open(sessionId);
        if (!loop?.running) run(onProgress, maxSteps);
        return meta;
      },
      /** Stops after the current step and writes a checkpoint. */
      async pause(): Promise<void> {
        await loop?.pause();
      },
      /** Writes a checkpoint now without stopping (page hidden, update pending); null without a session. */
      async checkpoint(): Promise<SessionMeta | null> {
        if (!session) return null;
        if (loop?.running) {
          await loop.requestSave();
          return session.meta;
        }
        return save();
      },
      /** The loaded session's meta, state and history. */
      status() {
        return session
          ? { meta: session.meta, running: !!loop?.running, history: session.history }
          : null;
      },
    },
  };
}
