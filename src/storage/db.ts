// The one IndexedDB schema of the app. Only src/storage touches IndexedDB, and it never imports tfjs,
// because the UI thread opens the same database to list sessions.
import { wrap } from 'idb';
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { ModelKind, SessionMeta } from '../shared/protocol';
import { AppError } from '../shared/protocol/errors';
import type { Checkpoint } from './checkpoints/store';

/** Where a stored corpus came from. */
export type CorpusSource = 'download' | 'file' | 'bundled';

/** A text corpus kept for offline training. */
export interface CorpusRecord {
  id: string;
  name: string;
  text: string;
  source: CorpusSource;
  addedAt: number;
  /** UTF-8 size of `text`. */
  sizeBytes: number;
}

/** An imported binary file (image/mask archives and the like), stored as raw bytes. */
export interface FileRecord {
  id: string;
  name: string;
  kind: string;
  bytes: ArrayBuffer;
  addedAt: number;
  /** How many items the file holds, for collections such as an imported image pool. */
  count?: number;
}

/** The typed schema of the app database. */
export interface AppDb extends DBSchema {
  sessions: {
    key: string;
    value: SessionMeta;
    indexes: { 'by-model': ModelKind; 'by-savedAt': number };
  };
  checkpoints: { key: string; value: Checkpoint };
  corpora: { key: string; value: CorpusRecord };
  files: { key: string; value: FileRecord };
}

/** The database handle every storage function takes. */
export type AppDatabase = IDBPDatabase<AppDb>;

/** The upgrade transaction a migration step runs in. */
export type UpgradeTx = IDBPTransaction<AppDb, StoreNames<AppDb>[], 'versionchange'>;

/** One schema step: migration `i` turns version `i` into version `i + 1`. */
export type Migration = (db: AppDatabase, tx: UpgradeTx) => void;

/** The schema steps in order; append a step to add stores, never edit a shipped one. */
export const MIGRATIONS: readonly Migration[] = [
  (db) => {
    const sessions = db.createObjectStore('sessions', { keyPath: 'id' });
    sessions.createIndex('by-model', 'model');
    sessions.createIndex('by-savedAt', 'savedAt');
    // Keyed by session id, so a session can only ever hold its latest checkpoint.
    db.createObjectStore('checkpoints', { keyPath: 'sessionId' });
    db.createObjectStore('corpora', { keyPath: 'id' });
    db.createObjectStore('files', { keyPath: 'id' });
  },
];

/** The schema version that `openAppDb` opens. */
export const DB_VERSION = MIGRATIONS.length;

/** The default database name. */
export const DEFAULT_DB_NAME = 'dl-playground';

/** Thrown when the browser refuses a write because the storage quota is used up. */
export class StorageFullError extends AppError {
  override readonly name = 'StorageFullError';
  constructor(what: string, cause?: unknown) {
    super(
      'storage-full',
      `Storage is full: ${what} was not saved, and what was saved before is unchanged. ` +
        'Free space by pruning old sample snapshots or deleting sessions you no longer need.',
      { cause },
    );
  }
}

/** Whether `err` (a DOMException, or an aborted transaction's error) means the quota is exhausted. */
export function isQuotaError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; cause?: unknown };
  // Legacy browsers report code 22 (Chrome/Safari) or a Firefox-specific name.
  if (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  if (e.code === 22) return true;
  return e.cause !== undefined && e.cause !== err && isQuotaError(e.cause);
}

/** Maps a quota failure to `StorageFullError` (naming `what` was lost) and passes others through. */
export function toStorageError(err: unknown, what: string): unknown {
  if (err instanceof StorageFullError) return err;
  return isQuotaError(err) ? new StorageFullError(what, err) : err;
}

/** Opens (creating or upgrading) the app database; `factory` lets tests inject a fake IndexedDB. */
export async function openAppDb(
  name: string = DEFAULT_DB_NAME,
  factory: IDBFactory = indexedDB,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<AppDatabase> {
  const version = migrations.length;
  const request = factory.open(name, version);
  request.addEventListener('upgradeneeded', (event) => {
    const db = wrap(request.result) as unknown as AppDatabase;
    const tx = wrap(request.transaction as IDBTransaction) as unknown as UpgradeTx;
    // Each step runs in order from the stored version, so old data survives every upgrade.
    for (let v = event.oldVersion; v < version; v++) migrations[v](db, tx);
  });
  let db: AppDatabase;
  try {
    db = (await wrap(request)) as unknown as AppDatabase;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'VersionError') {
      throw new Error(
        `The saved data uses a newer schema than this version of the app (${version}); reload to update the app.`,
        { cause: err },
      );
    }
    throw err;
  }
  // Another tab upgrading the schema must not be blocked by this one; it reopens on next use.
  db.addEventListener('versionchange', () => db.close());
  return db;
}
