// The one shape of a training step shared by the char-LSTM, the DCGAN and the segmenter, so that
// sessions, benches and scripts drive, checkpoint and dispose any of them the same way.
import type * as tf from '@tensorflow/tfjs';

/** A model's training step, the same for the three models: one update on `batch` whose randomness all comes from `seed`; named loss scalars back without a host sync (the caller disposes them); the optimizers a checkpoint saves, by their checkpoint names. */
export interface Trainer<Batch> {
  readonly optimizers: Readonly<Record<string, tf.Optimizer>>;
  step(batch: Batch, seed: number): Record<string, tf.Scalar>;
  /** Frees the optimizers; the networks belong to the caller. */
  dispose(): void;
}
