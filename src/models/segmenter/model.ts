// A U-Net-style segmenter built with the tfjs Layers API (functional), so it saves in the standard
// tfjs layers format that the Keras converter reads. Layer names are explicit and stable
// ('enc1_conv1', 'dec2_up', 'head', ...) because checkpoints and pretrained encoders restore by name.
import * as tf from '@tensorflow/tfjs';
import { checkHead, headFor, segmentationTask } from '../heads';
import type { HeadLoss, HeadTask } from '../heads';

/** Shape of the segmenter. */
export interface SegmenterConfig {
  /** Input height and width in pixels (64, or 128 optionally). */
  size: number;
  /** Filters of each encoder block, shallowest first; each block after the first works at half the resolution. */
  filters: readonly number[];
  /** Mask classes: 2 gives one sigmoid channel, more give a softmax over `numClasses` channels. */
  numClasses: number;
  /** Seed of the weight initialisers, so a build is reproducible. */
  seed: number;
  /** Conv → BatchNormalization → ReLU instead of Conv+ReLU (frozen blocks then normalise with their moving statistics, as in Keras). */
  batchNorm?: boolean;
}

/** A small U-Net for 64x64 faces: 4 blocks (3 downsamplings), batch norm, about 123k parameters. */
export const DEFAULT_SEGMENTER: Readonly<SegmenterConfig> = {
  size: 64,
  filters: [8, 16, 32, 64],
  numClasses: 2,
  seed: 1,
  batchNorm: true,
};

/** One encoder block: its layers (two convolutions) and its output `[batch, h, w, filters]`. */
export interface EncoderBlock {
  name: string;
  layers: tf.layers.Layer[];
  output: tf.SymbolicTensor;
}

/** The conv encoder: shared layers that both the attribute classifier and the segmenter are built on. */
export interface Encoder {
  config: SegmenterConfig;
  /** `[batch, size, size, 3]` images in [0, 1]. */
  input: tf.SymbolicTensor;
  blocks: EncoderBlock[];
}

/** A dense head on the pooled encoder for one attribute task. */
export interface ClassifierTask {
  /** Short identifier, used in layer names (letters, digits and '_'). */
  name: string;
  head: HeadTask;
  units: number;
  /** Defaults to the table's first loss for `head`. */
  loss?: HeadLoss;
}

/** The training stages: (a) encoder frozen, (b) top blocks unfrozen, or everything from scratch. */
export type Stage = 'frozen' | 'finetune' | 'scratch';

/** A human message saying what is wrong with `cfg`, or null when it is usable. */
export function validateSegmenterConfig(cfg: SegmenterConfig): string | null {
  if (cfg.filters.length < 2 || cfg.filters.length > 6) {
    return 'The encoder needs 2 to 6 blocks.';
  }
  if (!cfg.filters.every((f) => Number.isInteger(f) && f >= 1 && f <= 512)) {
    return 'Each block needs an integer number of filters from 1 to 512.';
  }
  const down = 2 ** (cfg.filters.length - 1);
  if (!Number.isInteger(cfg.size) || cfg.size < down || cfg.size % down !== 0) {
    return `The input size must be a multiple of ${down} for ${cfg.filters.length} blocks.`;
  }
  if (!Number.isInteger(cfg.numClasses) || cfg.numClasses < 2 || cfg.numClasses > 64) {
    return 'A mask needs 2 to 64 classes.';
  }
  return null;
}

/** A 3x3 conv with ReLU, or conv → BN → ReLU; returns the layers that hold weights and the output. */
function convUnit(
  name: string,
  filters: number,
  seed: number,
  batchNorm: boolean,
  x: tf.SymbolicTensor,
): { layers: tf.layers.Layer[]; output: tf.SymbolicTensor } {
  const conv = tf.layers.conv2d({
    name,
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: batchNorm ? 'linear' : 'relu',
    useBias: !batchNorm,
    // He initialisation suits ReLU; a seed per layer keeps builds reproducible.
    kernelInitializer: tf.initializers.heNormal({ seed }),
  });
  let y = conv.apply(x) as tf.SymbolicTensor;
  if (!batchNorm) return { layers: [conv], output: y };
  // Momentum 0.9 (Keras: 0.99) so the moving statistics keep up within a few hundred steps.
  const bn = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 });
  followTrainable(bn);
  y = bn.apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
  return { layers: [conv, bn], output: y };
}

/** Makes a BatchNormalization layer normalise with its moving statistics (and leave them alone) while it is frozen, as Keras 2.x does. */
function followTrainable(bn: tf.layers.Layer): void {
  const call = bn.call.bind(bn);
  bn.call = (inputs, kwargs) =>
    call(inputs, { ...kwargs, training: Boolean(kwargs.training) && bn.trainable });
}

/** Builds the encoder: per block Conv2D+ReLU x2 ('encK_conv1', 'encK_conv2'), then MaxPool 2x2 ('encK_pool') before the next block. */
export function buildEncoder(cfg: SegmenterConfig): Encoder {
  const problem = validateSegmenterConfig(cfg);
  if (problem) throw new Error(problem);
  const input = tf.input({ shape: [cfg.size, cfg.size, 3], name: 'image' });
  const blocks: EncoderBlock[] = [];
  let x = input;
  cfg.filters.forEach((f, i) => {
    const k = i + 1;
    if (i > 0) {
      const pool = tf.layers.maxPooling2d({ name: `enc${i}_pool`, poolSize: 2, strides: 2 });
      x = pool.apply(x) as tf.SymbolicTensor;
    }
    const bn = Boolean(cfg.batchNorm);
    const a = convUnit(`enc${k}_conv1`, f, cfg.seed * 1000 + 2 * k, bn, x);
    const b = convUnit(`enc${k}_conv2`, f, cfg.seed * 1000 + 2 * k + 1, bn, a.output);
    x = b.output;
    blocks.push({ name: `enc${k}`, layers: [...a.layers, ...b.layers], output: x });
  });
  return { config: cfg, input, blocks };
}

/** The encoder with global average pooling and a dense head from the table: `[batch, size, size, 3]` → `[batch, units]`. */
export function buildClassifier(encoder: Encoder, task: ClassifierTask): tf.LayersModel {
  const row = headFor(task.head);
  const loss = task.loss ?? row.losses[0];
  const problem = checkHead(task.head, row.activation, loss);
  if (problem) throw new Error(problem);
  if (!/^\w+$/.test(task.name)) throw new Error(`Bad task name "${task.name}"`);
  const last = encoder.blocks[encoder.blocks.length - 1].output;
  const pooled = tf.layers
    .globalAveragePooling2d({ name: `cls_${task.name}_pool` })
    .apply(last) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      name: `cls_${task.name}_head`,
      units: task.units,
      activation: row.activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: encoder.config.seed * 1000 + 900 }),
    })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: encoder.input, outputs: out, name: `classifier_${task.name}` });
}

/** The U-Net: encoder, then per level UpSampling2D + concatenate(skip) + Conv2D+ReLU x2, then a 1x1 conv head: `[batch, size, size, 3]` → `[batch, size, size, channels]`. */
export function buildSegmenter(
  encoder: Encoder,
  cfg: SegmenterConfig = encoder.config,
): tf.LayersModel {
  const problem = validateSegmenterConfig(cfg);
  if (problem) throw new Error(problem);
  const { blocks } = encoder;
  let x = blocks[blocks.length - 1].output;
  for (let i = blocks.length - 2; i >= 0; i--) {
    const k = i + 1;
    const up = tf.layers.upSampling2d({ name: `dec${k}_up`, size: [2, 2] }).apply(x);
    x = tf.layers
      .concatenate({ name: `dec${k}_concat`, axis: -1 })
      .apply([up as tf.SymbolicTensor, blocks[i].output]) as tf.SymbolicTensor;
    const f = cfg.filters[i];
    const bn = Boolean(cfg.batchNorm);
    x = convUnit(`dec${k}_conv1`, f, cfg.seed * 1000 + 500 + 2 * k, bn, x).output;
    x = convUnit(`dec${k}_conv2`, f, cfg.seed * 1000 + 501 + 2 * k, bn, x).output;
  }
  const task = segmentationTask(cfg.numClasses);
  const row = headFor(task);
  const out = tf.layers
    .conv2d({
      name: 'head',
      filters: task === 'binary' ? 1 : cfg.numClasses,
      kernelSize: 1,
      activation: row.activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: cfg.seed * 1000 + 999 }),
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: encoder.input, outputs: out, name: 'segmenter' });
}

/** The encoder blocks of `model` in order (found by their 'encK_' layer names), each a list of layers with weights. */
export function encoderBlocks(model: tf.LayersModel): tf.layers.Layer[][] {
  const blocks: tf.layers.Layer[][] = [];
  for (const layer of model.layers) {
    const m = /^enc(\d+)_conv\d+(_bn)?$/.exec(layer.name);
    if (!m) continue;
    const k = Number(m[1]) - 1;
    (blocks[k] ??= []).push(layer);
  }
  return blocks.filter((b) => b !== undefined);
}

/** Sets which layers train: 'frozen' freezes every encoder block, 'finetune' unfreezes the top (deepest) `topK`, 'scratch' trains all; returns the trainable parameter count. */
export function setStage(model: tf.LayersModel, stage: Stage, topK = 1): number {
  const blocks = encoderBlocks(model);
  if (!Number.isInteger(topK) || topK < 0 || topK > blocks.length) {
    throw new Error(`topK must be an integer from 0 to ${blocks.length}, got ${topK}`);
  }
  const encoderLayers = new Set(blocks.flat());
  for (const layer of model.layers) {
    if (!encoderLayers.has(layer)) layer.trainable = true;
  }
  blocks.forEach((block, i) => {
    const unfrozen = stage === 'scratch' || (stage === 'finetune' && i >= blocks.length - topK);
    for (const layer of block) layer.trainable = unfrozen;
  });
  return countTrainableParams(model);
}

/** The number of scalars in the currently trainable weights of `model`. */
export function countTrainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + size(w.shape), 0);
}

function size(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? 1), 1);
}

/** The number of scalars in all weights of `model`. */
export function countParams(model: tf.LayersModel): number {
  return model.weights.reduce((n, w) => n + size(w.shape), 0);
}

/** The tfjs variables behind the currently trainable weights, in model order (the var list of a step). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
