// The app's trained starters: opened read-only from their session.zip (id `starter:<model>`, never
// saved), and copied into a new session when the person fine-tunes one.
import type { SessionMeta } from '../../shared/protocol';
import { AppError } from '../../shared/protocol';
import { isStarterId, starterId } from '../../shared/starters';
import { parseSessionZip } from '../../storage/checkpoints/import';
import type { Checkpoint } from '../../storage/checkpoints/store';
import type { HostContext } from './host-context';
import type { ModelSession } from './model-session';

/** The starter helpers a model worker's fine-tune calls (`host`) and the page's `openStarter` intent (`api`). */
export function sessionStarters<S extends ModelSession>(ctx: HostContext<S>) {
  const { deps, db } = ctx;
  return {
    host: {
      /** The loaded starter's checkpoint, to fine-tune from; a clear error when no starter is loaded. */
      async starterCheckpoint(): Promise<Checkpoint> {
        if (!ctx.session || !isStarterId(ctx.session.meta.id))
          throw new AppError(
            'no-session',
            'Open the starter model first: Fine-tune copies it into a new session.',
          );
        return ctx.session.toCheckpoint();
      },
      /** A starter's checkpoint as a new session's: its weights, step and history, fresh optimizers, data position 0 and `config`. */
      starterCopy(ckpt: Checkpoint, meta: SessionMeta, seed: number, config: object): Checkpoint {
        return {
          ...ckpt,
          sessionId: meta.id,
          epoch: 0,
          cursor: 0,
          rngState: seed,
          optimizers: {},
          samples: [],
          config: config as Record<string, unknown>,
        };
      },
    },
    api: {
      /** Loads the app's trained starter from `url` (its session.zip), read-only, to sample from. */
      async openStarter(url: string): Promise<SessionMeta> {
        if (ctx.session && isStarterId(ctx.session.meta.id)) return ctx.session.meta;
        const res = await fetch(url).catch(() => null);
        if (!res?.ok)
          throw new AppError('not-found', 'The starter model could not be loaded on this device.');
        const parsed = parseSessionZip(new Uint8Array(await res.arrayBuffer()), deps.model);
        if (!parsed.ok) throw new AppError('bad-input', parsed.message);
        const meta = { ...parsed.meta, id: starterId(deps.model) };
        const ckpt = { ...parsed.checkpoint, sessionId: meta.id };
        const restore = deps.restoreStarter ?? ((m, c) => db().then((d) => deps.restore(m, c, d)));
        await ctx.replace(await restore(meta, ckpt));
        return meta;
      },
    },
  };
}
