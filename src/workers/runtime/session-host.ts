import type {
  AutosavePolicy,
  BackendReport,
  SessionMeta,
  TrainProgress,
} from '../../shared/protocol';
import { AppError } from '../../shared/protocol';
import { carryErrorCodes } from '../../shared/protocol/carry-errors';
import { isStarterId } from '../../shared/starters';
import { getSession, loadCheckpoint } from '../../storage/checkpoints/store';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, initBackend, onDeviceLost } from './backend';
import { TrainingLoop } from './training-loop';
import { acquireTrainingLock } from './lock';
import {
  createHostContext,
  NOT_STORED,
  NO_SESSION,
  READ_ONLY,
  TRAINED_ELSEWHERE,
} from './host-context';
import type { ModelSession, SessionHostDeps, TrainTuning } from './model-session';
import { sessionAdmin } from './session-admin';
import { sessionStarters } from './session-starters';

export { newSessionMeta, nonFiniteWeight } from './model-session';
export type { ModelSession, SessionHostDeps, TrainTuning } from './model-session';

const CHANGED_ELSEWHERE = 'Another tab saved or deleted this session just now';

/**
 * The part of every model worker's API that does not depend on the model: backend choice, one loaded
 * session, the training loop, checkpoints, pause and resume.
 */
export function createSessionHost<S extends ModelSession>(deps: SessionHostDeps<S>) {
  carryErrorCodes();
  const ctx = createHostContext(deps);
  const { db, versions, save, unlock, replace, restored, tell, freeName } = ctx;

  /** Reloads the loaded session from its last checkpoint, dropping the live state. */
  async function reloadFromCheckpoint(): Promise<SessionMeta | null> {
    const current = ctx.session;
    if (!current) return null;
    const database = await db();
    const [ckpt, meta] = await Promise.all([
      loadCheckpoint(database, current.meta.id),
      database.get('sessions', current.meta.id),
    ]);
    if (!ckpt || !meta) return null;
    ctx.loop = null;
    try {
      current.dispose();
    } catch {
      // Tensors on a lost device may refuse to be freed; they are gone with the device anyway.
    }
    ctx.session = await restored(meta, ckpt, database);
    return meta;
  }

  function notify(onProgress: (p: TrainProgress) => void, message: string, extra = {}): void {
    if (!ctx.session) return;
    onProgress({
      sessionId: ctx.session.meta.id,
      ...ctx.session.position(),
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
    const wasRunning = !!ctx.loop?.running;
    ctx.loop?.abandon();
    ctx.loop = null;
    unlock();
    const failed = ctx.backend?.backend ?? 'webgpu';
    try {
      tf.removeBackend(failed);
    } catch {
      // Removing a backend whose device is gone may throw; it is unusable either way.
    }
    const next = await initBackend(
      null,
      BACKEND_ORDER.filter((b) => b !== failed),
    );
    ctx.backend = { ...next, log: [`${failed}: device lost (${reason})`, ...next.log] };
    const meta = await reloadFromCheckpoint();
    const onProgress = ctx.lastProgress;
    if (!meta || !onProgress) return;
    const message =
      `The GPU device was lost (${reason}). Continuing on ${ctx.backend.backend} from the last ` +
      `checkpoint, step ${meta.step}.`;
    notify(onProgress, message, { backend: ctx.backend });
    if (wasRunning) await run(onProgress);
  }
  onDeviceLost((reason) => void recoverFromDeviceLoss(reason));

  async function run(onProgress: (p: TrainProgress) => void, maxSteps?: number): Promise<void> {
    const target = ctx.session;
    if (!target) throw new AppError('no-session', NO_SESSION);
    if (isStarterId(target.meta.id)) throw new AppError('read-only', READ_ONLY);
    // A Web Lock per session: another tab may view and sample it, but only one tab trains it.
    ctx.releaseLock = await acquireTrainingLock(target.meta.id);
    if (!ctx.releaseLock)
      throw new AppError(
        'locked',
        `${TRAINED_ELSEWHERE}. You can open and sample it here; to train it here, pause it there first.`,
      );
    ctx.lockedId = target.meta.id;
    // Another tab may have saved or deleted it between its load here and this lock.
    const version = versions.get(target);
    if (
      version !== undefined &&
      (await getSession(await db(), ctx.lockedId))?.savedAt !== version
    ) {
      unlock();
      throw new AppError('locked', `${CHANGED_ELSEWHERE}: open it again to train it here.`);
    }
    tell({ kind: 'training', id: ctx.lockedId, model: deps.model });
    let diverged: string | null = null;
    ctx.lastProgress = onProgress;
    const current = new TrainingLoop(target, {
      sessionId: target.meta.id,
      autosave: ctx.autosave,
      history: target.history,
      onProgress,
      maxSteps,
      onDiverged: (message) => (diverged = message),
      save: () => save(target, true),
    });
    ctx.loop = current;
    void current
      .start()
      .catch(() => undefined)
      .then(async () => {
        if (ctx.loop === current) unlock();
        if (diverged !== null && ctx.session === target) await rollback(diverged, onProgress);
      });
  }

  // The loaded copy serves while it is what is stored (or while it trains here); a save or delete by
  // another tab since it was loaded makes it re-read, or dropped.
  async function open(sessionId: string): Promise<SessionMeta> {
    const live = ctx.session?.meta.id === sessionId ? ctx.session : null;
    if (live && ctx.loop?.running) return live.meta;
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
    const current = ctx.session;
    const config = current && deps.retune?.(current.config, tuning);
    if (!current || !config) return;
    const ckpt = { ...(await current.toCheckpoint()), config: config as Record<string, unknown> };
    const next = await deps.restore(current.meta, ckpt, await db());
    const version = versions.get(current);
    if (version !== undefined) versions.set(next, version);
    await replace(next);
  }

  const starters = sessionStarters(ctx);
  return {
    db,
    /** The loaded session, if any. */
    current: () => ctx.session,
    /** The loaded session, or a clear error telling the person to train or open one first. */
    loaded(): S {
      if (!ctx.session) throw new AppError('no-session', NO_SESSION);
      return ctx.session;
    },
    /** The loaded session as last stored: re-read first when another tab saved it since it was loaded. */
    async latest(): Promise<S> {
      if (ctx.session && !isStarterId(ctx.session.meta.id)) await open(ctx.session.meta.id);
      if (!ctx.session) throw new AppError('no-session', NO_SESSION);
      return ctx.session;
    },
    /** Saves the loaded session if it is paused and no other tab trains it (a running one saves at its next autosave). */
    async persistIdle(): Promise<void> {
      if (!ctx.session || ctx.loop?.running || isStarterId(ctx.session.meta.id)) return;
      const release = await acquireTrainingLock(ctx.session.meta.id);
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
    ...starters.host,
    api: {
      ...starters.api,
      /** Chooses and self-tests the backend; `forced` comes from `?backend=`, `tabId` names the page in session news. */
      async init(forced: string | null = null, tabId = ''): Promise<BackendReport> {
        ctx.tab = tabId;
        ctx.backend ??= await initBackend(forced);
        return ctx.backend;
      },
      /** Sets the autosave policy for the next runs. */
      setAutosave(policy: AutosavePolicy): void {
        ctx.autosave = policy;
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
        if (ctx.loop?.running) return meta;
        if (tuning) await retune(tuning);
        await run(onProgress, maxSteps);
        return ctx.session?.meta ?? meta;
      },
      /** Stops after the current step and writes a checkpoint. */
      async pause(): Promise<void> {
        await ctx.loop?.pause();
      },
      /** Writes a checkpoint now without stopping (page hidden, update pending); null without a session. */
      async checkpoint(): Promise<SessionMeta | null> {
        if (!ctx.session || isStarterId(ctx.session.meta.id)) return null;
        if (ctx.loop?.running) {
          await ctx.loop.requestSave();
          return ctx.session.meta;
        }
        return save();
      },
      ...sessionAdmin(ctx),
      /** The loaded session's meta, state, whole history and stored config. */
      status() {
        return ctx.session
          ? {
              meta: ctx.session.meta,
              running: !!ctx.loop?.running,
              history: ctx.session.history,
              config: ctx.session.config,
            }
          : null;
      },
    },
  };
}
