// The Keras way of training the char-LSTM: one-hot windows and `model.trainOnBatch`, as the Keras
// example does. The app trains with src/models/char-lstm/fast.ts; the tests and the bench compare it
// with this baseline.
import * as tf from '@tensorflow/tfjs';
import type { CharLstmConfig } from '../char-lstm/model';

/** One-hot `xs` `[batch*maxLen]` char indices to `[batch, maxLen, vocab]` float32. */
export function oneHotWindows(xs: Int32Array, batch: number, cfg: CharLstmConfig): tf.Tensor3D {
  return tf.tidy(() => {
    const idx = tf.tensor2d(xs, [batch, cfg.maxLen], 'int32');
    return tf.oneHot(idx, cfg.vocabSize).toFloat() as tf.Tensor3D;
  });
}

/** One-hot `ys` `[batch]` char indices to `[batch, vocab]` float32. */
export function oneHotTargets(ys: Int32Array, cfg: CharLstmConfig): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(ys, 'int32'), cfg.vocabSize).toFloat() as tf.Tensor2D);
}

/** The baseline training step: one-hot the batch and `model.trainOnBatch`; resolves to the loss. */
export async function trainReferenceStep(
  model: tf.LayersModel,
  xs: Int32Array,
  ys: Int32Array,
  cfg: CharLstmConfig,
): Promise<number> {
  const x = oneHotWindows(xs, ys.length, cfg);
  const y = oneHotTargets(ys, cfg);
  try {
    const loss = await model.trainOnBatch(x, y);
    return Array.isArray(loss) ? loss[0] : loss;
  } finally {
    x.dispose();
    y.dispose();
  }
}
