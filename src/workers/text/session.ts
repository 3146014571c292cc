import * as tf from '@tensorflow/tfjs';
import { buildVocab, countWindows, encodeText, epochOrder, fillBatch } from '../../data/corpus';
import type { CharLstmConfig } from '../../models/char-lstm/model';
import { buildCharLstm } from '../../models/char-lstm/model';
import { createFastTrainer, type TextBatch } from '../../models/char-lstm/fast';
import type { Trainer } from '../../models/trainer';
import type { HistoryPoint, SessionMeta } from '../../shared/protocol';
import { Rng } from '../../shared/rng';
import type { Checkpoint } from '../../storage/checkpoints/store';
import {
  restoreModel,
  restoreOptimizer,
  snapshotSession,
} from '../../storage/checkpoints/snapshot';
import type { ModelSession } from '../runtime/session-host';
import type { CharLstmSessionConfig, CorpusRef, TextSample } from '../../shared/protocol/text';

const MAX_SAMPLES_KEPT = 20;

/** A live char-LSTM session: model, optimizer, data cursor and history; plugs into the training loop. */
export class CharLstmSession implements ModelSession {
  readonly encoded: Uint16Array;
  readonly windowCount: number;
  readonly stepsPerEpoch: number;
  readonly examplesPerStep: number;
  private order: Uint32Array;
  private readonly trainer: Trainer<TextBatch>;

  private constructor(
    public meta: SessionMeta,
    readonly config: CharLstmSessionConfig,
    readonly model: tf.LayersModel,
    readonly text: string,
    public stepCount: number,
    public epoch: number,
    public cursor: number,
    readonly rng: Rng,
    readonly history: HistoryPoint[],
    readonly samples: TextSample[],
  ) {
    const cfg = config.model;
    this.encoded = encodeText(text, config.vocab);
    this.windowCount = countWindows(this.encoded.length, cfg.maxLen, cfg.step);
    this.stepsPerEpoch = Math.max(1, Math.floor(this.windowCount / cfg.batchSize));
    this.examplesPerStep = cfg.batchSize;
    this.order = epochOrder(this.windowCount, config.dataSeed, epoch);
    this.trainer = createFastTrainer(model, cfg);
  }

  /** Starts a fresh session on `text` with `model` hyperparameters. */
  static create(
    meta: SessionMeta,
    text: string,
    corpus: CorpusRef,
    model: Omit<CharLstmConfig, 'vocabSize'>,
    seed: number,
    lowerCase = false,
  ): CharLstmSession {
    if (lowerCase) text = text.toLowerCase();
    const vocab = buildVocab(text);
    const config: CharLstmSessionConfig = {
      model: { ...model, vocabSize: vocab.length },
      vocab,
      corpus,
      dataSeed: seed,
      lowerCase,
    };
    const net = buildCharLstm(config.model, seed);
    return new CharLstmSession(
      meta,
      config,
      net,
      text,
      0,
      0,
      0,
      new Rng(seed ^ 0x9e3779b9),
      [],
      [],
    );
  }

  /** Rebuilds a session exactly as checkpointed. */
  static async restore(
    meta: SessionMeta,
    ckpt: Checkpoint,
    text: string,
  ): Promise<CharLstmSession> {
    const config = ckpt.config as unknown as CharLstmSessionConfig;
    const model = await restoreModel(ckpt.topologies.model, ckpt.weights.model);
    const s = new CharLstmSession(
      meta,
      config,
      model,
      config.lowerCase ? text.toLowerCase() : text,
      ckpt.step,
      ckpt.epoch,
      ckpt.cursor,
      new Rng(ckpt.rngState),
      ckpt.history,
      ckpt.samples as TextSample[],
    );
    await restoreOptimizer(s.trainer.optimizers.rmsprop, ckpt.optimizers.rmsprop);
    return s;
  }

  /** One RMSprop step on the next batch of windows; returns the loss on the device. */
  step(): Record<string, tf.Scalar> {
    const cfg = this.config.model;
    if (this.cursor + cfg.batchSize > this.windowCount) {
      this.epoch++;
      this.cursor = 0;
      this.order = epochOrder(this.windowCount, this.config.dataSeed, this.epoch);
    }
    const batch = Math.min(cfg.batchSize, this.windowCount);
    const { xs, ys } = fillBatch(
      this.encoded,
      this.order,
      this.cursor,
      batch,
      cfg.maxLen,
      cfg.step,
    );
    const losses = this.trainer.step({ xs, ys, batch }, this.stepCount);
    this.cursor += batch;
    this.stepCount++;
    return losses;
  }

  /** Step, epoch and fraction of the epoch done. */
  position() {
    const frac = this.cursor / (this.stepsPerEpoch * this.config.model.batchSize);
    return { step: this.stepCount, epoch: this.epoch, epochFraction: Math.min(1, frac) };
  }

  /** A random `maxLen`-character window of the corpus, the default sampling seed. */
  randomSeed(): string {
    const n = this.config.model.maxLen;
    if (!this.text) {
      const seeds = this.config.sampleSeeds ?? [];
      if (seeds.length) return seeds[this.rng.int(seeds.length)];
      // No text and no stored seeds: start from a common word rather than silence, which a
      // cool temperature would only continue.
      const fits = [...'the '].every((c) => this.config.vocab.includes(c));
      return fits ? 'the '.repeat(n).slice(-n) : ' '.repeat(n);
    }
    const start = this.rng.int(Math.max(1, this.text.length - n));
    return this.text.slice(start, start + n);
  }

  /** Keeps only the newest `keepLast` sample sets; returns how many were dropped. */
  pruneSamples(keepLast: number): number {
    const dropped = Math.max(0, this.samples.length - keepLast);
    this.samples.splice(0, dropped);
    return dropped;
  }

  /** Keeps a generated sample set with the session (newest last, bounded). */
  addSample(sample: TextSample): void {
    this.samples.push(sample);
    if (this.samples.length > MAX_SAMPLES_KEPT)
      this.samples.splice(0, this.samples.length - MAX_SAMPLES_KEPT);
  }

  /** The whole checkpoint of this session. */
  async toCheckpoint(): Promise<Checkpoint> {
    const { checkpoint, meta } = await snapshotSession({
      meta: this.meta,
      step: this.stepCount,
      epoch: this.epoch,
      cursor: this.cursor,
      rngState: this.rng.state,
      config: this.config,
      lastLoss: this.history.at(-1)?.metrics.loss ?? NaN,
      models: { model: this.model },
      optimizers: this.trainer.optimizers,
      history: this.history,
      samples: this.samples,
    });
    this.meta = meta;
    return checkpoint;
  }

  /** Sets RMSprop's learning rate for the next steps (not saved: a restored session starts at its config's rate). */
  setLearningRate(rate: number): void {
    // tfjs reads the rate at every update; the field is not in its public type.
    (this.trainer.optimizers.rmsprop as unknown as { learningRate: number }).learningRate = rate;
  }

  /** Frees the model and optimizer. */
  dispose(): void {
    this.trainer.dispose();
    this.model.dispose();
  }
}
