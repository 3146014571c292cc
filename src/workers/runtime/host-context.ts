// The state and the writes that the parts of a session host share (`session-host.ts` drives the
// loaded session, `session-admin.ts` and `session-starters.ts` serve the page's other intents).
import type {
  AutosavePolicy,
  BackendReport,
  SessionMeta,
  TrainProgress,
} from '../../shared/protocol';
import { AppError, DEFAULT_AUTOSAVE } from '../../shared/protocol';
import { sessionNews, type SessionEvent, type SessionNews } from '../../shared/session-news';
import { isStarterId } from '../../shared/starters';
import type { Checkpoint } from '../../storage/checkpoints/store';
import { listSessions, saveCheckpoint } from '../../storage/checkpoints/store';
import type { AppDatabase } from '../../storage/db';
import { openAppDb } from '../../storage/db';
import { acquireTrainingLock } from './lock';
import type { ModelSession, SessionHostDeps } from './model-session';
import { nonFiniteWeight } from './model-session';
import { uniqueName } from './session-names';
import { DivergedError, type TrainingLoop } from './training-loop';

/** Why a starter cannot be trained, renamed or deleted. */
export const READ_ONLY =
  'A starter model is read-only: press Fine-tune to train your own copy of it.';
/** Why a session id has nothing to load or export. */
export const NOT_STORED = 'This session has no checkpoint on this device.';
/** Why an intent that needs a loaded session cannot run. */
export const NO_SESSION = 'Train or open a session first: there is no model loaded.';
/** The start of the message for a session whose training lock another tab holds. */
export const TRAINED_ELSEWHERE = 'This session is training in another tab or window';

/** One worker's session host: its mutable state and the helpers every part of it calls. */
export interface HostContext<S extends ModelSession> {
  readonly deps: SessionHostDeps<S>;
  backend: BackendReport | null;
  session: S | null;
  loop: TrainingLoop | null;
  autosave: AutosavePolicy;
  /** The last run's progress callback, which a run continued after a lost device reports to. */
  lastProgress: ((p: TrainProgress) => void) | null;
  releaseLock: (() => void) | null;
  lockedId: string;
  /** The page names its tab at init, so it can tell its own worker's news from other tabs'. */
  tab: string;
  /** The stored row's savedAt each live session last read or wrote: a save replaces only that row. */
  readonly versions: WeakMap<S, number>;
  readonly db: () => Promise<AppDatabase>;
  readonly tell: (n: SessionEvent) => void;
  readonly serial: <T>(write: () => Promise<T>) => Promise<T>;
  readonly save: (target?: S | null, owned?: boolean) => Promise<SessionMeta>;
  readonly unlessTrainedElsewhere: <T>(id: string, write: () => Promise<T>) => Promise<T>;
  readonly freeName: (base: string, except?: string) => Promise<string>;
  readonly unlock: () => void;
  readonly replace: (next: S | null) => Promise<void>;
  readonly restored: (meta: SessionMeta, ckpt: Checkpoint, database: AppDatabase) => Promise<S>;
}

/** A fresh host context for `deps`: no session loaded, listening to the other tabs' session news. */
export function createHostContext<S extends ModelSession>(
  deps: SessionHostDeps<S>,
): HostContext<S> {
  let dbPromise: Promise<AppDatabase> | null = null;
  const news = sessionNews((n) => void heard(n));
  const ctx: HostContext<S> = {
    deps,
    backend: null,
    session: null,
    loop: null,
    autosave: DEFAULT_AUTOSAVE,
    lastProgress: null,
    releaseLock: null,
    lockedId: '',
    tab: '',
    versions: new WeakMap<S, number>(),
    db: () => (dbPromise ??= (deps.openDb ?? (() => openAppDb()))()),
    tell: (n) => news.post({ ...n, tab: ctx.tab }),
    serial,
    save,
    unlessTrainedElsewhere,
    freeName,
    unlock,
    replace,
    restored,
  };

  // Another tab deleted the session loaded here (paused: a training one holds its lock): drop it.
  async function heard(n: SessionNews): Promise<void> {
    if (n.kind === 'deleted' && ctx.session?.meta.id === n.id && !ctx.loop?.running)
      await replace(null);
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
  function save(target: S | null = ctx.session, owned = false): Promise<SessionMeta> {
    return serial(async () => {
      // An unloaded session (deleted, replaced) must never write its rows back.
      if (!target || target !== ctx.session) throw new AppError('no-session', NO_SESSION);
      if (isStarterId(target.meta.id)) throw new AppError('read-only', READ_ONLY);
      const ckpt = await target.toCheckpoint();
      // A step can turn weights into NaN while the loss read just before was still finite.
      const bad = nonFiniteWeight(ckpt);
      if (bad)
        throw new DivergedError(`The weights of ${bad} became NaN or infinite: training diverged.`);
      const meta = { ...target.meta, backend: ctx.backend?.backend ?? '' };
      const replaces = owned ? undefined : (ctx.versions.get(target) ?? null);
      target.meta = await saveCheckpoint(await ctx.db(), meta, ckpt, { replaces });
      ctx.versions.set(target, target.meta.savedAt);
      ctx.tell({ kind: 'saved', meta: target.meta });
      return target.meta;
    });
  }

  // A tab that trains `id` would write its own name and state back over a change: refuse instead.
  async function unlessTrainedElsewhere<T>(id: string, write: () => Promise<T>): Promise<T> {
    if (ctx.loop?.running && ctx.session?.meta.id === id) return write();
    const release = await acquireTrainingLock(id);
    if (!release) throw new AppError('locked', `${TRAINED_ELSEWHERE}: pause it there first.`);
    try {
      return await write();
    } finally {
      release();
    }
  }

  async function freeName(base: string, except = ''): Promise<string> {
    const stored = await listSessions(await ctx.db(), deps.model);
    return uniqueName(base, new Set(stored.filter((s) => s.id !== except).map((s) => s.name)));
  }

  function unlock(): void {
    if (!ctx.releaseLock) return;
    ctx.releaseLock();
    ctx.releaseLock = null;
    ctx.tell({ kind: 'stopped', id: ctx.lockedId, model: deps.model });
  }

  async function replace(next: S | null): Promise<void> {
    await ctx.loop?.pause();
    ctx.loop = null;
    unlock();
    ctx.session?.dispose();
    ctx.session = next;
  }

  // A session rebuilt from its stored row: saves replace only that row.
  async function restored(meta: SessionMeta, ckpt: Checkpoint, database: AppDatabase): Promise<S> {
    const next = await deps.restore(meta, ckpt, database);
    ctx.versions.set(next, meta.savedAt);
    return next;
  }

  return ctx;
}
