// The Keras way of training the DCGAN's generator: a compiled gan(z) = d(g(z)) with d frozen and
// `gan.trainOnBatch`. The app trains with src/models/gan/train.ts on explicit variable lists; the tests
// and the bench compare it with this baseline.
import * as tf from '@tensorflow/tfjs';
import { createGanOptimizer, DEFAULT_GAN, type GanConfig } from '../gan/model';

/**
 * gan(z) = d(g(z)), `[batch, latentDim]` to `[batch, 1]`, built with the functional API and compiled
 * with `d.trainable = false`, so `gan.trainOnBatch` updates only the generator (the Keras way).
 * tfjs differs from Keras in one point: `trainable = false` flags the shared tf.Variables themselves,
 * and tfjs' gradient code drops flagged variables even from `d`'s own compiled training, so `d` would
 * silently stop learning. The flag is therefore restored after compiling: `gan` keeps the generator-only
 * variable list it collected at compile time, and `d.trainOnBatch` still trains `d`.
 */
export function buildGan(
  g: tf.LayersModel,
  d: tf.LayersModel,
  cfg: GanConfig = DEFAULT_GAN,
): tf.LayersModel {
  const [latentDim] = g.inputs[0].shape.slice(1);
  if (latentDim === null)
    throw new Error('buildGan: the generator input needs a fixed latent size');
  const z = tf.input({ shape: [latentDim], name: 'gan_z' });
  const wasTrainable = d.trainable;
  d.trainable = false;
  try {
    const out = d.apply(g.apply(z)) as tf.SymbolicTensor;
    const gan = tf.model({ inputs: z, outputs: out, name: 'gan' });
    gan.compile({ optimizer: createGanOptimizer(cfg), loss: 'binaryCrossentropy' });
    return gan;
  } finally {
    d.trainable = wasTrainable;
  }
}
