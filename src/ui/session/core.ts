import { proxy, type Remote } from 'comlink';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type {
  BackendReport,
  ErrorCode,
  HistoryPoint,
  ModelKind,
  SessionApi,
  SessionMeta,
  TrainProgress,
} from '../../shared/protocol';
import { errorCode, errorMessage } from '../../shared/protocol';
import { carryErrorCodes } from '../../shared/protocol/carry-errors';
import { listSessions } from '../../storage/checkpoints/store';
import { openAppDb } from '../../storage/db';
import { requestPersistentStorage } from '../../pwa';
import { THIS_TAB } from './other-tabs';
import { forcedBackend, onWorkerError, restartWorker } from './worker-client';
import { Watchdog } from './watchdog';

let persistAsked = false;
// Reload, close and navigation fire beforeunload first; a phone switching apps only hides the page.
const LEAVING = ['beforeunload', 'pagehide', 'visibilitychange'] as const;
carryErrorCodes();

/**
 * The training side of a model tab: backend, loaded session, progress and history, resume, pause and
 * checkpoints on leaving; `SessionController` adds the sessions list, the starter and other tabs.
 */
export abstract class SessionCore<W extends SessionApi> implements ReactiveController {
  backend: BackendReport | null = null;
  sessions: SessionMeta[] = [];
  current: SessionMeta | null = null;
  progress: TrainProgress | null = null;
  running = false;
  busy = '';
  /** How far the busy work is, 0-1, when it is known; null shows an indeterminate bar. */
  busyFraction: number | null = null;
  private failure: { message: string; code: ErrorCode | null } = { message: '', code: null };
  notice = '';
  /** The loaded session's loss/metric history: restored from the worker, then appended on progress. */
  history: HistoryPoint[] = [];
  protected historyId = '';
  private restoredConfig: unknown = null;
  /** The stored config of the loaded session (`current`), for what Train will do; null until read. */
  loadedConfig: unknown = null;
  private configOf = '';
  /** The session whose worker died, offered for resuming from its last checkpoint. */
  crashed: SessionMeta | null = null;
  private readonly watchdog = new Watchdog(
    () => this.worker().status(),
    (why) => void this.workerDied(why),
  );

  constructor(
    protected readonly host: ReactiveControllerHost,
    protected readonly model: ModelKind,
    protected readonly worker: () => Remote<W>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    for (const type of LEAVING) addEventListener(type, this.onLeaving);
    onWorkerError(this.model, (why) => void this.workerDied(why));
    void this.init();
  }

  hostDisconnected(): void {
    for (const type of LEAVING) removeEventListener(type, this.onLeaving);
    this.watchdog.stop();
  }

  // Whatever loaded a session (Train, Resume, Sample, a starter), its stored config is read once.
  hostUpdate(): void {
    const id = this.current?.id ?? '';
    if (id === this.configOf) return;
    this.configOf = id;
    this.loadedConfig = null;
    if (!id) return;
    void this.worker()
      .status()
      .then((st) => {
        if (st?.meta.id !== this.configOf) return;
        this.loadedConfig = st.config ?? null;
        this.update();
      });
  }

  // A hidden page may be frozen or killed at any time, and a reload ends the worker soon after
  // pagehide: checkpoint running training at the first sign, beforeunload (measured in e2e).
  private onLeaving = (e: Event) => {
    if (e.type === 'visibilitychange' && document.visibilityState !== 'hidden') return;
    if (this.running) void this.checkpoint();
  };

  protected update(): void {
    this.host.requestUpdate();
  }

  /** Runs `fn` showing `what` as busy, turning any exception into the error message. */
  protected async guard(what: string, fn: () => Promise<void>): Promise<void> {
    this.setError('');
    this.busy = what;
    this.update();
    try {
      await fn();
    } catch (e) {
      this.setError(errorMessage(e), errorCode(e));
    } finally {
      this.busy = '';
      this.busyFraction = null;
      this.update();
    }
  }

  /** Starts the worker, reports its backend and lists the stored sessions. */
  async init(): Promise<void> {
    await this.refresh();
    await this.guard('Starting the training worker…', async () => {
      this.backend = await this.worker().init(forcedBackend(), THIS_TAB);
    });
  }

  /** The error shown at the top of the tab, '' for none; set directly, it has no code. */
  get error(): string {
    return this.failure.message;
  }

  set error(message: string) {
    this.failure = { message, code: null };
  }

  /** What kind of failure `error` reports, for the UI to branch on; null when it has no code. */
  get errorCode(): ErrorCode | null {
    return this.failure.code;
  }

  /** Shows `message` as the tab's error with the code the worker gave it. */
  protected setError(message: string, code: ErrorCode | null = null): void {
    this.failure = { message, code: message ? code : null };
  }

  /** Re-reads this model's sessions from IndexedDB. */
  async refresh(): Promise<void> {
    this.sessions = await listSessions(await openAppDb(), this.model);
    this.update();
  }

  /** Puts a row the worker just wrote into the list (newest first), without reading it back. */
  protected listed(meta: SessionMeta): void {
    // A reply may arrive after a progress message that listed a newer save of the same session.
    if ((this.sessions.find((s) => s.id === meta.id)?.savedAt ?? -1) > meta.savedAt) return;
    const others = this.sessions.filter((s) => s.id !== meta.id);
    this.sessions = [meta, ...others].sort((a, b) => b.savedAt - a.savedAt);
    if (this.current?.id === meta.id) this.current = meta;
  }

  /** Makes `meta` (just started or fine-tuned by the worker) the loaded session and lists it. */
  protected started(meta: SessionMeta): void {
    this.current = meta;
    this.running = true;
    this.listed(meta);
  }

  /** Called for every progress message after the shared handling; subclasses override it. */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  protected onProgressExtra(_p: TrainProgress): void {}

  protected onProgress = proxy((p: TrainProgress) => {
    this.progress = p;
    this.running = p.state === 'running';
    this.watchdog.beat();
    if (this.running) this.watchdog.start();
    else this.watchdog.stop();
    this.recordHistory(p);
    // Errors, NaN rollbacks and device-lost moves all end a run with a message worth an alert.
    if (p.state !== 'running' && p.message) this.setError(p.message, p.code);
    if (p.backend) this.backend = p.backend;
    if (p.saved) this.listed(p.saved);
    if (p.savedStep !== undefined) this.afterSave();
    this.onProgressExtra(p);
    this.update();
  });

  // After the first checkpoint the data is worth keeping: ask the browser not to evict it.
  private afterSave(): void {
    if (!persistAsked) {
      persistAsked = true;
      void requestPersistentStorage();
    }
    this.storageChanged();
  }

  /** Tells the app that stored sessions changed (its overview and storage line read them again). */
  protected storageChanged(): void {
    (this.host as unknown as HTMLElement).dispatchEvent(
      new CustomEvent('storage-changed', { bubbles: true, composed: true }),
    );
  }

  /** Continues a saved session from its checkpoint, with `tuning` (settings that may change between runs). */
  async resume(id: string, tuning?: Record<string, number>): Promise<void> {
    await this.guard('Loading the checkpoint…', async () => {
      this.current = await this.worker().resume(id, this.onProgress, undefined, tuning);
      await this.restoreStatus();
      this.notice = `Resumed “${this.current.name}” from step ${this.current.step}.`;
      this.running = true;
      this.crashed = null;
      await this.afterLoad();
    });
  }

  // The one place where progress becomes history; a new session id starts a new history.
  private recordHistory(p: TrainProgress): void {
    if (p.sessionId !== this.historyId) {
      this.historyId = p.sessionId;
      this.history = [];
    }
    if (p.state === 'error' || !Object.keys(p.metrics).length) return;
    if (this.history.at(-1)?.step === p.step) return;
    this.history = [...this.history, { step: p.step, metrics: p.metrics }];
  }

  /** Replaces the history with the worker's whole one (keeping newer points) and, unless `config` is false, takes its stored config for the form. */
  protected async restoreStatus(config = true): Promise<void> {
    const st = await this.worker().status();
    if (!st) return;
    const last = st.history.at(-1)?.step ?? -1;
    const newer = this.historyId === st.meta.id ? this.history.filter((h) => h.step > last) : [];
    this.historyId = st.meta.id;
    this.history = [...st.history, ...newer];
    if (config) this.restoredConfig = st.config ?? null;
    this.loadedConfig = st.config ?? null;
    this.configOf = st.meta.id;
    this.update();
  }

  /** The config of a just-restored session, once, for the panel to show in its form fields. */
  takeRestoredConfig(): unknown {
    const c = this.restoredConfig;
    this.restoredConfig = null;
    return c;
  }

  /** Hook run after a session is loaded or started. */
  protected async afterLoad(): Promise<void> {}

  /** Pauses training; the worker writes a checkpoint first (its progress message lists it). */
  async pause(): Promise<void> {
    await this.guard('Saving a checkpoint…', async () => {
      await this.worker().pause();
      this.running = false;
    });
  }

  /** The id of the session training now ('' when not yet known), or null when nothing trains. */
  get training(): string | null {
    return this.running ? (this.progress?.sessionId ?? this.current?.id ?? '') : null;
  }

  // A dead worker's calls never settle: start a fresh one and offer the last checkpoint.
  private async workerDied(why: string): Promise<void> {
    this.watchdog.stop();
    const id = this.progress?.sessionId ?? this.current?.id;
    restartWorker(this.model);
    this.running = false;
    this.progress = null;
    this.notice = '';
    this.backend = null;
    this.busy = '';
    await this.init();
    const meta = id ? this.sessions.find((s) => s.id === id) : undefined;
    this.crashed = meta ?? null;
    this.setError(
      `The training worker stopped (${why}). It was restarted` +
        (meta ? `; the last checkpoint of “${meta.name}” is at step ${meta.step}.` : '.'),
    );
    this.update();
  }

  /** Resumes the session whose worker died, from its last checkpoint. */
  async resumeCrashed(): Promise<void> {
    const meta = this.crashed;
    if (meta) await this.resume(meta.id);
  }

  /** Whether the last error was a full disk, which pruning old samples can fix. */
  get storageFull(): boolean {
    return this.errorCode === 'storage-full';
  }

  /** Frees space by keeping only the 5 newest samples of the loaded session, then saves it. */
  async freeSpace(): Promise<void> {
    await this.guard('Pruning old samples…', async () => {
      const { dropped, meta } = await this.worker().pruneSamples(5);
      this.notice = meta
        ? `Dropped ${dropped} old samples; the checkpoint at step ${meta.step} is saved.`
        : 'No session is loaded here: delete sessions you no longer need to free space.';
      if (meta) this.listed(meta);
    });
  }

  /** Writes a checkpoint of the loaded session now (page hidden, update pending). */
  async checkpoint(): Promise<void> {
    await this.worker().checkpoint();
  }
}
