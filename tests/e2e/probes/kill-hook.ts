// Bundled by tests/e2e/kill.test.ts and evaluated inside a live char-LSTM worker through Playwright,
// so the app's build carries no test hook. It tells the page about every checkpoint write and, when
// armed, holds the worker at a chosen point of one write until the page's Worker.terminate() lands
// there. Holding is a synchronous busy loop, so the kill is inside the write by construction, not by
// lucky timing: held after a put, the transaction cannot commit (neither commit() nor a return to
// the event loop happens); held just after commit(), the commit is already on its way and may land.

/** Where inside a checkpoint write the worker is held: after the row's put, after the checkpoint's put, or just after commit() was sent. */
export type Phase = 'row' | 'checkpoint' | 'commit';

/** What the hook posts to the page (Comlink ignores messages without an id). */
export type KillNote =
  { killHook: 'write'; step: number } | { killHook: 'held'; step: number; phase: Phase };

interface Plan {
  /** Hold in the n-th write (1-based) of a step above `from`. */
  write: number;
  phase: Phase;
}

const post = (note: KillNote): void =>
  (self as unknown as { postMessage(m: unknown): void }).postMessage(note);

let from = 0;
let plan: Plan | null = null;
let writes = 0;
/** The step of the write in progress: its row and its checkpoint carry the same step. */
let current: number | null = null;

function hold(step: number, phase: Phase): void {
  post({ killHook: 'held', step, phase });
  // The page terminates this worker on the note above; Chromium stops even a busy loop, after 2 s of
  // grace. Give up after 30 s, so a page that never kills fails the test rather than hanging it.
  const until = performance.now() + 30_000;
  while (performance.now() < until) {
    // Busy on purpose: see the top of this file.
  }
  throw new Error(`kill hook: held in the write of step ${step} (${phase}) but never terminated`);
}

// Writes are told apart by their step, not by transaction, so the hook still finds its moment if the
// app's write ever stops being one transaction (which this test must then catch).
const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
  const request = put.call(this, value, key);
  const step = (value as { step?: unknown }).step;
  if (typeof step !== 'number' || step <= from) return request;
  // saveCheckpoint puts the session row first, then the checkpoint.
  if (this.name === 'sessions' && step !== current) {
    writes++;
    current = step;
    post({ killHook: 'write', step });
    if (plan?.write === writes && plan.phase === 'row') hold(step, 'row');
  } else if (this.name === 'checkpoints' && step === current) {
    if (plan?.write === writes && plan.phase === 'checkpoint') hold(step, 'checkpoint');
  }
  return request;
};

const commit = IDBTransaction.prototype.commit;
IDBTransaction.prototype.commit = function (this: IDBTransaction) {
  commit.call(this);
  const writesCheckpoint = this.objectStoreNames.contains('checkpoints');
  if (writesCheckpoint && current !== null && plan?.write === writes && plan.phase === 'commit')
    hold(current, 'commit');
};

(globalThis as Record<string, unknown>).killHook = {
  /** Counts writes of steps above `start` (the step this worker trains from); holds in one of them when `p` is given. */
  arm(start: number, p: Plan | null): void {
    from = start;
    plan = p;
    writes = 0;
    current = null;
  },
};
