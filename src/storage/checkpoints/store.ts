// Whole-session checkpoints: meta and checkpoint are written in one strict transaction, so a crash,
// reload or quota failure mid-save leaves the previous checkpoint and its meta exactly as they were.
import type { HistoryPoint, ModelKind, SessionMeta } from '../../shared/protocol';
import { AppError } from '../../shared/protocol/errors';
import { toStorageError } from '../db';
import type { AppDatabase } from '../db';

export { StorageFullError } from '../db';

/** Named tensors packed like tfjs `io.encodeWeights`: specs in order, values concatenated in `data`. */
export interface TensorBlob {
  specs: { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }[];
  data: ArrayBuffer;
}

/** Everything needed to resume a session exactly; structured-cloneable, no tensors. */
export interface Checkpoint {
  sessionId: string;
  model: ModelKind;
  version: 1;
  step: number;
  epoch: number;
  /** Data cursor inside the epoch. */
  cursor: number;
  /** `Rng.state` of the training stream. */
  rngState: number;
  /** Model and training config, JSON. */
  config: Record<string, unknown>;
  /** tfjs layers `model.toJSON(null, false)` per network, e.g. `{ model }` or `{ generator, discriminator }`. */
  topologies: Record<string, unknown>;
  /** Weights per network. */
  weights: Record<string, TensorBlob>;
  /** Slots per optimizer, from `optimizer.getWeights()` (includes `iter`). */
  optimizers: Record<string, TensorBlob>;
  history: HistoryPoint[];
  /** Text samples or PNG snapshots (Uint8Array), model-specific. */
  samples: unknown[];
  extra: Record<string, unknown>;
}

/** Options of `saveCheckpoint`; `faultAfterFirstPut` is a test hook that fails between the two puts. */
export interface SaveOptions {
  faultAfterFirstPut?: boolean;
  /**
   * The `savedAt` of the stored row this write replaces, or null for a session's first write: a
   * write or delete by another tab since then refuses it, so a stale copy is never saved back.
   */
  replaces?: number | null;
}

const STRICT = { durability: 'strict' } as const;

/** A fresh random session id. */
export function newSessionId(): string {
  return crypto.randomUUID();
}

/** Approximate stored size of a structured-cloneable value, counting binary payloads exactly. */
export function estimateBytes(value: unknown, seen: Set<object> = new Set()): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return value.length * 2;
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 1;
  if (typeof value !== 'object') return 0;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (seen.has(value)) return 0;
  seen.add(value);
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += estimateBytes(item, seen);
  } else {
    for (const [key, item] of Object.entries(value))
      total += key.length * 2 + estimateBytes(item, seen);
  }
  return total;
}

/** Writes `meta` and `ckpt` in one strict transaction, replacing the session's previous checkpoint; resolves to the stored meta. */
export async function saveCheckpoint(
  db: AppDatabase,
  meta: SessionMeta,
  ckpt: Checkpoint,
  opts: SaveOptions = {},
): Promise<SessionMeta> {
  if (meta.id !== ckpt.sessionId || meta.model !== ckpt.model) {
    throw new Error(
      `Checkpoint of ${ckpt.model}/${ckpt.sessionId} does not match session ${meta.model}/${meta.id}`,
    );
  }
  let stored: SessionMeta = { ...meta, sizeBytes: estimateBytes(ckpt) };
  const what = `the checkpoint of “${meta.name}” at step ${ckpt.step}`;
  const tx = db.transaction(['sessions', 'checkpoints'], 'readwrite', STRICT);
  // tx.done rejects on abort; observe it now so an early throw is not an unhandled rejection.
  const done = tx.done;
  done.catch(() => undefined);
  try {
    if (opts.replaces !== undefined) {
      const row = await tx.objectStore('sessions').get(meta.id);
      const conflict = staleWrite(row, opts.replaces);
      if (conflict) throw conflict;
      // A rename from any tab is in the row; the worker's copy of the name may be older.
      if (row) stored = { ...stored, name: row.name };
    }
    let refused = false;
    const first = tx.objectStore('sessions').put(stored);
    first.catch(() => (refused = true));
    if (opts.faultAfterFirstPut) throw new Error('Injected fault between checkpoint puts');
    const second = tx.objectStore('checkpoints').put(ckpt);
    second.catch(() => (refused = true));
    // Both puts are queued and the commit asked for now, not after the last put's callback: a reload
    // ends this worker right after pagehide, and only a commit already sent lands (measured in e2e).
    // A put refused before it reached the database must not leave the other one to commit alone.
    await Promise.resolve();
    if (!refused) tx.commit();
    await Promise.all([first, second, done]);
  } catch (err) {
    abortQuietly(tx);
    throw toStorageError(err, what);
  }
  return stored;
}

function staleWrite(row: SessionMeta | undefined, replaces: number | null): AppError | null {
  if (replaces === null)
    return row ? new AppError('internal', `Session ${row.id} is already stored`) : null;
  if (!row)
    return new AppError('not-found', 'This session was deleted (in another tab): it is not saved.');
  if (row.savedAt !== replaces)
    return new AppError(
      'locked',
      'Another tab saved this session after it was loaded here: open it again to continue from there.',
    );
  return null;
}

/** Reads the latest checkpoint of a session, or `undefined` when there is none. */
export async function loadCheckpoint(db: AppDatabase, id: string): Promise<Checkpoint | undefined> {
  const ckpt = await db.get('checkpoints', id);
  if (ckpt && ckpt.version !== 1) {
    throw new Error(
      `Checkpoint of session ${id} has unknown format version ${String(ckpt.version)}`,
    );
  }
  return ckpt;
}

/** All sessions (of one model when given), most recently saved first. */
export async function listSessions(db: AppDatabase, model?: ModelKind): Promise<SessionMeta[]> {
  const all = model
    ? await db.getAllFromIndex('sessions', 'by-model', model)
    : await db.getAll('sessions');
  return all.sort((a, b) => b.savedAt - a.savedAt);
}

/** One session's meta, or `undefined`. */
export function getSession(db: AppDatabase, id: string): Promise<SessionMeta | undefined> {
  return db.get('sessions', id);
}

/** Deletes a session's meta and checkpoint together. */
export async function deleteSession(db: AppDatabase, id: string): Promise<void> {
  const tx = db.transaction(['sessions', 'checkpoints'], 'readwrite', STRICT);
  await Promise.all([
    tx.objectStore('sessions').delete(id),
    tx.objectStore('checkpoints').delete(id),
    tx.done,
  ]);
}

/** Renames a session and resolves to its updated meta. */
export async function renameSession(
  db: AppDatabase,
  id: string,
  name: string,
): Promise<SessionMeta> {
  const tx = db.transaction('sessions', 'readwrite', STRICT);
  tx.done.catch(() => undefined);
  const meta = await tx.store.get(id);
  if (!meta) {
    abortQuietly(tx);
    throw new AppError('not-found', `No session ${id} to rename`);
  }
  const renamed = { ...meta, name };
  await tx.store.put(renamed);
  await tx.done;
  return renamed;
}

/** Copies a session and its checkpoint under a new id and name (a branch), resolving to the new meta. */
export async function duplicateSession(
  db: AppDatabase,
  id: string,
  newName: string,
): Promise<SessionMeta> {
  const tx = db.transaction(['sessions', 'checkpoints'], 'readwrite', STRICT);
  const done = tx.done;
  done.catch(() => undefined);
  const what = `the copy “${newName}”`;
  try {
    const meta = await tx.objectStore('sessions').get(id);
    const ckpt = await tx.objectStore('checkpoints').get(id);
    if (!meta) throw new AppError('not-found', `No session ${id} to duplicate`);
    const now = Date.now();
    const copy: SessionMeta = {
      ...meta,
      id: newSessionId(),
      name: newName,
      createdAt: now,
      savedAt: now,
    };
    await tx.objectStore('sessions').put(copy);
    if (ckpt) await tx.objectStore('checkpoints').put({ ...ckpt, sessionId: copy.id });
    await done;
    return copy;
  } catch (err) {
    abortQuietly(tx);
    throw toStorageError(err, what);
  }
}

/** Stores an imported session under a new id in one strict transaction (never over an existing session), resolving to its meta. */
export async function importSession(
  db: AppDatabase,
  meta: SessionMeta,
  ckpt: Checkpoint,
): Promise<SessionMeta> {
  const id = newSessionId();
  const imported: Checkpoint = { ...ckpt, sessionId: id };
  const stored: SessionMeta = {
    ...meta,
    id,
    savedAt: Date.now(),
    sizeBytes: estimateBytes(imported),
  };
  const tx = db.transaction(['sessions', 'checkpoints'], 'readwrite', STRICT);
  const done = tx.done;
  done.catch(() => undefined);
  try {
    // add, not put: a clashing key aborts the transaction instead of replacing a session.
    await tx.objectStore('sessions').add(stored);
    await tx.objectStore('checkpoints').add(imported);
    await done;
  } catch (err) {
    abortQuietly(tx);
    throw toStorageError(err, `the imported session “${meta.name}”`);
  }
  return stored;
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already aborted or finished: nothing of this transaction can land any more.
  }
}
