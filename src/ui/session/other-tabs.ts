// What the other tabs do with this tab's model's sessions: their workers' news keeps the list live,
// and their Web Locks say which sessions they train (also one that trained before this tab opened).
import type { ModelKind, SessionMeta } from '../../shared/protocol';
import { lockedSessionId, sessionNews, type SessionNews } from '../../shared/session-news';

/** This page's name in session news, so it can tell its own worker's news from other tabs'. */
export const THIS_TAB = crypto.randomUUID();

/** What a tab does when another tab saved or deleted a session, or started or stopped training one. */
export interface OtherTabsListener {
  saved(meta: SessionMeta): void;
  deleted(id: string): void;
  changed(): void;
}

/** Sessions of one model that other tabs train now, kept live from their news and locks. */
export class OtherTabs {
  /** Ids of the sessions another tab trains now. */
  training: ReadonlySet<string> = new Set();
  private news: ReturnType<typeof sessionNews> | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly model: ModelKind,
    private readonly listener: OtherTabsListener,
  ) {}

  /** Starts listening and reads which sessions other tabs train already. */
  start(): void {
    this.news ??= sessionNews((n) => this.heard(n));
    void this.query();
  }

  /** Stops listening. */
  stop(): void {
    this.news?.close();
    this.news = null;
    clearInterval(this.poll);
    this.poll = undefined;
  }

  private heard(n: SessionNews): void {
    if (n.tab === THIS_TAB) return;
    if (n.kind === 'saved') {
      if (n.meta.model === this.model) this.listener.saved(n.meta);
      return;
    }
    if (n.model !== this.model) return;
    if (n.kind === 'deleted') this.listener.deleted(n.id);
    const next = new Set(this.training);
    if (n.kind === 'training') next.add(n.id);
    else next.delete(n.id);
    this.set(next);
  }

  // A tab closed mid-run sends no news, but its lock goes with it: look again while any is listed.
  private async query(): Promise<void> {
    const locks = (navigator as { locks?: LockManager }).locks;
    if (!locks) return;
    const { held = [] } = await locks.query();
    const ids = held.map((l) => lockedSessionId(l.name)).filter((id): id is string => !!id);
    this.set(new Set(ids));
  }

  private set(next: Set<string>): void {
    this.training = next;
    if (next.size && !this.poll) this.poll = setInterval(() => void this.query(), 5000);
    if (!next.size) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
    this.listener.changed();
  }
}
