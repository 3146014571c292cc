import * as tf from '@tensorflow/tfjs';
import { renderFace, type Face } from '../../data/faces';
import type { SegPair } from '../../data/seg-dataset';
import {
  ATTRIBUTE_TASKS,
  attributeBatch,
  builtInPairs,
  createSegBatch,
  faceToPair,
  segClasses,
} from '../../data/seg-dataset';
import { headFor } from '../../models/heads';
import type { Stage } from '../../models/segmenter/model';
import {
  buildClassifier,
  buildEncoder,
  buildSegmenter,
  countTrainableParams,
  setStage,
} from '../../models/segmenter/model';
import {
  classWeights,
  createSegTrainer,
  evaluateSegmenter,
  segTensors,
  stageLearningRate,
  syncLearningRate,
  type SegTrainBatch,
  type SegTrainer,
} from '../../models/segmenter/train';
import type { HistoryPoint, SessionMeta } from '../../shared/protocol';
import { Rng } from '../../shared/rng';
import type { Checkpoint } from '../../storage/checkpoints/store';
import type { ModelSession } from '../runtime/session-host';
import {
  restoreModelWeights,
  restoreOptimizer,
  snapshotSession,
} from '../../storage/checkpoints/snapshot';
import type { SegEval, SegSessionConfig } from '../../shared/protocol/segmentation';

/** A training phase: 'pretrain' trains the encoder with an attribute head, the others the segmenter. */
export type Phase = 'pretrain' | Stage;

/** Training and held-out pairs of an imported dataset, all `[size, size]` of the model. */
export interface SegData {
  train: SegPair[];
  heldOut: SegPair[];
}

/** Training faces rendered once per session load; batches are drawn from them with augmentation. */
export const TRAIN_POOL = 512;
/** Held-out faces scored every `evalEvery` steps. */
export const HELD_OUT = 32;

/** The optimiser stage of a phase: pretraining trains everything, like 'scratch'. */
function stageOf(phase: Phase): Stage {
  return phase === 'pretrain' ? 'scratch' : phase;
}

/** A live segmenter session: encoder, attribute head, U-Net, stage schedule and held-out scores. */
export class SegSession implements ModelSession {
  readonly examplesPerStep: number;
  readonly stepsPerEpoch: number;
  private trainer: SegTrainer;
  private pendingEval: Promise<void> = Promise.resolve();
  private unreported: SegEval | null = null;
  readonly faces: Face[];
  readonly pairs: SegPair[];
  readonly heldOut: ReturnType<typeof createSegBatch>;
  /** Per-class weights `[numClasses]` of the mask loss, from the training pairs; null when not balancing. */
  readonly classWeights: tf.Tensor1D | null;

  private constructor(
    public meta: SessionMeta,
    readonly config: SegSessionConfig,
    readonly classifier: tf.LayersModel | null,
    readonly segmenter: tf.LayersModel,
    public stepCount: number,
    readonly rng: Rng,
    readonly history: HistoryPoint[],
    readonly evals: SegEval[],
    data?: SegData,
  ) {
    const size = config.model.size;
    this.examplesPerStep = config.train.batchSize;
    if (config.imported && !data) throw new Error('SegSession: imported pairs were not loaded');
    // Faces are only needed to pretrain on their attributes, or as the built-in pairs themselves.
    const needFaces = !data || config.pretrainTask !== null;
    this.faces = needFaces
      ? Array.from({ length: TRAIN_POOL }, (_, i) => renderFace(config.dataSeed + 1 + i, size))
      : [];
    this.pairs = data ? data.train : this.faces.map((f) => faceToPair(f, config.mode));
    this.heldOut = createSegBatch(
      data ? data.heldOut : builtInPairs(config.mode, 'heldOut', 0, HELD_OUT, size),
    );
    this.stepsPerEpoch = Math.max(1, Math.floor(this.pairs.length / config.train.batchSize));
    const { numClasses } = config.model;
    this.classWeights =
      config.train.balanceClasses && numClasses > 2
        ? tf.tensor1d(
            classWeights(
              this.pairs.map((p) => p.labels),
              numClasses,
            ),
          )
        : null;
    this.trainer = this.enterPhase(this.phase());
  }

  /** Builds fresh networks; the classifier shares the segmenter's encoder layers. */
  private static build(config: SegSessionConfig) {
    const encoder = buildEncoder(config.model);
    const task = config.pretrainTask ? ATTRIBUTE_TASKS[config.pretrainTask] : null;
    const classifier = task
      ? buildClassifier(encoder, { name: task.name, head: task.head, units: task.units })
      : null;
    return { classifier, segmenter: buildSegmenter(encoder) };
  }

  /** Starts a fresh session; `data` holds the imported pairs when `config.imported` is set. */
  static create(meta: SessionMeta, config: SegSessionConfig, data?: SegData): SegSession {
    const { classifier, segmenter } = SegSession.build(config);
    return new SegSession(
      meta,
      config,
      classifier,
      segmenter,
      0,
      new Rng(config.dataSeed ^ 0x5e9),
      [],
      [],
      data,
    );
  }

  /** Rebuilds a session exactly as checkpointed, in the phase it was in (`data`: its imported pairs, re-read). */
  static async restore(meta: SessionMeta, ckpt: Checkpoint, data?: SegData): Promise<SegSession> {
    const config = ckpt.config as unknown as SegSessionConfig;
    const { classifier, segmenter } = SegSession.build(config);
    restoreModelWeights(segmenter, ckpt.weights.segmenter);
    if (classifier && ckpt.weights.classifier)
      restoreModelWeights(classifier, ckpt.weights.classifier);
    const s = new SegSession(
      meta,
      config,
      classifier,
      segmenter,
      ckpt.step,
      new Rng(ckpt.rngState),
      ckpt.history,
      [...(ckpt.samples as SegEval[])],
      data,
    );
    await restoreOptimizer(s.trainer.optimizers.adam, ckpt.optimizers.adam);
    return s;
  }

  /** The phase at the current step: pretrain, then frozen encoder, then fine-tuning; or scratch. */
  phase(step = this.stepCount): Phase {
    const c = this.config;
    if (!c.pretrainTask) return 'scratch';
    if (step < c.pretrainSteps) return 'pretrain';
    return step < c.pretrainSteps + c.frozenSteps ? 'frozen' : 'finetune';
  }

  // Adam keys its slots by position in the var list, so every phase gets a fresh trainer and optimizer.
  private enterPhase(phase: Phase): SegTrainer {
    if (phase !== 'pretrain') setStage(this.segmenter, phase, this.config.train.topK);
    const lr = stageLearningRate(this.config.train, stageOf(phase), this.stepCount);
    if (phase === 'pretrain' && this.classifier) {
      const task = ATTRIBUTE_TASKS[this.config.pretrainTask!];
      return createSegTrainer(this.classifier, lr, { head: headFor(task.head).losses[0] });
    }
    return createSegTrainer(this.segmenter, lr, {
      numClasses: this.config.model.numClasses,
      weights: this.classWeights ?? undefined,
      diceWeight: this.config.train.diceWeight,
    });
  }

  /** Trainable parameters of the model the current phase trains. */
  trainableParams(): number {
    return this.phase() === 'pretrain' && this.classifier
      ? countTrainableParams(this.classifier)
      : countTrainableParams(this.segmenter);
  }

  /** One step of the current phase on an augmented batch; the loss stays on the device. */
  step(): Record<string, tf.Scalar> {
    const phase = this.phase();
    const { batchSize } = this.config.train;
    const pool = phase === 'pretrain' ? this.faces.length : this.pairs.length;
    const picks = Array.from({ length: batchSize }, () => this.rng.int(pool));
    const batch =
      phase === 'pretrain' && this.classifier
        ? this.attributeTensors(picks)
        : this.maskTensors(picks);
    const { loss } = this.trainer.step(batch, this.stepCount);
    tf.dispose([batch.xs, batch.ys]);
    this.stepCount++;
    if (this.phase() !== phase) {
      this.trainer.dispose();
      this.trainer = this.enterPhase(this.phase());
    } else
      syncLearningRate(
        this.trainer.optimizers.adam,
        this.config.train,
        stageOf(phase),
        this.stepCount,
      );
    if (this.phase() !== 'pretrain' && this.stepCount % this.config.evalEvery === 0) {
      this.pendingEval = this.pendingEval.then(async () => {
        await this.evaluate();
      });
    }
    return { loss };
  }

  // The pretraining batch: faces `picks` and their attribute targets `[batch, units]`.
  private attributeTensors(picks: number[]): SegTrainBatch {
    const task = ATTRIBUTE_TASKS[this.config.pretrainTask!];
    const { images, targets } = attributeBatch(
      picks.map((i) => this.faces[i]),
      task,
    );
    const size = this.config.model.size;
    return {
      xs: tf.tensor4d(images, [picks.length, size, size, 3]),
      ys: tf.tensor2d(targets, [picks.length, task.units]),
    };
  }

  // The mask batch: pairs `picks`, augmented with the session's Rng.
  private maskTensors(picks: number[]): SegTrainBatch {
    const batch = createSegBatch(
      picks.map((i) => this.pairs[i]),
      { params: this.config.augment, rng: this.rng },
    );
    const { numClasses } = this.config.model;
    return segTensors(batch.images, batch.labels, batch.count, batch.size, numClasses);
  }

  /** Step, epoch and position in the (pool-sized) epoch. */
  position() {
    const epoch = Math.floor(this.stepCount / this.stepsPerEpoch);
    return {
      step: this.stepCount,
      epoch,
      epochFraction: (this.stepCount % this.stepsPerEpoch) / this.stepsPerEpoch,
    };
  }

  /** Scores the held-out faces now and keeps the result (bounded). */
  async evaluate(): Promise<SegEval> {
    const r = await evaluateSegmenter(this.segmenter, this.heldOut, this.config.model.numClasses);
    const size = this.config.model.size;
    const keep = 8 * size * size;
    const e: SegEval = { step: this.stepCount, ...r, predicted: r.predicted.slice(0, keep) };
    this.evals.push(e);
    if (this.evals.length > 50) this.evals.splice(0, this.evals.length - 50);
    this.unreported = e;
    return e;
  }

  /** The held-out scores finished since the last call, so the loop puts them into history and progress. */
  extraMetrics(): Record<string, number> {
    const e = this.unreported;
    this.unreported = null;
    if (!e) return {};
    // A NaN mean IoU (no class present) is not a divergence: leave it out rather than stop training.
    const scores = { pixelAccuracy: e.pixelAccuracy, meanIou: e.meanIou };
    return Object.fromEntries(Object.entries(scores).filter(([, v]) => Number.isFinite(v)));
  }

  /** Waits for a scheduled evaluation. */
  flushEvals(): Promise<void> {
    return this.pendingEval;
  }

  /** The class names of this session's masks. */
  classes(): readonly string[] {
    return this.config.imported?.classes ?? segClasses(this.config.mode);
  }

  /** The whole checkpoint: both networks' weights, the phase's optimizer, scores. */
  async toCheckpoint(): Promise<Checkpoint> {
    await this.flushEvals();
    const { checkpoint, meta } = await snapshotSession({
      meta: this.meta,
      step: this.stepCount,
      epoch: this.position().epoch,
      cursor: 0,
      rngState: this.rng.state,
      config: this.config,
      lastLoss: this.history.at(-1)?.metrics.loss ?? NaN,
      models: {
        segmenter: this.segmenter,
        ...(this.classifier ? { classifier: this.classifier } : {}),
      },
      optimizers: this.trainer.optimizers,
      history: this.history,
      samples: this.evals,
      extra: { phase: this.phase() },
    });
    this.meta = meta;
    return checkpoint;
  }

  /** Frees the networks and the optimizer. */
  dispose(): void {
    this.trainer.dispose();
    this.classWeights?.dispose();
    this.segmenter.dispose();
    // The classifier shares the encoder layers just freed; free only its own head layers.
    const shared = new Set(this.segmenter.layers);
    for (const layer of this.classifier?.layers ?? []) if (!shared.has(layer)) layer.dispose();
  }
}
