import { proxy, transfer, type Remote } from 'comlink';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type {
  BackendReport,
  ErrorCode,
  HistoryPoint,
  ModelKind,
  SessionApi,
  SessionMeta,
  TrainProgress,
} from '../shared/protocol';
import { errorCode, errorMessage } from '../shared/protocol';
import { carryErrorCodes } from '../shared/protocol/carry-errors';
import { sizeRefusal } from '../data/session-import';
import {
  isStarterId,
  STARTER_FOLDERS,
  starterIndexUrl,
  starterUrl,
  type StarterCard,
} from '../shared/starters';
import { listSessions } from '../storage/checkpoints';
import { openAppDb } from '../storage/db';
import { requestPersistentStorage } from '../pwa';
import { downloadBytes } from './png-url';
import type { SessionAction, SessionListStatus } from './session-list';
import { forcedBackend, onWorkerError, restartWorker } from './worker-clients';
import { Watchdog } from './worker-watchdog';

let persistAsked = false;
carryErrorCodes();

/**
 * State and actions shared by the model tabs: backend, sessions list, training progress, resume and
 * pause. It reads the list from IndexedDB but never writes: every change is an intent to the worker.
 */
export abstract class SessionController<W extends SessionApi> implements ReactiveController {
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
  /** Outcome of the last sessions-list action, shown in the list itself. */
  listStatus: SessionListStatus | null = null;
  /** The loaded session's loss/metric history: restored from the worker, then appended on progress. */
  history: HistoryPoint[] = [];
  private historyId = '';
  private restoredConfig: unknown = null;
  /** The card of the trained starter this tab ships, or null when it has none. */
  starter: StarterCard | null = null;
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
    document.addEventListener('visibilitychange', this.onVisibility);
    onWorkerError(this.model, (why) => void this.workerDied(why));
    void this.init();
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.watchdog.stop();
  }

  // A hidden page may be frozen or killed at any time: checkpoint running training right away.
  private onVisibility = () => {
    if (document.visibilityState === 'hidden' && this.running) void this.checkpoint();
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
    await Promise.all([this.refresh(), this.loadStarterCard()]);
    await this.guard('Starting the training worker…', async () => {
      this.backend = await this.worker().init(forcedBackend());
    });
  }

  // The index lists only the starters that exist: no request for a missing one (a 404 in the console).
  private async loadStarterCard(): Promise<void> {
    try {
      const res = await fetch(starterIndexUrl(document.baseURI));
      const cards = (await res.json()) as Partial<Record<ModelKind, StarterCard>>;
      this.starter = cards[this.model] ?? null;
    } catch {
      this.starter = null;
    }
    this.update();
  }

  /** Whether the loaded model is the read-only starter. */
  get starterLoaded(): boolean {
    return isStarterId(this.current?.id);
  }

  /** Loads the shipped starter (read-only) so the tab samples from it. */
  async openStarter(): Promise<void> {
    await this.guard('Loading the starter model…', async () => {
      const url = starterUrl(this.model, 'session.zip', document.baseURI);
      this.current = await this.worker().openStarter(url);
      await this.restoreStatus();
      await this.afterLoad();
    });
  }

  /** Downloads the starter's session.zip, the same format as Export. */
  async exportStarter(): Promise<void> {
    await this.guard('Exporting…', async () => {
      const res = await fetch(starterUrl(this.model, 'session.zip', document.baseURI));
      if (!res.ok) throw new Error('The starter model could not be read on this device.');
      const name = `${STARTER_FOLDERS[this.model]}-starter.zip`;
      downloadBytes(new Uint8Array(await res.arrayBuffer()), name, 'application/zip');
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
    (this.host as unknown as HTMLElement).dispatchEvent(
      new CustomEvent('storage-changed', { bubbles: true, composed: true }),
    );
  }

  /** Continues a saved session from its checkpoint. */
  async resume(id: string): Promise<void> {
    await this.guard('Loading the checkpoint…', async () => {
      this.current = await this.worker().resume(id, this.onProgress);
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

  /** Replaces the history with the worker's whole one (keeping newer points) and takes its stored config. */
  protected async restoreStatus(): Promise<void> {
    const st = await this.worker().status();
    if (!st) return;
    const last = st.history.at(-1)?.step ?? -1;
    const newer = this.historyId === st.meta.id ? this.history.filter((h) => h.step > last) : [];
    this.historyId = st.meta.id;
    this.history = [...st.history, ...newer];
    this.restoredConfig = st.config ?? null;
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

  /** Downloads a saved session as a .zip (tfjs layers model.json + weights, optimizer, metadata). */
  async exportSession(id: string): Promise<void> {
    await this.guard('Exporting…', async () => {
      // Zipping a large session takes a while: the worker does it, not the page's thread.
      const { bytes, fileName } = await this.worker().exportZip(id);
      downloadBytes(bytes, fileName, 'application/zip');
    });
  }

  /** The id of the session training now ('' when not yet known), or null when nothing trains. */
  get training(): string | null {
    return this.running ? (this.progress?.sessionId ?? this.current?.id ?? '') : null;
  }

  /** Handles a `session-action` event of `<session-list>`. */
  onSessionAction = (e: Event): void => {
    const a = (e as CustomEvent<SessionAction>).detail;
    if (a.kind === 'import') void this.importSession(a.file);
    else if (a.kind === 'rename') void this.rename(a.id, a.name);
    else if (a.kind === 'duplicate') void this.duplicate(a.id);
    else if (a.kind === 'delete') void this.remove(a.id);
    else if (a.kind === 'export') void this.exportSession(a.id);
    else void this.resume(a.id);
  };

  // List actions report in the list, next to what the person pressed, and never throw.
  private async listAction(busy: string, fn: () => Promise<string>): Promise<void> {
    this.busy = busy;
    this.listStatus = null;
    this.update();
    try {
      this.listStatus = { text: await fn(), error: false };
      (this.host as unknown as HTMLElement).dispatchEvent(
        new CustomEvent('storage-changed', { bubbles: true, composed: true }),
      );
    } catch (e) {
      this.listStatus = { text: errorMessage(e), error: true };
    } finally {
      this.busy = '';
      this.busyFraction = null;
      this.update();
    }
  }

  private name(id: string): string {
    return this.sessions.find((s) => s.id === id)?.name ?? 'the session';
  }

  /** Renames a saved session (the worker does it, so a loaded session keeps the new name). */
  async rename(id: string, name: string): Promise<void> {
    await this.listAction('Renaming…', async () => {
      const meta = await this.worker().rename(id, name);
      this.listed(meta);
      return `Renamed to “${meta.name}”.`;
    });
  }

  /** Copies a saved session under a new id (a branch to try other settings from). */
  async duplicate(id: string): Promise<void> {
    await this.listAction('Duplicating…', async () => {
      const copy = await this.worker().duplicate(id);
      this.listed(copy);
      return `Saved “${copy.name}” at step ${copy.step}: resume it to train it separately.`;
    });
  }

  /** Deletes a saved session and its checkpoint (the list asked for confirmation); a loaded one leaves the card. */
  async remove(id: string): Promise<void> {
    await this.listAction('Deleting…', async () => {
      const name = this.name(id);
      await this.worker().remove(id);
      this.sessions = this.sessions.filter((s) => s.id !== id);
      if (this.current?.id === id) this.unloaded();
      return `Deleted “${name}”.`;
    });
  }

  // The worker dropped the loaded session: nothing of it stays on the card.
  private unloaded(): void {
    this.current = null;
    this.progress = null;
    this.running = false;
    this.history = [];
    this.historyId = '';
    this.notice = '';
    this.afterUnload();
  }

  /** Hook run after the loaded session was deleted, to clear what the tab shows of it. */
  protected afterUnload(): void {}

  /** Validates a session .zip and stores it as a new session; bad files get a message and change nothing. */
  async importSession(file: File): Promise<void> {
    await this.listAction('Importing…', async () => {
      // Checked before reading, so a huge file is never pulled into memory.
      const tooBig = sizeRefusal(file.name, file.size);
      if (tooBig) throw new Error(tooBig);
      // Unzipping and validating up to 100 MB would freeze the page: the worker does it.
      const zip = new Uint8Array(await file.arrayBuffer());
      const meta = await this.worker().importZip(
        transfer(zip, [zip.buffer]),
        this.model,
        file.name,
      );
      this.listed(meta);
      return `Imported “${meta.name}” at step ${meta.step}. Press Resume to continue training it.`;
    });
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
