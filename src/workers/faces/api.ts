import * as tf from '@tensorflow/tfjs';
import { encodePng, gridImage } from '../../data/png';
import { DEFAULT_GAN, imagesToRgb, sampleImages, validateGanConfig } from '../../models/gan/model';
import type { SessionMeta, TrainProgress } from '../../shared/protocol';
import { AppError } from '../../shared/protocol';
import { Rng } from '../../shared/rng';
import type { ImageSource } from '../../data/image-import';
import type { AppDatabase } from '../../storage/db';
import { deleteImageSet, getImagePool, listImageSets } from '../../storage/image-sets';
import type { ImageSetInfo } from '../../storage/image-sets';
import { BUILTIN_POOL, GanSession, renderFacePool } from './session';
import { importFaceImages } from './import';
import { createSessionHost, newSessionMeta } from '../runtime/session-host';
import type {
  FaceDataset,
  GanSessionConfig,
  GanSnapshot,
  GeneratedFace,
  ImageImportReport,
  NewFacesSession,
} from '../../shared/protocol/faces';

/** Spherical interpolation between latent vectors `a` and `b` at `t` in [0, 1]. */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))));
  const so = Math.sin(omega);
  // Nearly parallel vectors: slerp degenerates to linear interpolation.
  const wa = so < 1e-6 ? 1 - t : Math.sin((1 - t) * omega) / so;
  const wb = so < 1e-6 ? t : Math.sin(t * omega) / so;
  return a.map((v, i) => wa * v + wb * b[i]);
}

/** Builds the GAN worker API: train, resume, snapshots, generation and interpolation. */
export function createGanApi(deps: { openDb?: () => Promise<AppDatabase> } = {}) {
  const pools = new Map<string, Uint8Array>();

  async function loadPool(
    dataset: FaceDataset,
    size: number,
    seed: number,
    db: AppDatabase,
  ): Promise<Uint8Array> {
    const key = `${dataset.kind}:${dataset.kind === 'imported' ? dataset.id : seed}:${size}`;
    const cached = pools.get(key);
    if (cached) return cached;
    let pool: Uint8Array;
    if (dataset.kind === 'builtin') pool = renderFacePool(seed, BUILTIN_POOL, size);
    else {
      const stored = await getImagePool(db, dataset.id, size);
      if (!stored)
        throw new AppError(
          'not-found',
          `The imported images “${dataset.name}” are no longer stored on this device.`,
        );
      pool = stored;
    }
    pools.clear();
    pools.set(key, pool);
    return pool;
  }

  const host = createSessionHost<GanSession>({
    model: 'gan',
    openDb: deps.openDb,
    restore: async (meta, ckpt, db) => {
      const cfg = ckpt.config as unknown as GanSessionConfig;
      return GanSession.restore(
        meta,
        ckpt,
        await loadPool(cfg.dataset, cfg.model.imageSize, cfg.dataSeed, db),
      );
    },
    retune: (config, tuning) => {
      const c = config as GanSessionConfig;
      const { batchSize = c.model.batchSize, snapshotEvery = c.snapshotEvery } = tuning;
      if (batchSize === c.model.batchSize && snapshotEvery === c.snapshotEvery) return null;
      const model = { ...c.model, batchSize };
      const bad = validateGanConfig(model);
      if (bad) throw new AppError('bad-input', bad);
      if (!Number.isInteger(snapshotEvery) || snapshotEvery < 1)
        throw new AppError(
          'bad-input',
          'The grid interval must be a whole number of steps, at least 1.',
        );
      return { ...c, model, snapshotEvery };
    },
  });

  const loaded = () => host.loaded();

  async function facePngs(s: GanSession, latents: tf.Tensor2D): Promise<Uint8Array[]> {
    const images = sampleImages(s.sampler, latents);
    const rgb = await imagesToRgb(images);
    images.dispose();
    const size = s.config.model.imageSize;
    return rgb.map((img) => encodePng(img, size, size, 3));
  }

  return {
    ...host.api,

    /** Creates a session, renders or loads its images, writes its first checkpoint and starts training. */
    async startNew(
      req: NewFacesSession,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      const model = { ...DEFAULT_GAN, ...req.config };
      const bad = validateGanConfig(model);
      if (bad) throw new AppError('bad-input', bad);
      const seed = req.seed ?? (Math.random() * 2 ** 31) >>> 0;
      const config: GanSessionConfig = {
        model,
        dataset: req.dataset,
        dataSeed: seed,
        latentSeed: seed + 7,
        snapshotEvery: req.snapshotEvery ?? 50,
      };
      const pool = await loadPool(req.dataset, model.imageSize, seed, await host.db());
      const meta = newSessionMeta(
        'gan',
        req.name ?? `Faces ${model.imageSize}px on ${req.dataset.name}`,
        req.dataset.name,
      );
      return host.begin(GanSession.create(meta, config, pool), onProgress, maxSteps);
    },

    /** Copies the loaded starter into a new session (its networks, fresh optimizers) and trains it on `dataset`. */
    async fineTune(
      dataset: FaceDataset,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      const ckpt = await host.starterCheckpoint();
      const config = ckpt.config as unknown as GanSessionConfig;
      const seed = (Math.random() * 2 ** 31) >>> 0;
      const own: GanSessionConfig = {
        ...config,
        dataset,
        dataSeed: seed,
        latentSeed: seed + 7,
        snapshotEvery: 50,
      };
      const pool = await loadPool(dataset, config.model.imageSize, seed, await host.db());
      const meta = newSessionMeta('gan', `Faces (fine-tuned) on ${dataset.name}`, dataset.name);
      const copy = host.starterCopy(ckpt, meta, seed, own);
      return host.begin(await GanSession.restore(meta, copy, pool), onProgress, maxSteps);
    },

    /** Imports picked images, folder files or .zip files as an image set at both model sizes; never throws on bad files. */
    async importImages(
      files: readonly ImageSource[],
      name: string,
      onProgress?: (read: number) => void,
    ): Promise<ImageImportReport> {
      return importFaceImages(await host.db(), files, name, onProgress);
    },

    /** The stored image sets (with previews, without pixels), oldest first. */
    async imageSets(): Promise<ImageSetInfo[]> {
      return listImageSets(await host.db());
    },

    /** Deletes a stored image set; sessions trained on it can no longer resume. */
    async deleteImageSet(id: string): Promise<void> {
      pools.clear();
      await deleteImageSet(await host.db(), id);
    },

    /** The fixed-latent grid timeline: every snapshot with its step. */
    async snapshots(): Promise<GanSnapshot[]> {
      const s = host.current();
      if (!s) return [];
      await s.flushSnapshots();
      return s.snapshots;
    },

    /** The newest snapshot if it is newer than `afterStep`, else null. */
    latestSnapshot(afterStep: number): GanSnapshot | null {
      const last = host.current()?.snapshots.at(-1);
      return last && last.step > afterStep ? last : null;
    },

    /** `count` new random faces, each with its latent vector. */
    async generate(count: number, seed?: number): Promise<GeneratedFace[]> {
      // Another tab may have trained and saved this session since it was loaded here.
      const s = await host.latest();
      if (!Number.isInteger(count) || count < 1 || count > 64)
        throw new AppError('bad-input', 'Generate 1 to 64 faces at a time.');
      const rng = new Rng(seed ?? (Math.random() * 2 ** 32) >>> 0);
      const dim = s.config.model.latentDim;
      const flat = Float32Array.from({ length: count * dim }, () => rng.normal());
      const latents = tf.tensor2d(flat, [count, dim]);
      const pngs = await facePngs(s, latents);
      latents.dispose();
      return pngs.map((png, i) => ({ png, latent: flat.slice(i * dim, (i + 1) * dim) }));
    },

    /** A strip of `steps` faces along the great circle from latent `a` to latent `b`, as one PNG. */
    async interpolate(a: Float32Array, b: Float32Array, steps = 8): Promise<Uint8Array> {
      const s = loaded();
      const dim = s.config.model.latentDim;
      if (a.length !== dim || b.length !== dim)
        throw new AppError('bad-input', 'Both faces must come from this generator.');
      const path = Array.from({ length: steps }, (_, i) => slerp(a, b, i / (steps - 1)));
      const latents = tf.tensor2d(
        path.flatMap((v) => Array.from(v)),
        [steps, dim],
      );
      const images = sampleImages(s.sampler, latents);
      const rgb = await imagesToRgb(images);
      tf.dispose([latents, images]);
      const size = s.config.model.imageSize;
      const strip = gridImage(rgb, size, steps, 1);
      return encodePng(strip.data, strip.width, strip.height, 3);
    },
  };
}
