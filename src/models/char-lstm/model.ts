// The reference char-LSTM of the Keras example (LSTM(128) -> Dense(vocab, softmax), RMSprop 0.01,
// categorical cross-entropy) built with tf.layers, so checkpoints are standard tfjs layers models.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../shared/rng';

type Initializer = ReturnType<typeof tf.initializers.orthogonal>;
type OrthogonalClass = new (args: { gain?: number; seed?: number }) => Initializer;
const TfjsOrthogonal = tf.initializers.orthogonal({}).constructor as OrthogonalClass;

/**
 * Keras' orthogonal initializer computed on the host. tfjs' own runs a QR decomposition through
 * hundreds of tiny tensor ops: ≈6 minutes for a [128, 512] kernel on webgpu over SwiftShader.
 * Same distribution (rows or columns orthonormalised from a Gaussian, positive R diagonal), same
 * class name and config, so saved models are unchanged; registered over tfjs' class so that
 * `tf.models.modelFromJSON` uses it too.
 */
class HostOrthogonal extends TfjsOrthogonal {
  static className = 'Orthogonal';

  override apply(shape: number[]): tf.Tensor {
    const { gain, seed } = this.getConfig() as { gain: number; seed?: number };
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = shape[shape.length - 1];
    const [n, k] = [Math.max(rows, cols), Math.min(rows, cols)];
    const rng = new Rng(seed ?? (Math.random() * 2 ** 32) >>> 0);
    const vecs = Array.from({ length: k }, () =>
      Float64Array.from({ length: n }, () => rng.normal()),
    );
    // Modified Gram-Schmidt in float64: the Q of a QR with a positive diagonal, as Keras makes it.
    for (let i = 0; i < k; i++) {
      const v = vecs[i];
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let q = 0; q < n; q++) dot += v[q] * vecs[j][q];
        for (let q = 0; q < n; q++) v[q] -= dot * vecs[j][q];
      }
      const norm = Math.hypot(...v);
      for (let q = 0; q < n; q++) v[q] /= norm;
    }
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < k; i++) {
      for (let q = 0; q < n; q++)
        out[rows < cols ? i * cols + q : q * cols + i] = gain * vecs[i][q];
    }
    return tf.tensor(out, shape, 'float32');
  }
}
type Registrable = Parameters<typeof tf.serialization.registerClass>[0];
tf.serialization.registerClass(HostOrthogonal as unknown as Registrable);

/** Hyperparameters of the char-LSTM. */
export interface CharLstmConfig {
  vocabSize: number;
  maxLen: number;
  units: number;
  learningRate: number;
  batchSize: number;
  step: number;
}

/** The Keras example's recipe; `vocabSize` comes from the corpus. */
export const DEFAULT_CHAR_LSTM: Readonly<Omit<CharLstmConfig, 'vocabSize'>> = {
  maxLen: 40,
  units: 128,
  learningRate: 0.01,
  batchSize: 128,
  step: 3,
};

/** The default recipe for a corpus with `vocabSize` distinct characters. */
export function createCharLstmConfig(
  vocabSize: number,
  overrides: Partial<CharLstmConfig> = {},
): CharLstmConfig {
  return { ...DEFAULT_CHAR_LSTM, vocabSize, ...overrides };
}

/** A human message saying what is wrong with `cfg`, or null when it is usable. */
export function validateCharLstmConfig(cfg: CharLstmConfig): string | null {
  const int = (v: number, lo: number, hi: number): boolean =>
    Number.isInteger(v) && v >= lo && v <= hi;
  if (!int(cfg.vocabSize, 2, 1000)) return 'The vocabulary size must be an integer from 2 to 1000.';
  if (!int(cfg.maxLen, 1, 400)) return 'The window length must be an integer from 1 to 400.';
  if (!int(cfg.units, 1, 1024)) return 'The LSTM units must be an integer from 1 to 1024.';
  if (!int(cfg.batchSize, 1, 1024)) return 'The batch size must be an integer from 1 to 1024.';
  if (!int(cfg.step, 1, 400)) return 'The window step must be an integer from 1 to 400.';
  if (!Number.isFinite(cfg.learningRate) || cfg.learningRate <= 0 || cfg.learningRate > 10) {
    return 'The learning rate must be a positive number (at most 10).';
  }
  return null;
}

/** The reference model: input `[batch, maxLen, vocab]` one-hot, output `[batch, vocab]` probabilities; compiled. */
export function buildCharLstm(cfg: CharLstmConfig, seed?: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.lstm({
      units: cfg.units,
      inputShape: [cfg.maxLen, cfg.vocabSize],
      // Keras 2+ defaults to a true sigmoid; tfjs still defaults to hardSigmoid, which would make
      // weights trained here compute different gates after import into Keras (and vice versa).
      recurrentActivation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      recurrentInitializer: new HostOrthogonal({ gain: 1, seed }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: cfg.vocabSize,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({
        seed: seed === undefined ? seed : seed + 1,
      }),
    }),
  );
  model.compile({ optimizer: tf.train.rmsprop(cfg.learningRate), loss: 'categoricalCrossentropy' });
  return model;
}
