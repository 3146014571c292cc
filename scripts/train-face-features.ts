// Trains the face metric's feature net (src/models/gan/face-features.ts) on freshly drawn procedural
// faces, half rendered at 32 px and half at 64 px, and writes it as a tfjs layers model beside its
// code. Seeded: the same command makes the same weights on the same backend.
//   node --import tsx scripts/train-face-features.ts [--steps 3000] [--out src/models/gan/face-features]
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { renderFace } from '../src/data/faces';
import { blurImage } from '../src/models/gan/face-controls';
import { Rng } from '../src/shared/rng';
import {
  buildFaceFeatureNet,
  faceFeatureLoss,
  faceSpecOf,
  faceTargets,
  TARGET_COUNTS,
} from '../src/models/gan/face-features';
import { encodeTensors } from '../src/storage/checkpoints/snapshot';
import { modelJson } from '../src/storage/checkpoints/zip';
import { installKernels } from '../src/models/kernels';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const STEPS = Number(arg('steps', '3000'));
const OUT = arg('out', 'src/models/gan/face-features');
const BATCH = 32;
/** Training faces use seeds from here up; the metric's real sets use seeds below 10^6. */
const FIRST_SEED = 50_000_000;

/** A batch of 16 faces, each twice (sharp, then blurred): the net's input `[BATCH, 32, 32, 3]` and targets. */
function batchAt(step: number) {
  const x = new Float32Array(BATCH * 32 * 32 * 3);
  const classes = new Int32Array(BATCH * TARGET_COUNTS.classes);
  const geometry = new Float32Array(BATCH * TARGET_COUNTS.geometry);
  for (let k = 0; k < BATCH; k++) {
    const seed = FIRST_SEED + step * (BATCH / 2) + (k >> 1);
    const big = (k >> 1) % 2 === 1;
    const face = renderFace(seed, big ? 64 : 32);
    // The second copy blurred (σ 0.3 to 1.5 px at 32 px): the consistency term below asks for the
    // same features, so softness alone does not read as "another face", while the attribute heads
    // still have to find eyes and mouths.
    const rng = new Rng(seed);
    const sigma = rng.range(0.3, 1.5) * (face.size / 32);
    const image = k % 2 === 1 ? blurImage(face.image, face.size, sigma) : face.image;
    for (let y = 0; y < 32; y++) {
      for (let xx = 0; xx < 32; xx++) {
        for (let c = 0; c < 3; c++) {
          const v = big
            ? (image[(2 * y * 64 + 2 * xx) * 3 + c] +
                image[(2 * y * 64 + 2 * xx + 1) * 3 + c] +
                image[((2 * y + 1) * 64 + 2 * xx) * 3 + c] +
                image[((2 * y + 1) * 64 + 2 * xx + 1) * 3 + c]) /
              4
            : image[(y * 32 + xx) * 3 + c];
          x[((k * 32 + y) * 32 + xx) * 3 + c] = v / 127.5 - 1;
        }
      }
    }
    const t = faceTargets(faceSpecOf(seed));
    classes.set(t.classes, k * TARGET_COUNTS.classes);
    geometry.set(t.geometry, k * TARGET_COUNTS.geometry);
  }
  return { x, classes, geometry };
}

/** Weight of the sharp-vs-blurred feature distance in the loss. */
const CONSISTENCY = 1;

await tf.setBackend('cpu');
// The stock cpu conv gradients are far too slow for a few thousand steps.
installKernels();
const net = buildFaceFeatureNet();
const optimizer = tf.train.adam(1e-3);
const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
const t0 = performance.now();
let running = 0;
for (let step = 0; step < STEPS; step++) {
  // The last 30% of the steps at a fifth of the rate: a finer minimum for the frozen features.
  if (step === Math.floor(STEPS * 0.7))
    (optimizer as unknown as { learningRate: number }).learningRate = 2e-4;
  const b = batchAt(step);
  const loss = tf.tidy(
    () =>
      optimizer.minimize(
        () => {
          let f = tf.tensor4d(b.x, [BATCH, 32, 32, 3]) as tf.Tensor;
          for (const layer of net.layers.slice(0, -1)) f = layer.apply(f) as tf.Tensor;
          const heads = net.layers[net.layers.length - 1].apply(f) as tf.Tensor2D;
          const pairs = f.reshape([BATCH / 2, 2, -1]);
          const [sharp, blurred] = tf.unstack(pairs, 1);
          const gap = tf.mean(tf.square(tf.sub(sharp, blurred)));
          return tf.add(faceFeatureLoss(heads, b.classes, b.geometry), tf.mul(gap, CONSISTENCY));
        },
        true,
        vars,
      ) as tf.Scalar,
  );
  running = 0.98 * running + 0.02 * (await loss.data())[0];
  loss.dispose();
  if ((step + 1) % 100 === 0)
    console.log(
      `step ${step + 1} loss ${(running / (1 - 0.98 ** (step + 1))).toFixed(4)} ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
}
const weights = await encodeTensors(
  net.weights.map((w) => ({ name: w.originalName, tensor: w.read() })),
);
mkdirSync(OUT, { recursive: true });
writeFileSync(`${OUT}/weights.bin`, new Uint8Array(weights.data));
writeFileSync(
  `${OUT}/model.json`,
  JSON.stringify(modelJson(net.toJSON(null, false), weights.specs)) + '\n',
);
console.log(`wrote ${OUT} (${weights.data.byteLength} bytes of weights) after ${STEPS} steps`);
