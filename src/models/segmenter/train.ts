// Training and evaluation of the segmenter and its attribute heads with explicit var lists.
// tfjs' `layer.trainable` marks the variables, but a custom `optimizer.minimize(f, true, varList)`
// trains exactly the list it is given, so each step passes the currently trainable weights itself.
// Adam keys its slots by position in that list, so every stage gets its own trainer and optimizer.
import * as tf from '@tensorflow/tfjs';
import { headLoss, segmentationTask } from '../heads';
import type { HeadLoss } from '../heads';
import type { Trainer } from '../trainer';
import { trainableVariables } from './model';
import type { Stage } from './model';

/** Optimiser settings of the stages. */
export interface SegTrainConfig {
  /** Adam learning rate of stage (a) and of training from scratch. */
  learningRate: number;
  /** Stage (b) uses learningRate / finetuneDivisor. */
  finetuneDivisor: number;
  /** Encoder blocks unfrozen in stage (b), counted from the deepest. */
  topK: number;
  batchSize: number;
  /** From this step of the session on, every stage's learning rate is divided by 10 once more (the weights settle); 0 or absent: never. */
  lrDropStep?: number;
  /** Weight the softmax mask loss by inverse class frequency (see `classWeights`); absent in sessions saved before it existed, which trained unweighted. */
  balanceClasses?: boolean;
  /** Adds this multiple of the soft Dice loss (`diceLoss`) to the softmax mask loss; 0 or absent (sessions saved before it existed): none. */
  diceWeight?: number;
}

/** Adam 3e-3 (the best of 1e-3, 3e-3, 1e-2 in a 5-minute cpu sweep), fine-tuning at a tenth of it with the top block unfrozen, batch 8, balanced classes, Dice weight 2 (the best of 1 and 2 over 800 parts steps). */
export const DEFAULT_SEG_TRAIN: Readonly<SegTrainConfig> = {
  learningRate: 3e-3,
  finetuneDivisor: 10,
  topK: 1,
  batchSize: 8,
  balanceClasses: true,
  diceWeight: 2,
};

/** The largest Dice weight the app accepts (the cross-entropy keeps a say). */
export const MAX_DICE_WEIGHT = 10;

/** The largest class weight `classWeights` gives, so a class of a few pixels cannot swamp the loss. */
export const MAX_CLASS_WEIGHT = 50;

/**
 * Per-class loss weights for the label maps `maps` (values < numClasses), median-frequency style
 * (Eigen & Fergus 2015): the inverse of a class's frequency in the maps that contain it, scaled so
 * that the average weight over all pixels is 1 (the loss keeps its scale, so the learning rate keeps
 * its meaning), at most MAX_CLASS_WEIGHT; a class absent from `maps` gets the largest.
 * Why: in the built-in parts masks the nose is 0.5% of the pixels and the background 60%, and plain
 * cross-entropy left nose, brows, mouth and glasses at IoU 0 after 500 steps. Counting only the maps
 * that contain a class matters for glasses (on 26% of the faces): over all maps they got weight 19
 * and were drawn around the eyes of faces without glasses; this gives them about 5.
 */
export function classWeights(maps: readonly Uint8Array[], numClasses: number): Float32Array {
  const counts = new Float64Array(numClasses);
  const pixelsOfMapsWith = new Float64Array(numClasses);
  let total = 0;
  for (const labels of maps) {
    const own = new Float64Array(numClasses);
    for (const v of labels) if (v < numClasses) own[v]++;
    own.forEach((n, c) => {
      if (n === 0) return;
      counts[c] += n;
      pixelsOfMapsWith[c] += labels.length;
    });
    total += labels.length;
  }
  const w = Array.from(counts, (n, c) => (n > 0 ? pixelsOfMapsWith[c] / n : 0));
  const pixelMean = w.reduce((a, x, c) => a + (x * counts[c]) / total, 0);
  const scaled = w.map((x) => Math.min(x / pixelMean, MAX_CLASS_WEIGHT));
  const top = Math.max(1, ...scaled);
  return Float32Array.from(scaled, (x) => (x > 0 ? x : top));
}

/** Pixel accuracy and intersection-over-union per class on held-out pairs. */
export interface SegMetrics {
  pixelAccuracy: number;
  /** IoU of each class; NaN where a class is absent from both prediction and truth. */
  iou: number[];
  /** Mean IoU over the classes that occur (in truth or prediction). */
  meanIou: number;
}

/** The learning rate of `stage` at session step `step` (a tenth of it from `lrDropStep` on). */
export function stageLearningRate(cfg: SegTrainConfig, stage: Stage, step = 0): number {
  const lr = stage === 'finetune' ? cfg.learningRate / cfg.finetuneDivisor : cfg.learningRate;
  return cfg.lrDropStep && step >= cfg.lrDropStep ? lr / 10 : lr;
}

/** Sets `optimizer`'s rate to that of `stage` at session step `step`, keeping its moments (tfjs has no setter; Adam reads the field at every step). */
export function syncLearningRate(
  optimizer: tf.AdamOptimizer,
  cfg: SegTrainConfig,
  stage: Stage,
  step: number,
): void {
  (optimizer as unknown as { learningRate: number }).learningRate = stageLearningRate(
    cfg,
    stage,
    step,
  );
}

/** Batch tensors: images `[n, size, size, 3]` and targets `[n, size, size, 1]` (binary) or one-hot `[n, size, size, numClasses]`. */
export function segTensors(
  images: Float32Array,
  labels: Uint8Array,
  count: number,
  size: number,
  numClasses: number,
): { xs: tf.Tensor4D; ys: tf.Tensor4D } {
  return tf.tidy(() => {
    const xs = tf.tensor4d(images, [count, size, size, 3]);
    const idx = tf.tensor3d(Int32Array.from(labels), [count, size, size], 'int32');
    const ys =
      segmentationTask(numClasses) === 'binary'
        ? tf.cast(tf.expandDims(tf.greater(idx, 0), -1), 'float32')
        : tf.cast(tf.oneHot(idx, numClasses), 'float32');
    return { xs, ys: ys as tf.Tensor4D };
  });
}

/** The loss of a mask head: BCE for a sigmoid mask, CCE for a softmax mask (the head table's pairs). */
export function segLossName(numClasses: number): HeadLoss {
  return segmentationTask(numClasses) === 'binary'
    ? 'binaryCrossentropy'
    : 'categoricalCrossentropy';
}

// One step on the currently trainable weights of `model`, read now: the stage may have changed them.
function minimizeOn(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  xs: tf.Tensor,
  lossOf: (pred: tf.Tensor) => tf.Scalar,
): tf.Scalar {
  const vars = trainableVariables(model);
  if (vars.length === 0) throw new Error('Nothing to train: every layer is frozen');
  const value = optimizer.minimize(
    () => lossOf(model.apply(xs, { training: true }) as tf.Tensor),
    true,
    vars,
  );
  if (!value) throw new Error('minimize returned no loss');
  return value;
}

const DICE_SMOOTH = 1;

/**
 * Soft Dice loss `1 - mean_c (2·Σ p·y + 1) / (Σ p + Σ y + 1)` of probabilities `yPred` and one-hot
 * `yTrue` `[n, h, w, C]`, each sum over the whole batch. It scores each class by its overlap, as IoU
 * does, so a class of a few pixels counts as much as the background and false positives cost.
 * Measured (cpu, parts, batch 4, seed 1, 64 held-out faces, learning rate ÷10 from step 600):
 * weighted CE alone reached mean IoU 0.535 / 0.611 at 400 / 800 steps, with this term 0.593 / 0.677.
 */
export function diceLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const axes = [0, 1, 2];
    const inter = tf.sum(tf.mul(yPred, yTrue), axes);
    const denom = tf.add(tf.sum(yPred, axes), tf.sum(yTrue, axes));
    const dice = tf.div(tf.add(tf.mul(inter, 2), DICE_SMOOTH), tf.add(denom, DICE_SMOOTH));
    return tf.sub(1, tf.mean(dice)) as tf.Scalar;
  });
}

/** How a softmax mask loss is shaped: per-class weights `[numClasses]` of the cross-entropy and the Dice multiple. */
export interface SegLossOptions {
  weights?: tf.Tensor1D;
  diceWeight?: number;
}

// A mask step: BCE or CCE by class count; for softmax masks the CCE weighted per class and plus a
// Dice term as `opts` says.
function maskStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  xs: tf.Tensor,
  ys: tf.Tensor,
  numClasses: number,
  opts: SegLossOptions,
): tf.Scalar {
  const loss = segLossName(numClasses);
  const dice = opts.diceWeight ?? 0;
  if (loss !== 'categoricalCrossentropy' || (!opts.weights && dice === 0))
    return minimizeOn(model, optimizer, xs, (pred) => headLoss(loss, ys, pred));
  // -Σ_c y_c·log p_c with one-hot y scaled by w is the class-weighted cross-entropy.
  const weighted = opts.weights ? tf.mul(ys, opts.weights) : ys;
  try {
    return minimizeOn(model, optimizer, xs, (pred) => {
      const ce = headLoss(loss, weighted, pred);
      return dice === 0 ? ce : tf.add(ce, tf.mul(diceLoss(ys, pred), dice));
    });
  } finally {
    if (weighted !== ys) weighted.dispose();
  }
}

/** What a segmenter trainer minimises: an attribute head's own loss (pretraining the encoder), or the mask loss of `numClasses` classes shaped by `SegLossOptions` (its `weights` stay the caller's). */
export type SegLoss = { head: HeadLoss } | ({ numClasses: number } & SegLossOptions);

/** A training batch: images `[n, size, size, 3]` and targets like the trained network's output (`segTensors` for masks). */
export interface SegTrainBatch {
  xs: tf.Tensor4D;
  ys: tf.Tensor;
}

/** The trainer of one phase: Adam (checkpoint name `adam`) on the currently trainable weights of one network. */
export interface SegTrainer extends Trainer<SegTrainBatch> {
  readonly optimizers: { readonly adam: tf.AdamOptimizer };
  step(batch: SegTrainBatch, seed: number): { loss: tf.Scalar };
}

/** A trainer of `model` (the attribute classifier or the U-Net) with a fresh Adam at `learningRate`, minimising `loss`; a phase change needs a new one. */
export function createSegTrainer(
  model: tf.LayersModel,
  learningRate: number,
  loss: SegLoss,
): SegTrainer {
  const adam = tf.train.adam(learningRate);
  return {
    optimizers: { adam },
    // The seed is unused: the networks have no dropout, and the batch comes augmented by the caller.
    step({ xs, ys }) {
      if ('head' in loss)
        return { loss: minimizeOn(model, adam, xs, (pred) => headLoss(loss.head, ys, pred)) };
      return { loss: maskStep(model, adam, xs, ys, loss.numClasses, loss) };
    },
    dispose() {
      adam.dispose();
    },
  };
}

/** Predicted class indices `[count, size, size]` for images `[count, size, size, 3]`, in chunks of `chunk`. */
export async function predictLabels(
  model: tf.LayersModel,
  images: Float32Array,
  count: number,
  size: number,
  chunk = 16,
): Promise<Uint8Array> {
  const out = new Uint8Array(count * size * size);
  const per = size * size * 3;
  for (let at = 0; at < count; at += chunk) {
    const n = Math.min(chunk, count - at);
    const labels = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(at * per, (at + n) * per), [n, size, size, 3]);
      const p = model.predict(x) as tf.Tensor4D;
      return p.shape[3] === 1 ? tf.cast(tf.greater(p, 0.5), 'int32') : tf.argMax(p, -1);
    });
    const values = await labels.data();
    labels.dispose();
    out.set(values, at * size * size);
  }
  return out;
}

/** Pixel accuracy and per-class / mean IoU of predicted against true label maps (same length). */
export function segMetrics(pred: Uint8Array, truth: Uint8Array, numClasses: number): SegMetrics {
  if (pred.length !== truth.length) throw new Error('segMetrics: lengths differ');
  const inter = new Float64Array(numClasses);
  const predCount = new Float64Array(numClasses);
  const trueCount = new Float64Array(numClasses);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i];
    const t = truth[i];
    predCount[p]++;
    trueCount[t]++;
    if (p === t) {
      inter[t]++;
      correct++;
    }
  }
  const iou = Array.from(inter, (x, c) => {
    const union = predCount[c] + trueCount[c] - x;
    return union > 0 ? x / union : NaN;
  });
  const present = iou.filter((v) => !Number.isNaN(v));
  const meanIou = present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN;
  return { pixelAccuracy: pred.length ? correct / pred.length : NaN, iou, meanIou };
}

/** Predicts held-out images and scores them against their labels. */
export async function evaluateSegmenter(
  model: tf.LayersModel,
  batch: { images: Float32Array; labels: Uint8Array; count: number; size: number },
  numClasses: number,
): Promise<SegMetrics & { predicted: Uint8Array }> {
  const predicted = await predictLabels(model, batch.images, batch.count, batch.size);
  return { ...segMetrics(predicted, batch.labels, numClasses), predicted };
}
