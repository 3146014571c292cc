// The DCGAN of the seed lecture built with tf.layers (so checkpoints are standard tfjs layers models that
// the Keras converter reads): a normal latent vector -> Dense -> Reshape -> upsampling blocks with
// batch normalisation and LeakyReLU -> Conv2D with tanh; a discriminator of stride-2 Conv2D blocks
// (kernel 4, divisible by the stride, so the transposed/strided kernels tile evenly and make no
// checkerboard) with LeakyReLU -> Dropout -> Dense(1, sigmoid). The Keras way's gan(z) =
// discriminator(generator(z)) with the discriminator frozen is in src/models/reference/gan.ts.
// Every layer has a fixed name: checkpoints restore weights by name, and unnamed layers would get
// per-process counters ('conv2d_7') that differ between a run and its resume.
import * as tf from '@tensorflow/tfjs';

/** Hyperparameters of the DCGAN. */
export interface GanConfig {
  imageSize: 32 | 64;
  /** 'small' for phones, 'standard' for laptops: the channel widths of both networks. */
  width: 'small' | 'standard';
  latentDim: number;
  batchSize: number;
  /** The generator's Adam learning rate (and the discriminator's when `dLearningRate` is absent). */
  learningRate: number;
  /** The discriminator's Adam learning rate (two time-scale update rule); absent in older sessions. */
  dLearningRate?: number;
  beta1: number;
  /** Real labels are drawn from [1 - labelNoise, 1], fake ones from [0, labelNoise]. */
  labelNoise: number;
  /** Dropout rate before the discriminator's Dense layer (the seed lecture's one Dropout(0.4)). */
  dropout: number;
  /** Decay of the exponential moving average of G's weights that draws the grid and Generate (0: off; absent in older sessions). */
  emaDecay?: number;
  /** Divide every discriminator kernel by its largest singular value after each D update (absent in older sessions: off). */
  spectralNorm?: boolean;
  /** Discriminator updates per generator update, each on the step's real batch and fresh fakes (absent in older sessions: 1). */
  dSteps?: number;
  /** 'transpose': Conv2DTranspose(k4, s2); 'nearest': nearest UpSampling2D(2) + Conv2D(k3); 'resize': the same with bilinear UpSampling2D, whose pixel grid Keras does not share. */
  upsample: 'transpose' | 'nearest' | 'resize';
}

/**
 * The default recipe. Adam 2e-4 with beta1 0.5 is from the DCGAN paper (Radford, Metz & Chintala
 * 2015, "Unsupervised Representation Learning with Deep Convolutional GANs", sec. 4: "learning rate
 * of 0.0002 ... reducing beta1 to 0.5 helped stabilize training"), and so is batch normalisation in
 * the generator. Label noise 0.05 is the Keras example's `labels += 0.05 * random(...)`; one
 * Dropout(0.4) before the discriminator's Dense layer is the seed lecture's discriminator.
 * 32x32 'small' and batch 16 because a phone or a CPU backend gets only a few hundred steps in
 * minutes, and more, smaller steps learned more per second there. Bilinear upsampling and a 3x3
 * conv: measured with the face metric (512 faces, seed 1, 32 px, 1,000 steps on cpu), the weight
 * average of the bilinear generator reached faceFd 25 (precision 0.45, recall 0.43; painted-over
 * real faces score 22, an untrained generator 122), the nearest-neighbour one 117, still grey plaid.
 * Keras' own bilinear UpSampling2D puts its pixel grid elsewhere; python/playground_keras.py builds
 * this layer on tfjs' grid, so the generator predicts the same there. The grid and Generate draw
 * with an exponential moving average of G's weights (decay 0.999 with a warm-up): single GAN
 * iterates oscillate, their average is steadier (Yazıcı et al. 2019, "The Unusual Effectiveness of
 * Averaging in GAN Training"); it lowered faceFd from 27.3 to 25.3 at 1,000 steps. Spectral
 * normalisation of D's kernels (./spectral-norm.ts): without it the generator dropped kinds of face
 * between 1,000 and 3,000 steps (recall 0.39 to 0.21, seed 1); with it, at 3,000 steps, faceFd
 * 18.4 and 18.9 (seeds 1 and 2) against 30.7, recall 0.44 and 0.43 against 0.21, worst attribute
 * TV 0.13 and 0.10 against 0.18, at the same time per step; precision is lower (0.53 and 0.56
 * against 0.70), and in the app's session (seed 1, 1,024 faces) one run read 23.6 / 0.39 / 0.32 at
 * 3,000 steps and worse at 4,000. The bench (seed 1, 3,000 steps, 1,024 faces): faceFd 19.4,
 * precision 0.43, recall 0.41, worst attribute TV 0.147.
 */
export const DEFAULT_GAN: Readonly<GanConfig> = {
  imageSize: 32,
  width: 'small',
  latentDim: 100,
  batchSize: 16,
  learningRate: 2e-4,
  beta1: 0.5,
  labelNoise: 0.05,
  dropout: 0.4,
  upsample: 'resize',
  emaDecay: 0.999,
  spectralNorm: true,
};

// Channels of the widest generator block / narrowest discriminator block, per width; each block
// halves (G) or doubles (D) it, as in the DCGAN paper's 1024-512-256-128 generator.
const BASE_CHANNELS: Record<GanConfig['width'], number> = { small: 8, standard: 32 };

/** The default recipe with `overrides` applied. */
export function createGanConfig(overrides: Partial<GanConfig> = {}): GanConfig {
  return { ...DEFAULT_GAN, ...overrides };
}

/** A human message saying what is wrong with `cfg`, or null when it is usable. */
export function validateGanConfig(cfg: GanConfig): string | null {
  const int = (v: number, lo: number, hi: number): boolean =>
    Number.isInteger(v) && v >= lo && v <= hi;
  if (cfg.imageSize !== 32 && cfg.imageSize !== 64) return 'The image size must be 32 or 64.';
  if (cfg.width !== 'small' && cfg.width !== 'standard')
    return "The model width must be 'small' or 'standard'.";
  if (!int(cfg.latentDim, 1, 1024)) return 'The latent size must be an integer from 1 to 1024.';
  if (!int(cfg.batchSize, 1, 1024)) return 'The batch size must be an integer from 1 to 1024.';
  if (!Number.isFinite(cfg.learningRate) || cfg.learningRate <= 0 || cfg.learningRate > 1)
    return 'The learning rate must be a positive number (at most 1).';
  const dLr = cfg.dLearningRate ?? cfg.learningRate;
  if (!Number.isFinite(dLr) || dLr <= 0 || dLr > 1)
    return "The discriminator's learning rate must be a positive number (at most 1).";
  if (!(cfg.beta1 >= 0 && cfg.beta1 < 1)) return 'Adam beta1 must be in [0, 1).';
  if (!(cfg.labelNoise >= 0 && cfg.labelNoise < 0.5)) return 'The label noise must be in [0, 0.5).';
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) return 'The dropout rate must be in [0, 1).';
  if (cfg.emaDecay !== undefined && !(cfg.emaDecay >= 0 && cfg.emaDecay < 1))
    return 'The weight-average decay must be in [0, 1).';
  if (cfg.spectralNorm !== undefined && typeof cfg.spectralNorm !== 'boolean')
    return 'Spectral normalisation must be on or off.';
  if (cfg.dSteps !== undefined && !int(cfg.dSteps, 1, 5))
    return 'The discriminator steps per generator step must be an integer from 1 to 5.';
  if (!['transpose', 'nearest', 'resize'].includes(cfg.upsample))
    return "The upsampling must be 'transpose', 'nearest' or 'resize'.";
  return null;
}

/** Channel counts: `generator[0]` is the 4x4 seed block, then one entry per upsampling block; `discriminator` one per conv block. */
export function ganChannels(cfg: GanConfig): { generator: number[]; discriminator: number[] } {
  const blocks = Math.log2(cfg.imageSize / 4);
  const base = BASE_CHANNELS[cfg.width];
  const generator = Array.from({ length: blocks + 1 }, (_, i) => base * 2 ** (blocks - i));
  const discriminator = Array.from({ length: blocks }, (_, i) => base * 2 ** (i + 1));
  return { generator, discriminator };
}

function check(cfg: GanConfig): void {
  const err = validateGanConfig(cfg);
  if (err) throw new Error(err);
}

type Init = ReturnType<typeof tf.initializers.glorotUniform>;
type InitKind = 'glorot' | 'he' | 'heTranspose';

// Without batch normalisation (the discriminator has none) the initial scale decides whether a signal
// survives the stack: Glorot (Keras' default) and the DCGAN paper's N(0, 0.02) both shrink it layer by
// layer. He initialisation (gain 2 for the LeakyReLU that follows) keeps unit variance through each
// layer; a Conv2DTranspose(k4, s2) output sums 2x2 taps per input channel, and tfjs computes its fans from the
// kernel [k, k, out, in], so its He variance 2 / (4 in) is scale 8 over fanOut = 16 in. The layers
// feeding tanh/sigmoid keep Glorot.
function init(seed: number | undefined, k: number, kind: InitKind): Init {
  const s = seed === undefined ? undefined : seed * 97 + k;
  if (kind === 'glorot') return tf.initializers.glorotUniform({ seed: s });
  if (kind === 'he') return tf.initializers.heNormal({ seed: s });
  return tf.initializers.varianceScaling({
    scale: 8,
    mode: 'fanOut',
    distribution: 'normal',
    seed: s,
  });
}

// The layers before it have no bias: batch normalisation subtracts any bias again, so its gradient is
// rounding noise, which Adam would scale up to full-size steps (a resumed run then drifted by 7e-5).
// Momentum 0.9 (Keras: 0.99) so the moving statistics that sampling uses keep up within a few hundred
// steps; at 0.99 they lag the weights for the whole of a short run.
function batchNorm(name: string, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return tf.layers.batchNormalization({ momentum: 0.9, name }).apply(x) as tf.SymbolicTensor;
}

/** The generator: `[batch, latentDim]` normal latents to `[batch, size, size, 3]` images in [-1, 1]; not compiled. */
export function buildGenerator(cfg: GanConfig, seed?: number): tf.LayersModel {
  check(cfg);
  const ch = ganChannels(cfg).generator;
  const z = tf.input({ shape: [cfg.latentDim], name: 'g_z' });
  let x = tf.layers
    .dense({
      units: 4 * 4 * ch[0],
      useBias: false,
      kernelInitializer: init(seed, 1, 'he'),
      name: 'g_dense',
    })
    .apply(z) as tf.SymbolicTensor;
  x = batchNorm('g_dense_bn', x);
  x = tf.layers.leakyReLU({ alpha: 0.2, name: 'g_dense_act' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .reshape({ targetShape: [4, 4, ch[0]], name: 'g_reshape' })
    .apply(x) as tf.SymbolicTensor;
  for (let i = 1; i < ch.length; i++) {
    const name = `g_up${i}`;
    if (cfg.upsample === 'transpose') {
      x = tf.layers
        .conv2dTranspose({
          filters: ch[i],
          kernelSize: 4,
          strides: 2,
          padding: 'same',
          useBias: false,
          kernelInitializer: init(seed, 10 + i, 'heTranspose'),
          name,
        })
        .apply(x) as tf.SymbolicTensor;
    } else {
      x = tf.layers
        .upSampling2d({
          size: [2, 2],
          interpolation: cfg.upsample === 'nearest' ? 'nearest' : 'bilinear',
          name: `${name}_resize`,
        })
        .apply(x) as tf.SymbolicTensor;
      x = tf.layers
        .conv2d({
          filters: ch[i],
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          kernelInitializer: init(seed, 10 + i, 'he'),
          name,
        })
        .apply(x) as tf.SymbolicTensor;
    }
    x = batchNorm(`${name}_bn`, x);
    x = tf.layers.leakyReLU({ alpha: 0.2, name: `${name}_act` }).apply(x) as tf.SymbolicTensor;
  }
  const out = tf.layers
    .conv2d({
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'tanh',
      kernelInitializer: init(seed, 50, 'glorot'),
      name: 'g_rgb',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: out, name: 'generator' });
}

/** The discriminator: `[batch, size, size, 3]` images in [-1, 1] to `[batch, 1]` P(real); compiled with Adam + binary cross-entropy for Keras-style `trainOnBatch`. */
export function buildDiscriminator(cfg: GanConfig, seed?: number): tf.LayersModel {
  check(cfg);
  const ch = ganChannels(cfg).discriminator;
  const img = tf.input({ shape: [cfg.imageSize, cfg.imageSize, 3], name: 'd_image' });
  let x: tf.SymbolicTensor = img;
  ch.forEach((filters, k) => {
    const i = k + 1;
    x = tf.layers
      .conv2d({
        filters,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        kernelInitializer: init(seed, 100 + i, 'he'),
        name: `d_conv${i}`,
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.2, name: `d_act${i}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'd_flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: cfg.dropout, name: 'd_drop' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: init(seed, 150, 'glorot'),
      name: 'd_prob',
    })
    .apply(x) as tf.SymbolicTensor;
  const d = tf.model({ inputs: img, outputs: out, name: 'discriminator' });
  d.compile({ optimizer: createGanOptimizer(cfg, 'discriminator'), loss: 'binaryCrossentropy' });
  return d;
}

/** Adam(learning rate of `net`, beta1, beta2 0.999) as in the DCGAN paper. */
export function createGanOptimizer(
  cfg: GanConfig,
  net: 'generator' | 'discriminator' = 'generator',
): tf.AdamOptimizer {
  const lr = net === 'discriminator' ? (cfg.dLearningRate ?? cfg.learningRate) : cfg.learningRate;
  return tf.train.adam(lr, cfg.beta1, 0.999);
}

/** `count` latent vectors `[count, latentDim]` from N(0, 1), the same for the same seed (for the fixed sample grid). */
export function sampleLatents(count: number, latentDim: number, seed: number): tf.Tensor2D {
  // tfjs treats seed 0 as "no seed".
  return tf.randomNormal([count, latentDim], 0, 1, 'float32', seed + 1);
}

/** Generated images `[count, size, size, 3]` in [-1, 1] for `latents` `[count, latentDim]` (inference mode). */
export function sampleImages(g: tf.LayersModel, latents: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => g.apply(latents, { training: false }) as tf.Tensor4D);
}

/** Images `[count, size, size, 3]` in [-1, 1] to one RGB byte array per image (`[size, size, 3]`). */
export async function imagesToRgb(images: tf.Tensor4D): Promise<Uint8ClampedArray[]> {
  const [count, h, w, c] = images.shape;
  const bytes = tf.tidy(() => images.add(1).mul(127.5).round().clipByValue(0, 255));
  const values = await bytes.data();
  bytes.dispose();
  const n = h * w * c;
  return Array.from({ length: count }, (_, k) =>
    Uint8ClampedArray.from(values.subarray(k * n, (k + 1) * n)),
  );
}
