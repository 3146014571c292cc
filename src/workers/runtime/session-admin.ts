// The page's session-management intents: the page never writes a session, so renames, copies,
// deletes, imports and prunes go through the worker, whose writes take turns with its checkpoints.
import type { ModelKind, SessionMeta } from '../../shared/protocol';
import { AppError } from '../../shared/protocol';
import { isStarterId } from '../../shared/starters';
import { parseSessionZip } from '../../storage/checkpoints/import';
import { checkpointToZip } from '../../storage/checkpoints/zip';
import {
  deleteSession,
  duplicateSession,
  getSession,
  importSession,
  loadCheckpoint,
  renameSession,
} from '../../storage/checkpoints/store';
import type { HostContext } from './host-context';
import { NOT_STORED, READ_ONLY } from './host-context';
import type { ModelSession } from './model-session';

/** The intents that import, export, prune, rename, copy and delete stored sessions, for the worker's API. */
export function sessionAdmin<S extends ModelSession>(ctx: HostContext<S>) {
  const { db, serial, tell, freeName, unlessTrainedElsewhere } = ctx;
  return {
    /** Validates a session .zip and stores it as a new session, off the page's thread; throws the person's message. */
    async importZip(zip: Uint8Array, expected: ModelKind, fileName: string): Promise<SessionMeta> {
      const parsed = parseSessionZip(zip, expected, fileName);
      if (!parsed.ok) throw new AppError('bad-input', parsed.message);
      const { meta, checkpoint } = parsed;
      const stored = await serial(async () =>
        importSession(await db(), { ...meta, name: await freeName(meta.name) }, checkpoint),
      );
      tell({ kind: 'saved', meta: stored });
      return stored;
    },
    /** A saved session as a .zip (tfjs layers model, optimizer state, metadata) and its file name. */
    async exportZip(id: string): Promise<{ bytes: Uint8Array; fileName: string }> {
      const database = await db();
      const [meta, ckpt] = await Promise.all([
        getSession(database, id),
        loadCheckpoint(database, id),
      ]);
      if (!meta || !ckpt) throw new AppError('not-found', NOT_STORED);
      const safe = meta.name.replace(/[^\w.-]+/g, '-');
      return { bytes: checkpointToZip(meta, ckpt), fileName: `${safe}-step-${meta.step}.zip` };
    },
    /** Frees storage: drops all but the newest `keepLast` samples of the loaded session and saves it. */
    async pruneSamples(keepLast: number): Promise<{ dropped: number; meta: SessionMeta | null }> {
      if (!ctx.session) return { dropped: 0, meta: null };
      const dropped = ctx.session.pruneSamples?.(keepLast) ?? 0;
      if (ctx.loop?.running) {
        await ctx.loop.requestSave();
        return { dropped, meta: ctx.session.meta };
      }
      return { dropped, meta: await ctx.save() };
    },
    /** Renames a stored session; the loaded one keeps the new name in its next checkpoints. */
    async rename(id: string, name: string): Promise<SessionMeta> {
      const trimmed = name.trim().slice(0, 200);
      if (!trimmed) throw new AppError('bad-input', 'A session needs a name.');
      if (isStarterId(id)) throw new AppError('read-only', READ_ONLY);
      return unlessTrainedElsewhere(id, () =>
        serial(async () => {
          if ((await freeName(trimmed, id)) !== trimmed)
            throw new AppError('bad-input', `Another session is already called “${trimmed}”.`);
          const meta = await renameSession(await db(), id, trimmed);
          if (ctx.session?.meta.id === id)
            ctx.session.meta = { ...ctx.session.meta, name: trimmed };
          tell({ kind: 'saved', meta });
          return meta;
        }),
      );
    },
    /** Copies a stored session's last checkpoint under a new id and a unique name (a branch). */
    async duplicate(id: string): Promise<SessionMeta> {
      return serial(async () => {
        const source = await getSession(await db(), id);
        if (!source) throw new AppError('not-found', NOT_STORED);
        const copy = await duplicateSession(
          await db(),
          id,
          await freeName(`${source.name} (copy)`),
        );
        tell({ kind: 'saved', meta: copy });
        return copy;
      });
    },
    /** Deletes a stored session and its checkpoint; the loaded one is paused (saved) and unloaded first. */
    async remove(id: string): Promise<void> {
      if (isStarterId(id)) throw new AppError('read-only', READ_ONLY);
      await unlessTrainedElsewhere(id, async () => {
        if (ctx.session?.meta.id === id) await ctx.replace(null);
        await serial(async () => deleteSession(await db(), id));
      });
      tell({ kind: 'deleted', id, model: ctx.deps.model });
    },
  };
}
