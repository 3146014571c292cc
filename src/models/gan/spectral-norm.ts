// Spectral normalisation of the discriminator (Miyato et al. 2018, "Spectral Normalization for
// Generative Adversarial Networks"), applied as a projection: after each D update every kernel is
// divided by its largest singular value, so D stays about 1-Lipschitz and cannot sharpen into a
// detector of a few modes, which is what made the generator drop kinds of face. A projection keeps D
// a stock layers model (Keras reads it as is) and the step stateless: no power-iteration vector to
// checkpoint, so a resumed run stays bit-exact.
import * as tf from '@tensorflow/tfjs';

// Squarings of WᵀW: after k of them the power iteration has run 2^k steps, so the estimate's error
// shrinks like (σ2/σ1)^(2^(k+1)); 5 is plenty for kernels of at most a few hundred columns.
const SQUARINGS = 5;

/** The largest singular value of `w` `[rows, cols]`, by power iteration on WᵀW with repeated squaring (2^5 iterations' worth in a few small matmuls). */
export function spectralNorm(w: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const cols = w.shape[1];
    let g: tf.Tensor2D = tf.matMul(w, w, true, false);
    for (let i = 0; i < SQUARINGS; i++) {
      const sq = tf.matMul(g, g);
      // Rescaled each time so the entries neither overflow nor underflow; only the direction counts.
      g = tf.div(sq, tf.add(tf.norm(sq), 1e-30));
    }
    // A fixed start with no symmetry (ones could be orthogonal to the top vector of a structured kernel).
    const u0 = tf.add(tf.sin(tf.mul(tf.range(0, cols), 0.7)), 1.5).reshape([cols, 1]);
    const v = tf.matMul(g, u0);
    const vn = tf.div(v, tf.add(tf.norm(v), 1e-30));
    return tf.norm(tf.matMul(w, vn)) as tf.Scalar;
  });
}

/** Divides each kernel of `model` (conv `[k, k, in, out]` read as `[k·k·in, out]`, dense `[in, out]`) by its largest singular value, in place. */
export function normalizeKernels(model: tf.LayersModel): void {
  tf.tidy(() => {
    for (const w of model.trainableWeights) {
      if (!w.originalName.endsWith('/kernel')) continue;
      const v = w.read();
      const out = v.shape[v.shape.length - 1];
      const sigma = spectralNorm(tf.reshape(v, [-1, out]) as tf.Tensor2D);
      w.write(tf.div(v, tf.add(sigma, 1e-12)));
    }
  });
}
