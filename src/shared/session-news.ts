// What one tab's worker tells every other tab about sessions it wrote, over a BroadcastChannel: the
// lists stay live, and a tab drops a session that another tab deleted instead of saving it back.
import type { ModelKind, SessionMeta } from './protocol';

/** What happened to a session: a row written (checkpoint, rename, copy, import), a delete, a run started or stopped. */
export type SessionEvent =
  | { kind: 'saved'; meta: SessionMeta }
  | { kind: 'deleted' | 'training' | 'stopped'; id: string; model: ModelKind };

/** A session event and the tab whose worker it happened in. */
export type SessionNews = SessionEvent & { tab: string };

const CHANNEL = 'dl-playground-sessions';
const LOCK_PREFIX = 'train-session:';

/** The Web Lock a tab holds while it trains a session (`runtime/lock.ts` takes it). */
export function trainingLockName(sessionId: string): string {
  return LOCK_PREFIX + sessionId;
}

/** The session id of a training lock's name, or null for any other lock. */
export function lockedSessionId(lockName: string | undefined): string | null {
  return lockName?.startsWith(LOCK_PREFIX) ? lockName.slice(LOCK_PREFIX.length) : null;
}

/** Listens to the other tabs' session news (and posts this context's); `close` stops both. */
export function sessionNews(onNews: (news: SessionNews) => void = () => undefined): {
  post(news: SessionNews): void;
  close(): void;
} {
  if (typeof BroadcastChannel === 'undefined') return { post: () => undefined, close: () => {} };
  const channel = new BroadcastChannel(CHANNEL);
  // Node keeps a process alive for an open channel; tests create many workers' hosts.
  (channel as { unref?: () => void }).unref?.();
  channel.onmessage = (e: MessageEvent<SessionNews>) => onNews(e.data);
  return {
    post: (news) => channel.postMessage(news),
    close: () => channel.close(),
  };
}
