// The DCGAN training step: one discriminator update on a real and a generated batch with noisy labels,
// then one generator update through the frozen discriminator, on explicit variable lists so the
// generator step can never touch a discriminator weight. No host sync inside: losses come back as
// tensors for the caller to read (asynchronously) when it wants. On cpu a step takes over a minute
// with tfjs' stock conv gradients: whoever trains installs our kernels first (src/models/kernels).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../shared/rng';
import type { Trainer } from '../trainer';
import { buildGenerator, createGanOptimizer, type GanConfig } from './model';
import { normalizeKernels } from './spectral-norm';

/** The losses of one step; the caller disposes them. */
export type GanLosses = {
  dLossReal: tf.Scalar;
  dLossFake: tf.Scalar;
  gLoss: tf.Scalar;
};

/** A DCGAN trainer over a generator and a discriminator, with one Adam optimizer each (checkpoint names `generator`, `discriminator`). */
export interface GanTrainer extends Trainer<tf.Tensor4D> {
  readonly optimizers: {
    readonly generator: tf.AdamOptimizer;
    readonly discriminator: tf.AdamOptimizer;
  };
  /** One D step then one G step on `real` `[batch, size, size, 3]` in [-1, 1]; all randomness comes from `seed`. */
  step(real: tf.Tensor4D, seed: number): GanLosses;
  /** The D step alone: `real` against `batch` fresh fakes, noisy labels, only D's variables updated. */
  discriminatorStep(real: tf.Tensor4D, seed: number): Omit<GanLosses, 'gLoss'>;
  /** The gan step alone: gan(z) for `batch` latents against "real" targets, only G's variables updated. */
  generatorStep(batch: number, seed: number): tf.Scalar;
}

// Keras' binary cross-entropy clips probabilities to [eps, 1 - eps]; the same here, so this step and a
// compiled model's trainOnBatch compute the same loss.
const EPSILON = 1e-7;

/** Mean binary cross-entropy of probabilities `p` `[batch, 1]` against targets `y` `[batch, 1]`. */
export function binaryCrossEntropy(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const pc = tf.clipByValue(p, EPSILON, 1 - EPSILON);
    const ll = tf.add(tf.mul(y, tf.log(pc)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, pc))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}

/**
 * Noisy targets `[batch, 1]`: real ~ U(1 - noise, 1), fake ~ U(0, noise); the same for the same seed.
 * This is the Keras example's `labels += 0.05 * random(labels.shape)` (noise 0.05 by default; the
 * example labels fake 1 and real 0, so its noise also moves both sides towards the middle) mirrored
 * for real = 1, which keeps every target inside [0, 1], where cross-entropy is a proper loss.
 */
export function noisyLabels(
  batch: number,
  real: boolean,
  noise: number,
  seed: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const u = tf.randomUniform([batch, 1], 0, noise, 'float32', seed);
    return (real ? tf.sub(1, u) : u) as tf.Tensor2D;
  });
}

/** The trainable tf.Variables of `model`, in `trainableWeights` order (the order optimizer slots follow). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error(`weight ${w.name} is not a tf.Variable`);
    return v;
  });
}

type Seeded = { seed?: number };

// A nonzero uint32 for a tfjs op: some tfjs random ops read 0 as "unseeded".
function opSeed(rng: Rng): number {
  return (rng.seed() | 1) >>> 0;
}

// tf.layers.dropout draws its mask from `this.seed`, or from Math.random when unset: a fixed seed would
// repeat one mask forever and Math.random cannot be replayed on resume. So each training forward sets
// a fresh seed from the step's Rng and clears it afterwards, so saved topologies carry no stale seed.
function withDropoutSeeds<T>(layers: tf.layers.Layer[], rng: Rng, f: () => T): T {
  const seeded = layers as unknown as Seeded[];
  const before = seeded.map((l) => l.seed);
  seeded.forEach((l) => (l.seed = opSeed(rng)));
  try {
    return f();
  } finally {
    seeded.forEach((l, i) => (l.seed = before[i]));
  }
}

/** D's output `[batch, 1]` for `images` `[batch, size, size, 3]`: inference mode, or training mode (dropout on) with masks drawn from `dropoutSeed`. */
export function discriminate(
  d: tf.LayersModel,
  images: tf.Tensor4D,
  dropoutSeed?: number,
): tf.Tensor2D {
  if (dropoutSeed === undefined) return d.apply(images, { training: false }) as tf.Tensor2D;
  const dropouts = d.layers.filter((l) => l.getClassName() === 'Dropout');
  return withDropoutSeeds(
    dropouts,
    new Rng(dropoutSeed),
    () => d.apply(images, { training: true }) as tf.Tensor2D,
  );
}

/** A trainer with fresh Adam optimizers (DCGAN paper settings from `cfg`); weights are the models' own. */
export function createGanTrainer(g: tf.LayersModel, d: tf.LayersModel, cfg: GanConfig): GanTrainer {
  const dOptimizer = createGanOptimizer(cfg, 'discriminator');
  const gOptimizer = createGanOptimizer(cfg, 'generator');
  const latentDim = cfg.latentDim;

  function discriminatorStep(real: tf.Tensor4D, seed: number): Omit<GanLosses, 'gLoss'> {
    const rng = new Rng(seed);
    const batch = real.shape[0];
    const zSeed = opSeed(rng);
    const yRealSeed = opSeed(rng);
    const yFakeSeed = opSeed(rng);
    const dropSeed = opSeed(rng);
    // Read per step: a restored model may hold new variables.
    const dVars = trainableVariables(d);
    return tf.tidy(() => {
      // The fake batch is generated once, outside any gradient tape: the D step needs no G gradients.
      // Training mode, so D sees what the G step will produce (batch statistics); that pass also
      // moves G's batch-norm moving averages, which sampling uses, but no trained G weight.
      const z = tf.randomNormal([batch, latentDim], 0, 1, 'float32', zSeed);
      const fake = g.apply(z, { training: true }) as tf.Tensor4D;
      // Real and fake go through D as one batch of 2*batch (the Keras example's concatenation): one
      // forward and one backward instead of two, half the kernel launches on a GPU.
      const images = tf.concat([real, fake], 0);
      const yReal = noisyLabels(batch, true, cfg.labelNoise, yRealSeed);
      const yFake = noisyLabels(batch, false, cfg.labelNoise, yFakeSeed);
      let dLossReal: tf.Scalar | undefined;
      let dLossFake: tf.Scalar | undefined;
      dOptimizer.minimize(
        () => {
          const [pReal, pFake] = tf.split(discriminate(d, images, dropSeed), 2, 0);
          // Kept: the gradient tape's own tidy would otherwise dispose them.
          dLossReal = tf.keep(binaryCrossEntropy(yReal, pReal));
          dLossFake = tf.keep(binaryCrossEntropy(yFake, pFake));
          // The mean over the combined batch, as one trainOnBatch on the concatenation computes.
          return tf.mul(tf.add(dLossReal, dLossFake), 0.5) as tf.Scalar;
        },
        false,
        dVars,
      );
      if (cfg.spectralNorm) normalizeKernels(d);
      if (!dLossReal || !dLossFake) throw new Error('discriminatorStep: a loss is missing');
      return { dLossReal, dLossFake };
    });
  }

  function generatorStep(batch: number, seed: number): tf.Scalar {
    const rng = new Rng(seed);
    const zSeed = opSeed(rng);
    const dropSeed = opSeed(rng);
    const gVars = trainableVariables(g);
    return tf.tidy(() => {
      // gan(z) = d(g(z)) against "real" targets, differentiated only w.r.t. the generator's variables:
      // that is what freezing d inside gan means. A fresh latent batch, as in the Keras example.
      const z = tf.randomNormal([batch, latentDim], 0, 1, 'float32', zSeed);
      const target = tf.ones([batch, 1]);
      const loss = gOptimizer.minimize(
        () => {
          const img = g.apply(z, { training: true }) as tf.Tensor4D;
          return binaryCrossEntropy(target, discriminate(d, img, dropSeed));
        },
        true,
        gVars,
      );
      if (!loss) throw new Error('generatorStep: no loss');
      return loss;
    });
  }

  return {
    optimizers: { generator: gOptimizer, discriminator: dOptimizer },
    discriminatorStep,
    generatorStep,
    step(real, seed) {
      // A fresh Rng per step: the step is a pure function of (weights, optimizer slots, real, seed).
      const rng = new Rng(seed);
      const dSeed = opSeed(rng);
      const gSeed = opSeed(rng);
      let dLosses = discriminatorStep(real, dSeed);
      // Extra D updates draw their seeds after G's, so one D step per G step keeps its old seeds.
      for (let k = 1; k < (cfg.dSteps ?? 1); k++) {
        tf.dispose([dLosses.dLossReal, dLosses.dLossFake]);
        dLosses = discriminatorStep(real, opSeed(rng));
      }
      return { ...dLosses, gLoss: generatorStep(real.shape[0], gSeed) };
    },
    dispose() {
      dOptimizer.dispose();
      gOptimizer.dispose();
    },
  };
}

/** A batch `[batch, size, size, 3]` of `pool` images (`[poolSize, size, size, 3]` flattened), drawn with replacement by `rng`. */
export function sampleRealBatch(
  pool: Float32Array,
  size: number,
  batch: number,
  rng: Rng,
): tf.Tensor4D {
  const n = size * size * 3;
  const count = pool.length / n;
  if (!Number.isInteger(count) || count < 1)
    throw new Error('sampleRealBatch: pool has no images of this size');
  const out = new Float32Array(batch * n);
  for (let k = 0; k < batch; k++) {
    const i = rng.int(count);
    out.set(pool.subarray(i * n, (i + 1) * n), k * n);
  }
  return tf.tensor4d(out, [batch, size, size, 3]);
}

/** An exponential moving average of a generator's weights (moving batch-norm statistics copied as they are), kept in a second generator used for sampling. */
export interface GeneratorEma {
  model: tf.LayersModel;
  /** ema = d * ema + (1 - d) * weights after training step `step` (1-based), with d = min(decay, (1 + step) / (10 + step)): until d reaches 0.999 (step 8,990) the average spans about the last ninth of the run; spans of a third or two thirds scored worse at 3,000 steps. */
  update(step: number): void;
  dispose(): void;
}

/** An EMA generator that starts as a copy of `g`. */
export function createGeneratorEma(g: tf.LayersModel, cfg: GanConfig, decay: number): GeneratorEma {
  const model = buildGenerator(cfg);
  model.setWeights(g.getWeights());
  const trainable = new Set(g.trainableWeights.map((w) => w.originalName));
  return {
    model,
    update(step) {
      const d = Math.min(decay, (1 + step) / (10 + step));
      tf.tidy(() => {
        g.weights.forEach((w, i) => {
          const target = model.weights[i];
          const value = w.read();
          target.write(
            trainable.has(w.originalName)
              ? tf.add(tf.mul(target.read(), d), tf.mul(value, 1 - d))
              : tf.clone(value),
          );
        });
      });
    },
    dispose() {
      model.dispose();
    },
  };
}
