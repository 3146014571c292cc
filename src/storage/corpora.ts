// Text corpora kept in IndexedDB so that downloaded and user-picked texts work offline.
import { toStorageError } from './db';
import type { AppDatabase, CorpusRecord, CorpusSource } from './db';

export type { CorpusRecord, CorpusSource } from './db';

/** A corpus without its text, for lists. */
export type CorpusInfo = Omit<CorpusRecord, 'text'>;

/** What a caller supplies to store a corpus; id and addedAt default to fresh values. */
export interface CorpusInput {
  id?: string;
  name: string;
  text: string;
  source: CorpusSource;
  addedAt?: number;
}

/** Stores (or replaces, by id) a corpus and resolves to its info. */
export async function putCorpus(db: AppDatabase, input: CorpusInput): Promise<CorpusInfo> {
  const record: CorpusRecord = {
    id: input.id ?? crypto.randomUUID(),
    name: input.name,
    text: input.text,
    source: input.source,
    addedAt: input.addedAt ?? Date.now(),
    sizeBytes: new TextEncoder().encode(input.text).byteLength,
  };
  try {
    await db.put('corpora', record);
  } catch (err) {
    throw toStorageError(err, `the corpus “${input.name}”`);
  }
  return withoutText(record);
}

/** One corpus with its text, or `undefined`. */
export function getCorpus(db: AppDatabase, id: string): Promise<CorpusRecord | undefined> {
  return db.get('corpora', id);
}

/** All corpora without their texts, oldest first. */
export async function listCorpora(db: AppDatabase): Promise<CorpusInfo[]> {
  const infos: CorpusInfo[] = [];
  let cursor = await db.transaction('corpora').store.openCursor();
  while (cursor) {
    infos.push(withoutText(cursor.value));
    cursor = await cursor.continue();
  }
  return infos.sort((a, b) => a.addedAt - b.addedAt);
}

/** Deletes a corpus; a missing id is not an error. */
export function deleteCorpus(db: AppDatabase, id: string): Promise<void> {
  return db.delete('corpora', id);
}

function withoutText(record: CorpusRecord): CorpusInfo {
  const { id, name, source, addedAt, sizeBytes } = record;
  return { id, name, source, addedAt, sizeBytes };
}
