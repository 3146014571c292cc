import * as tf from '@tensorflow/tfjs';
import { renderFace } from '../../data/faces';
import { encodePng, gridImage } from '../../data/png';
import {
  buildDiscriminator,
  buildGenerator,
  imagesToRgb,
  sampleImages,
  sampleLatents,
} from '../../models/gan/model';
import {
  createGanTrainer,
  createGeneratorEma,
  type GanTrainer,
  type GeneratorEma,
} from '../../models/gan/train';
import type { HistoryPoint, SessionMeta } from '../../shared/protocol';
import { Rng } from '../../shared/rng';
import type { Checkpoint } from '../../storage/checkpoints/store';
import type { ModelSession } from '../runtime/session-host';
import {
  restoreModel,
  restoreOptimizer,
  snapshotSession,
} from '../../storage/checkpoints/snapshot';
import type { GanSessionConfig, GanSnapshot } from '../../shared/protocol/faces';

/** How many built-in faces the training pool holds (rendered once per session load). */
export const BUILTIN_POOL = 2048;
const MAX_SNAPSHOTS = 80;

/** Renders the built-in training pool: `count` faces as RGB bytes `[count, size, size, 3]`. */
export function renderFacePool(seed: number, count: number, size: number): Uint8Array {
  const n = size * size * 3;
  const pool = new Uint8Array(count * n);
  for (let i = 0; i < count; i++) pool.set(renderFace(seed + i, size).image, i * n);
  return pool;
}

/** A live DCGAN session: both networks, both optimizers, the image pool and the snapshot timeline. */
export class GanSession implements ModelSession {
  readonly stepsPerEpoch: number;
  readonly examplesPerStep: number;
  private readonly trainer: GanTrainer;
  /** The weight average that draws the grid and Generate, when the config asks for one. */
  readonly ema: GeneratorEma | null;
  private readonly fixedLatents: tf.Tensor2D;
  private pendingSnapshot: Promise<void> = Promise.resolve();

  private constructor(
    public meta: SessionMeta,
    readonly config: GanSessionConfig,
    readonly generator: tf.LayersModel,
    readonly discriminator: tf.LayersModel,
    private readonly pool: Uint8Array,
    public stepCount: number,
    readonly rng: Rng,
    readonly history: HistoryPoint[],
    readonly snapshots: GanSnapshot[],
    emaWeights?: tf.Tensor[],
  ) {
    const cfg = config.model;
    this.ema = cfg.emaDecay ? createGeneratorEma(generator, cfg, cfg.emaDecay) : null;
    if (this.ema && emaWeights) this.ema.model.setWeights(emaWeights);
    const n = cfg.imageSize * cfg.imageSize * 3;
    this.examplesPerStep = cfg.batchSize;
    this.stepsPerEpoch = Math.max(1, Math.floor(pool.length / n / cfg.batchSize));
    this.trainer = createGanTrainer(generator, discriminator, cfg);
    this.fixedLatents = sampleLatents(64, cfg.latentDim, config.latentSeed);
  }

  /** Starts a fresh session on `pool` (RGB bytes of the dataset at the model's size). */
  static create(meta: SessionMeta, config: GanSessionConfig, pool: Uint8Array): GanSession {
    const g = buildGenerator(config.model, config.dataSeed);
    const d = buildDiscriminator(config.model, config.dataSeed + 1);
    const s = new GanSession(
      meta,
      config,
      g,
      d,
      pool,
      0,
      new Rng(config.dataSeed ^ 0x51ed),
      [],
      [],
    );
    s.pendingSnapshot = s.snapshot();
    return s;
  }

  /** Rebuilds a session exactly as checkpointed. */
  static async restore(meta: SessionMeta, ckpt: Checkpoint, pool: Uint8Array): Promise<GanSession> {
    const config = ckpt.config as unknown as GanSessionConfig;
    const g = await restoreModel(ckpt.topologies.generator, ckpt.weights.generator);
    const d = await restoreModel(ckpt.topologies.discriminator, ckpt.weights.discriminator);
    // A session saved without its average (or before averages existed) starts it from G, and so
    // does one whose weights came from elsewhere (no optimizer state: a starter, Keras weights),
    // whose stored average belongs to the replaced weights.
    const fromElsewhere = Object.keys(ckpt.optimizers).length === 0;
    const avg =
      ckpt.weights.generatorEma && !fromElsewhere
        ? await restoreModel(ckpt.topologies.generatorEma, ckpt.weights.generatorEma)
        : null;
    const s = new GanSession(
      meta,
      config,
      g,
      d,
      pool,
      ckpt.step,
      new Rng(ckpt.rngState),
      ckpt.history,
      [...(ckpt.samples as GanSnapshot[])],
      avg?.getWeights(),
    );
    avg?.dispose();
    await restoreOptimizer(s.trainer.optimizers.discriminator, ckpt.optimizers.discriminator);
    await restoreOptimizer(s.trainer.optimizers.generator, ckpt.optimizers.generator);
    return s;
  }

  private realBatch(): tf.Tensor4D {
    const { imageSize: size, batchSize } = this.config.model;
    const n = size * size * 3;
    const count = this.pool.length / n;
    const out = new Float32Array(batchSize * n);
    for (let k = 0; k < batchSize; k++) {
      const src = this.rng.int(count) * n;
      for (let j = 0; j < n; j++) out[k * n + j] = this.pool[src + j] / 127.5 - 1;
    }
    return tf.tensor4d(out, [batchSize, size, size, 3]);
  }

  /** One discriminator and one generator step; losses stay on the device. */
  step(): Record<string, tf.Scalar> {
    const real = this.realBatch();
    const losses = this.trainer.step(real, this.rng.seed());
    real.dispose();
    this.stepCount++;
    this.ema?.update(this.stepCount);
    if (this.stepCount % this.config.snapshotEvery === 0) {
      this.pendingSnapshot = this.pendingSnapshot.then(() => this.snapshot());
    }
    return losses;
  }

  /** Step and position in the (pool-sized) epoch. */
  position() {
    const epoch = Math.floor(this.stepCount / this.stepsPerEpoch);
    return {
      step: this.stepCount,
      epoch,
      epochFraction: (this.stepCount % this.stepsPerEpoch) / this.stepsPerEpoch,
    };
  }

  /** Keeps the first (noise) and the newest `keepLast` grid snapshots; returns how many were dropped. */
  pruneSamples(keepLast: number): number {
    const n = this.snapshots.length;
    if (n <= keepLast + 1) return 0;
    this.snapshots.splice(1, n - 1 - keepLast);
    return n - this.snapshots.length;
  }

  /** Renders the fixed-latent 8x8 grid to PNG and keeps it in the timeline. */
  private async snapshot(): Promise<void> {
    const step = this.stepCount;
    const png = await this.gridPng(this.fixedLatents, 8);
    this.snapshots.push({ step, png });
    // Over the limit, drop every other snapshot but the first (noise) and the newest, so the
    // timeline keeps spanning the whole run at a coarser spacing.
    if (this.snapshots.length > MAX_SNAPSHOTS) {
      const last = this.snapshots.length - 1;
      const kept = this.snapshots.filter((_, i) => i === 0 || i === last || i % 2 === 0);
      this.snapshots.splice(0, this.snapshots.length, ...kept);
    }
  }

  /** PNG of the images generated from `latents` `[n, latentDim]`, `cols` per row. */
  async gridPng(latents: tf.Tensor2D, cols: number): Promise<Uint8Array> {
    const images = sampleImages(this.sampler, latents);
    const rgb = await imagesToRgb(images);
    images.dispose();
    const size = this.config.model.imageSize;
    const grid = gridImage(rgb, size, cols, 1);
    return encodePng(grid.data, grid.width, grid.height, 3);
  }

  /** The generator that draws: the weight average when there is one. */
  get sampler(): tf.LayersModel {
    return this.ema?.model ?? this.generator;
  }

  /** Waits until the last requested snapshot is rendered. */
  flushSnapshots(): Promise<void> {
    return this.pendingSnapshot;
  }

  /** The whole checkpoint of this session (both networks, both optimizers, timeline). */
  async toCheckpoint(): Promise<Checkpoint> {
    await this.flushSnapshots();
    const { checkpoint, meta } = await snapshotSession({
      meta: this.meta,
      step: this.stepCount,
      epoch: this.position().epoch,
      cursor: 0,
      rngState: this.rng.state,
      config: this.config,
      lastLoss: this.history.at(-1)?.metrics.gLoss ?? NaN,
      models: {
        generator: this.generator,
        discriminator: this.discriminator,
        ...(this.ema ? { generatorEma: this.ema.model } : {}),
      },
      optimizers: this.trainer.optimizers,
      history: this.history,
      samples: this.snapshots,
    });
    this.meta = meta;
    return checkpoint;
  }

  /** Frees both networks, optimizers and the fixed latents. */
  dispose(): void {
    this.trainer.dispose();
    this.ema?.dispose();
    this.generator.dispose();
    // The Keras-style compile gives d an Adam it does not own: model.dispose() leaves its 2 scalars.
    this.discriminator.optimizer?.dispose();
    this.discriminator.dispose();
    this.fixedLatents.dispose();
  }
}
