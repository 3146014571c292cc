// The training steps the in-app Benchmark times: the app's own default recipes (what a person
// trains), each on synthetic or built-in data that is ready before timing starts.
import * as tf from '@tensorflow/tfjs';
import { facesToFloat, renderFaces } from '../../data/faces';
import { builtInPairs, createSegBatch } from '../../data/seg-dataset';
import {
  buildCharLstm,
  createCharLstmConfig,
  type CharLstmConfig,
} from '../../models/char-lstm/model';
import { createFastTrainer } from '../../models/char-lstm/fast';
import { charLstmFlopsPerStep, ganFlopsPerStep, segmenterFlopsPerStep } from '../../models/flops';
import {
  buildDiscriminator,
  buildGenerator,
  createGanConfig,
  type GanConfig,
} from '../../models/gan/model';
import { createGanTrainer, sampleRealBatch } from '../../models/gan/train';
import { DEFAULT_SEGMENTER, buildEncoder, buildSegmenter } from '../../models/segmenter/model';
import type { SegmenterConfig } from '../../models/segmenter/model';
import {
  DEFAULT_SEG_TRAIN,
  createSegTrainer,
  segTensors,
  stageLearningRate,
} from '../../models/segmenter/train';
import type { BenchModel } from '../../shared/bench';
import { Rng } from '../../shared/rng';
import { snapshotModel, snapshotOptimizer } from '../../storage/checkpoints/snapshot';

/** Overrides of the default recipes (tests use tiny ones). */
export interface BenchConfigs {
  'char-lstm'?: Partial<CharLstmConfig>;
  gan?: Partial<GanConfig>;
  segmenter?: Partial<SegmenterConfig> & { batchSize?: number };
}

/** Smaller batches of the same models, so a run on a CPU or a software GPU ends in minutes. */
export const SMALL_BENCH_CONFIGS: Readonly<BenchConfigs> = {
  'char-lstm': { batchSize: 32 },
  gan: { batchSize: 4 },
  segmenter: { batchSize: 2 },
};

/** One model ready to be timed: a training step that finishes its device work, and a checkpoint encode. */
export interface BenchSubject {
  config: string;
  batch: number;
  flopsPerStep: number;
  /** One training step, resolved after its loss was read (so its device work is done). */
  step(): Promise<void>;
  /** Encodes everything a checkpoint stores of the model (weights and optimizer slots). */
  save(): Promise<void>;
  dispose(): void;
}

// The vocabulary of a typical English corpus; the fast path's cost hardly depends on it.
const VOCAB = 60;

function charLstmSubject(overrides: Partial<CharLstmConfig> = {}): BenchSubject {
  const cfg = createCharLstmConfig(VOCAB, overrides);
  const rng = new Rng(1);
  const xs = Int32Array.from({ length: cfg.batchSize * cfg.maxLen }, () => rng.int(VOCAB));
  const ys = Int32Array.from({ length: cfg.batchSize }, () => rng.int(VOCAB));
  const model = buildCharLstm(cfg, 1);
  const trainer = createFastTrainer(model, cfg);
  return {
    config: `batch ${cfg.batchSize}, LSTM ${cfg.units}, window ${cfg.maxLen}, vocab ${VOCAB}`,
    batch: cfg.batchSize,
    flopsPerStep: charLstmFlopsPerStep(cfg),
    async step() {
      const { loss } = trainer.step({ xs, ys, batch: cfg.batchSize }, 0);
      await loss.data();
      loss.dispose();
    },
    async save() {
      await snapshotModel(model);
      await snapshotOptimizer(trainer.optimizers.rmsprop);
    },
    dispose() {
      trainer.dispose();
      model.dispose();
    },
  };
}

function ganSubject(overrides: Partial<GanConfig> = {}): BenchSubject {
  const cfg = createGanConfig(overrides);
  const pool = facesToFloat(renderFaces(0, 32, cfg.imageSize));
  const rng = new Rng(1);
  const g = buildGenerator(cfg, 1);
  const d = buildDiscriminator(cfg, 2);
  const trainer = createGanTrainer(g, d, cfg);
  let seed = 0;
  return {
    config: `batch ${cfg.batchSize}, ${cfg.imageSize}×${cfg.imageSize}, ${cfg.width}, ${cfg.upsample}`,
    batch: cfg.batchSize,
    flopsPerStep: ganFlopsPerStep(g, d, cfg.batchSize),
    async step() {
      const real = sampleRealBatch(pool, cfg.imageSize, cfg.batchSize, rng);
      const l = trainer.step(real, ++seed);
      await Promise.all([l.dLossReal.data(), l.dLossFake.data(), l.gLoss.data()]);
      tf.dispose([real, l.dLossReal, l.dLossFake, l.gLoss]);
    },
    async save() {
      await Promise.all([snapshotModel(g), snapshotModel(d)]);
      await snapshotOptimizer(trainer.optimizers.discriminator);
      await snapshotOptimizer(trainer.optimizers.generator);
    },
    dispose() {
      trainer.dispose();
      // buildDiscriminator compiles d for Keras-style use; model.dispose() leaves that optimizer.
      d.optimizer.dispose();
      g.dispose();
      d.dispose();
    },
  };
}

function segmenterSubject(overrides: BenchConfigs['segmenter'] = {}): BenchSubject {
  const { batchSize = DEFAULT_SEG_TRAIN.batchSize, ...shape } = overrides;
  const cfg = { ...DEFAULT_SEGMENTER, ...shape };
  const model = buildSegmenter(buildEncoder(cfg));
  const lr = stageLearningRate(DEFAULT_SEG_TRAIN, 'scratch');
  const trainer = createSegTrainer(model, lr, { numClasses: cfg.numClasses });
  const batch = createSegBatch(builtInPairs('binary', 'train', 0, batchSize, cfg.size));
  return {
    config: `batch ${batchSize}, ${cfg.size}×${cfg.size}, filters ${cfg.filters.join('-')}`,
    batch: batchSize,
    flopsPerStep: segmenterFlopsPerStep(model, batchSize),
    async step() {
      const { xs, ys } = segTensors(
        batch.images,
        batch.labels,
        batchSize,
        cfg.size,
        cfg.numClasses,
      );
      const { loss } = trainer.step({ xs, ys }, 0);
      tf.dispose([xs, ys]);
      await loss.data();
      loss.dispose();
    },
    async save() {
      await snapshotModel(model);
      await snapshotOptimizer(trainer.optimizers.adam);
    },
    dispose() {
      trainer.dispose();
      model.dispose();
    },
  };
}

/** Builds `model` with its default recipe (plus `configs` overrides) on the current backend. */
export function createBenchSubject(model: BenchModel, configs: BenchConfigs = {}): BenchSubject {
  if (model === 'char-lstm') return charLstmSubject(configs['char-lstm']);
  if (model === 'gan') return ganSubject(configs.gan);
  return segmenterSubject(configs.segmenter);
}
