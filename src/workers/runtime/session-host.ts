import type {
  AutosavePolicy,
  BackendReport,
  HistoryPoint,
  ModelKind,
  SessionMeta,
  TrainProgress,
} from '../../shared/protocol';
import { AppError, DEFAULT_AUTOSAVE } from '../../shared/protocol';
import { carryErrorCodes } from '../../shared/protocol/carry-errors';
import { sessionNews, type SessionEvent, type SessionNews } from '../../shared/session-news';
import { isStarterId, starterId } from '../../shared/starters';
import { parseSessionZip } from '../../storage/checkpoints/import';
import { checkpointToZip } from '../../storage/checkpoints/zip';
import type { Checkpoint } from '../../storage/checkpoints/store';
import {
  deleteSession,
  duplicateSession,
  getSession,
  importSession,
  listSessions,
  loadCheckpoint,
  newSessionId,
  renameSession,
  saveCheckpoint,
} from '../../storage/checkpoints/store';
import type { AppDatabase } from '../../storage/db';
import { openAppDb } from '../../storage/db';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, initBackend, onDeviceLost } from './backend';
import type { LoopHooks } from './training-loop';
import { DivergedError, TrainingLoop } from './training-loop';
import { acquireTrainingLock } from './lock';
import { uniqueName } from './session-names';

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

const READ_ONLY = 'A starter model is read-only: press Fine-tune to train your own copy of it.';
const NOT_STORED = 'This session has no checkpoint on this device.';
const NO_SESSION = 'Train or open a session first: there is no model loaded.';
const TRAINED_ELSEWHERE = 'This session is training in another tab or window';
const CHANGED_ELSEWHERE = 'Another tab saved or deleted this session just now';

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

/**
 * The part of every model worker's API that does not depend on the model: backend choice, one loaded
 * session, the training loop, checkpoints, pause and resume.
 */
export function createSessionHost<S extends ModelSession>(deps: SessionHostDeps<S>) {
  carryErrorCodes();
  let dbPromise: Promise<AppDatabase> | null = null;
  const db = () => (dbPromise ??= (deps.openDb ?? (() => openAppDb()))());
  let backend: BackendReport | null = null;
  let session: S | null = null;
  let loop: TrainingLoop | null = null;
  let autosave: AutosavePolicy = DEFAULT_AUTOSAVE;

  let lastProgress: ((p: TrainProgress) => void) | null = null;
  let releaseLock: (() => void) | null = null;
  let lockedId = '';
  // The stored row's savedAt each live session last read or wrote: a save replaces only that row.
  const versions = new WeakMap<S, number>();

  // The page names its tab at init, so it can tell its own worker's news from other tabs'.
  let tab = '';
  const news = sessionNews((n) => void heard(n));
  const tell = (n: SessionEvent) => news.post({ ...n, tab });
  // Another tab deleted the session loaded here (paused: a training one holds its lock): drop it.
  async function heard(n: SessionNews): Promise<void> {
    if (n.kind === 'deleted' && session?.meta.id === n.id && !loop?.running) await replace(null);
  }

  // This worker's writes take turns, so a rename or delete never interleaves with a checkpoint.
  let writes: Promise<unknown> = Promise.resolve();
  function serial<T>(write: () => Promise<T>): Promise<T> {
    const next = writes.then(write, write);
    writes = next.catch(() => undefined);
    return next;
  }

  // `owned`: this worker holds the session's training lock and checked it is stored as loaded, so
  // no tab can write it meanwhile and the save skips the check (a reload leaves it little time).
  function save(target: S | null = session, owned = false): Promise<SessionMeta> {
    return serial(async () => {
      // An unloaded session (deleted, replaced) must never write its rows back.
      if (!target || target !== session) throw new AppError('no-session', NO_SESSION);
      if (isStarterId(target.meta.id)) throw new AppError('read-only', READ_ONLY);
      const ckpt = await target.toCheckpoint();
      // A step can turn weights into NaN while the loss read just before was still finite.
      const bad = nonFiniteWeight(ckpt);
      if (bad)
        throw new DivergedError(`The weights of ${bad} became NaN or infinite: training diverged.`);
      const meta = { ...target.meta, backend: backend?.backend ?? '' };
      const replaces = owned ? undefined : (versions.get(target) ?? null);
      target.meta = await saveCheckpoint(await db(), meta, ckpt, { replaces });
      versions.set(target, target.meta.savedAt);
      tell({ kind: 'saved', meta: target.meta });
      return target.meta;
    });
  }

  // A tab that trains `id` would write its own name and state back over a change: refuse instead.
  async function unlessTrainedElsewhere<T>(id: string, write: () => Promise<T>): Promise<T> {
    if (loop?.running && session?.meta.id === id) return write();
    const release = await acquireTrainingLock(id);
    if (!release) throw new AppError('locked', `${TRAINED_ELSEWHERE}: pause it there first.`);
    try {
      return await write();
    } finally {
      release();
    }
  }

  async function freeName(base: string, except = ''): Promise<string> {
    const stored = await listSessions(await db(), deps.model);
    return uniqueName(base, new Set(stored.filter((s) => s.id !== except).map((s) => s.name)));
  }

  function unlock(): void {
    if (!releaseLock) return;
    releaseLock();
    releaseLock = null;
    tell({ kind: 'stopped', id: lockedId, model: deps.model });
  }

  // A session rebuilt from its stored row: saves replace only that row.
  async function restored(meta: SessionMeta, ckpt: Checkpoint, database: AppDatabase): Promise<S> {
    const next = await deps.restore(meta, ckpt, database);
    versions.set(next, meta.savedAt);
    return next;
  }

  /** Reloads the loaded session from its last checkpoint, dropping the live state. */
  async function reloadFromCheckpoint(): Promise<SessionMeta | null> {
    const current = session;
    if (!current) return null;
    const database = await db();
    const [ckpt, meta] = await Promise.all([
      loadCheckpoint(database, current.meta.id),
      database.get('sessions', current.meta.id),
    ]);
    if (!ckpt || !meta) return null;
    loop = null;
    try {
      current.dispose();
    } catch {
      // Tensors on a lost device may refuse to be freed; they are gone with the device anyway.
    }
    session = await restored(meta, ckpt, database);
    return meta;
  }

  function notify(onProgress: (p: TrainProgress) => void, message: string, extra = {}): void {
    if (!session) return;
    onProgress({
      sessionId: session.meta.id,
      ...session.position(),
      metrics: {},
      examplesPerSec: 0,
      stepsPerSec: 0,
      etaSec: NaN,
      state: 'paused',
      message,
      ...extra,
    });
  }

  // NaN or Inf: pause, go back to the last good checkpoint and say what happened.
  async function rollback(message: string, onProgress: (p: TrainProgress) => void): Promise<void> {
    unlock();
    const meta = await reloadFromCheckpoint();
    const tail = meta
      ? ` Rolled back to the last good checkpoint, step ${meta.step}. Try a lower learning rate, then Resume.`
      : ' There is no checkpoint to roll back to.';
    notify(onProgress, message + tail, { rolledBackTo: meta?.step });
  }

  // tfjs 4.22 ignores device.lost: move to the next backend and continue from the last checkpoint.
  async function recoverFromDeviceLoss(reason: string): Promise<void> {
    const wasRunning = !!loop?.running;
    loop?.abandon();
    loop = null;
    unlock();
    const failed = backend?.backend ?? 'webgpu';
    try {
      tf.removeBackend(failed);
    } catch {
      // Removing a backend whose device is gone may throw; it is unusable either way.
    }
    const next = await initBackend(
      null,
      BACKEND_ORDER.filter((b) => b !== failed),
    );
    backend = { ...next, log: [`${failed}: device lost (${reason})`, ...next.log] };
    const meta = await reloadFromCheckpoint();
    const onProgress = lastProgress;
    if (!meta || !onProgress) return;
    const message =
      `The GPU device was lost (${reason}). Continuing on ${backend.backend} from the last ` +
      `checkpoint, step ${meta.step}.`;
    notify(onProgress, message, { backend });
    if (wasRunning) await run(onProgress);
  }
  onDeviceLost((reason) => void recoverFromDeviceLoss(reason));

  async function replace(next: S | null): Promise<void> {
    await loop?.pause();
    loop = null;
    unlock();
    session?.dispose();
    session = next;
  }

  async function run(onProgress: (p: TrainProgress) => void, maxSteps?: number): Promise<void> {
    const target = session;
    if (!target) throw new AppError('no-session', NO_SESSION);
    if (isStarterId(target.meta.id)) throw new AppError('read-only', READ_ONLY);
    // A Web Lock per session: another tab may view and sample it, but only one tab trains it.
    releaseLock = await acquireTrainingLock(target.meta.id);
    if (!releaseLock)
      throw new AppError(
        'locked',
        `${TRAINED_ELSEWHERE}. You can open and sample it here; to train it here, pause it there first.`,
      );
    lockedId = target.meta.id;
    // Another tab may have saved or deleted it between its load here and this lock.
    const version = versions.get(target);
    if (version !== undefined && (await getSession(await db(), lockedId))?.savedAt !== version) {
      unlock();
      throw new AppError('locked', `${CHANGED_ELSEWHERE}: open it again to train it here.`);
    }
    tell({ kind: 'training', id: lockedId, model: deps.model });
    let diverged: string | null = null;
    lastProgress = onProgress;
    const current = new TrainingLoop(target, {
      sessionId: target.meta.id,
      autosave,
      history: target.history,
      onProgress,
      maxSteps,
      onDiverged: (message) => (diverged = message),
      save: () => save(target, true),
    });
    loop = current;
    void current
      .start()
      .catch(() => undefined)
      .then(async () => {
        if (loop === current) unlock();
        if (diverged !== null && session === target) await rollback(diverged, onProgress);
      });
  }

  // The loaded copy serves while it is what is stored (or while it trains here); a save or delete by
  // another tab since it was loaded makes it re-read, or dropped.
  async function open(sessionId: string): Promise<SessionMeta> {
    const live = session?.meta.id === sessionId ? session : null;
    if (live && loop?.running) return live.meta;
    const database = await db();
    const meta = await database.get('sessions', sessionId);
    if (live && meta && meta.savedAt === versions.get(live)) {
      live.meta = { ...live.meta, name: meta.name };
      return live.meta;
    }
    const ckpt = meta && (await loadCheckpoint(database, sessionId));
    if (!ckpt || !meta) {
      if (live) await replace(null);
      throw new AppError('not-found', NOT_STORED);
    }
    await replace(await restored(meta, ckpt, database));
    return meta;
  }

  // Settings that may change between runs: the session is rebuilt from its own live state with them.
  async function retune(tuning: TrainTuning): Promise<void> {
    const current = session;
    const config = current && deps.retune?.(current.config, tuning);
    if (!current || !config) return;
    const ckpt = { ...(await current.toCheckpoint()), config: config as Record<string, unknown> };
    const next = await deps.restore(current.meta, ckpt, await db());
    const version = versions.get(current);
    if (version !== undefined) versions.set(next, version);
    await replace(next);
  }

  return {
    db,
    /** The loaded session, if any. */
    current: () => session,
    /** The loaded session, or a clear error telling the person to train or open one first. */
    loaded(): S {
      if (!session) throw new AppError('no-session', NO_SESSION);
      return session;
    },
    /** The loaded session as last stored: re-read first when another tab saved it since it was loaded. */
    async latest(): Promise<S> {
      if (session && !isStarterId(session.meta.id)) await open(session.meta.id);
      if (!session) throw new AppError('no-session', NO_SESSION);
      return session;
    },
    /** Saves the loaded session if it is paused and no other tab trains it (a running one saves at its next autosave). */
    async persistIdle(): Promise<void> {
      if (!session || loop?.running || isStarterId(session.meta.id)) return;
      const release = await acquireTrainingLock(session.meta.id);
      if (!release) return; // the training tab owns the checkpoint
      try {
        await save();
      } finally {
        release();
      }
    },
    /** Makes `next` the loaded session, writes its first checkpoint and starts training it. */
    async begin(
      next: S,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      await replace(next);
      next.meta = { ...next.meta, name: await freeName(next.meta.name) };
      const stored = await save();
      await run(onProgress, maxSteps);
      return stored;
    },
    /** The loaded starter's checkpoint, to fine-tune from; a clear error when no starter is loaded. */
    async starterCheckpoint(): Promise<Checkpoint> {
      if (!session || !isStarterId(session.meta.id))
        throw new AppError(
          'no-session',
          'Open the starter model first: Fine-tune copies it into a new session.',
        );
      return session.toCheckpoint();
    },
    /** A starter's checkpoint as a new session's: its weights, step and history, fresh optimizers, data position 0 and `config`. */
    starterCopy(ckpt: Checkpoint, meta: SessionMeta, seed: number, config: object): Checkpoint {
      return {
        ...ckpt,
        sessionId: meta.id,
        epoch: 0,
        cursor: 0,
        rngState: seed,
        optimizers: {},
        samples: [],
        config: config as Record<string, unknown>,
      };
    },
    api: {
      /** Loads the app's trained starter from `url` (its session.zip), read-only, to sample from. */
      async openStarter(url: string): Promise<SessionMeta> {
        if (session && isStarterId(session.meta.id)) return session.meta;
        const res = await fetch(url).catch(() => null);
        if (!res?.ok)
          throw new AppError('not-found', 'The starter model could not be loaded on this device.');
        const parsed = parseSessionZip(new Uint8Array(await res.arrayBuffer()), deps.model);
        if (!parsed.ok) throw new AppError('bad-input', parsed.message);
        const meta = { ...parsed.meta, id: starterId(deps.model) };
        const ckpt = { ...parsed.checkpoint, sessionId: meta.id };
        const restore = deps.restoreStarter ?? ((m, c) => db().then((d) => deps.restore(m, c, d)));
        await replace(await restore(meta, ckpt));
        return meta;
      },
      /** Chooses and self-tests the backend; `forced` comes from `?backend=`, `tabId` names the page in session news. */
      async init(forced: string | null = null, tabId = ''): Promise<BackendReport> {
        tab = tabId;
        backend ??= await initBackend(forced);
        return backend;
      },
      /** Sets the autosave policy for the next runs. */
      setAutosave(policy: AutosavePolicy): void {
        autosave = policy;
      },
      /** Loads a saved session (without training), e.g. to sample from it. */
      open,
      /** Loads a saved session and continues training from its checkpointed step, with `tuning` applied. */
      async resume(
        sessionId: string,
        onProgress: (p: TrainProgress) => void,
        maxSteps?: number,
        tuning?: TrainTuning,
      ): Promise<SessionMeta> {
        const meta = await open(sessionId);
        if (loop?.running) return meta;
        if (tuning) await retune(tuning);
        await run(onProgress, maxSteps);
        return session?.meta ?? meta;
      },
      /** Stops after the current step and writes a checkpoint. */
      async pause(): Promise<void> {
        await loop?.pause();
      },
      /** Writes a checkpoint now without stopping (page hidden, update pending); null without a session. */
      async checkpoint(): Promise<SessionMeta | null> {
        if (!session || isStarterId(session.meta.id)) return null;
        if (loop?.running) {
          await loop.requestSave();
          return session.meta;
        }
        return save();
      },
      /** Validates a session .zip and stores it as a new session, off the page's thread; throws the person's message. */
      async importZip(
        zip: Uint8Array,
        expected: ModelKind,
        fileName: string,
      ): Promise<SessionMeta> {
        const parsed = parseSessionZip(zip, expected, fileName);
        if (!parsed.ok) throw new AppError('bad-input', parsed.message);
        const { meta, checkpoint } = parsed;
        const stored = await serial(async () =>
          importSession(await db(), { ...meta, name: await freeName(meta.name) }, checkpoint),
        );
        tell({ kind: 'saved', meta: stored });
        return stored;
      },
      /** A saved session as a .zip (tfjs layers model, optimizer state, metadata) and its file name. */
      async exportZip(id: string): Promise<{ bytes: Uint8Array; fileName: string }> {
        const database = await db();
        const [meta, ckpt] = await Promise.all([
          getSession(database, id),
          loadCheckpoint(database, id),
        ]);
        if (!meta || !ckpt) throw new AppError('not-found', NOT_STORED);
        const safe = meta.name.replace(/[^\w.-]+/g, '-');
        return { bytes: checkpointToZip(meta, ckpt), fileName: `${safe}-step-${meta.step}.zip` };
      },
      /** Frees storage: drops all but the newest `keepLast` samples of the loaded session and saves it. */
      async pruneSamples(keepLast: number): Promise<{ dropped: number; meta: SessionMeta | null }> {
        if (!session) return { dropped: 0, meta: null };
        const dropped = session.pruneSamples?.(keepLast) ?? 0;
        if (loop?.running) {
          await loop.requestSave();
          return { dropped, meta: session.meta };
        }
        return { dropped, meta: await save() };
      },
      /** Renames a stored session; the loaded one keeps the new name in its next checkpoints. */
      async rename(id: string, name: string): Promise<SessionMeta> {
        const trimmed = name.trim().slice(0, 200);
        if (!trimmed) throw new AppError('bad-input', 'A session needs a name.');
        if (isStarterId(id)) throw new AppError('read-only', READ_ONLY);
        return unlessTrainedElsewhere(id, () =>
          serial(async () => {
            if ((await freeName(trimmed, id)) !== trimmed)
              throw new AppError('bad-input', `Another session is already called “${trimmed}”.`);
            const meta = await renameSession(await db(), id, trimmed);
            if (session?.meta.id === id) session.meta = { ...session.meta, name: trimmed };
            tell({ kind: 'saved', meta });
            return meta;
          }),
        );
      },
      /** Copies a stored session's last checkpoint under a new id and a unique name (a branch). */
      async duplicate(id: string): Promise<SessionMeta> {
        return serial(async () => {
          const source = await getSession(await db(), id);
          if (!source) throw new AppError('not-found', NOT_STORED);
          const copy = await duplicateSession(
            await db(),
            id,
            await freeName(`${source.name} (copy)`),
          );
          tell({ kind: 'saved', meta: copy });
          return copy;
        });
      },
      /** Deletes a stored session and its checkpoint; the loaded one is paused (saved) and unloaded first. */
      async remove(id: string): Promise<void> {
        if (isStarterId(id)) throw new AppError('read-only', READ_ONLY);
        await unlessTrainedElsewhere(id, async () => {
          if (session?.meta.id === id) await replace(null);
          await serial(async () => deleteSession(await db(), id));
        });
        tell({ kind: 'deleted', id, model: deps.model });
      },
      /** The loaded session's meta, state, whole history and stored config. */
      status() {
        return session
          ? {
              meta: session.meta,
              running: !!loop?.running,
              history: session.history,
              config: session.config,
            }
          : null;
      },
    },
  };
}
