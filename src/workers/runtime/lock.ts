// One Web Lock per session while it trains, so two tabs never write the same session's checkpoints.
import { trainingLockName } from '../../shared/session-news';

/** Takes the training lock of `sessionId` if free; resolves to its release function, or null if another tab holds it. */
export function acquireTrainingLock(sessionId: string): Promise<(() => void) | null> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  // Node tests have no Web Locks; a single process cannot race itself there.
  if (!locks) return Promise.resolve(() => undefined);
  return new Promise((resolve) => {
    void locks.request(trainingLockName(sessionId), { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      return new Promise<void>((release) => resolve(release));
    });
  });
}
