import { transfer, type Remote } from 'comlink';
import type { ReactiveControllerHost } from 'lit';
import type { ModelKind, SessionApi } from '../../shared/protocol';
import { errorMessage } from '../../shared/protocol';
import { sizeRefusal } from '../../storage/checkpoints/import';
import {
  isStarterId,
  STARTER_FOLDERS,
  starterIndexUrl,
  starterUrl,
  type StarterCard,
} from '../../shared/starters';
import { OtherTabs } from './other-tabs';
import { downloadBytes } from '../png-url';
import { SessionCore } from './core';
import type { SessionAction, SessionListStatus } from './list';

/**
 * State and actions shared by the model tabs: the training side (`SessionCore`), the sessions list
 * kept live across tabs, and the starter. It reads the list from IndexedDB but never writes: every
 * change is an intent to the worker.
 */
export abstract class SessionController<W extends SessionApi> extends SessionCore<W> {
  /** Outcome of the last sessions-list action, shown in the list itself. */
  listStatus: SessionListStatus | null = null;
  /** What other tabs do with this model's sessions. */
  readonly others: OtherTabs;
  /** The card of the trained starter this tab ships, or null when it has none. */
  starter: StarterCard | null = null;

  constructor(host: ReactiveControllerHost, model: ModelKind, worker: () => Remote<W>) {
    super(host, model, worker);
    this.others = new OtherTabs(model, {
      saved: (meta) => {
        this.listed(meta);
        this.storageChanged();
        this.update();
      },
      deleted: (id) => this.deletedElsewhere(id),
      changed: () => this.update(),
    });
  }

  override hostConnected(): void {
    this.others.start();
    super.hostConnected();
  }

  override hostDisconnected(): void {
    super.hostDisconnected();
    this.others.stop();
  }

  /** Reads the starter card while the worker starts. */
  override async init(): Promise<void> {
    await Promise.all([super.init(), this.loadStarterCard()]);
  }

  /** Ids of the sessions another tab trains now (this tab's own run, whose lock is seen too, is not). */
  get elsewhere(): ReadonlySet<string> {
    const all = this.others.training;
    const own = this.training;
    return own && all.has(own) ? new Set([...all].filter((id) => id !== own)) : all;
  }

  /** Whether another tab trains session `id` now. */
  trainedElsewhere(id: string | undefined): boolean {
    return !!id && this.elsewhere.has(id);
  }

  // Another tab deleted a session: it leaves the list, and the card if it was loaded here.
  private deletedElsewhere(id: string): void {
    this.storageChanged();
    const name = this.name(id);
    this.sessions = this.sessions.filter((s) => s.id !== id);
    if (this.current?.id === id) {
      this.unloaded();
      this.notice = `“${name}” was deleted in another tab.`;
    }
    this.update();
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

  /** Downloads a saved session as a .zip (tfjs layers model.json + weights, optimizer, metadata). */
  async exportSession(id: string): Promise<void> {
    await this.guard('Exporting…', async () => {
      // Zipping a large session takes a while: the worker does it, not the page's thread.
      const { bytes, fileName } = await this.worker().exportZip(id);
      downloadBytes(bytes, fileName, 'application/zip');
    });
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
      this.storageChanged();
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
}
