// The face metric's reference run: one real set, and beside it the controls every generated set is
// read against (a second real set; real blurred, painted over, block-shuffled, mean-coloured; and
// the untrained generator), all embedded once by the frozen face-feature net.
import * as tf from '@tensorflow/tfjs';
import { renderFace, type Face } from '../../data/faces';
import { sampleImages, sampleLatents } from './model';
import {
  blurImage,
  bytesToFloat,
  meanColour,
  paintOverParts,
  shuffleBlocks,
} from './face-controls';
import { embedFaces, scoreFaces, type FaceEmbedding, type FaceScores } from './face-metric';

/** The control sets, in the order a person would rank them from best to worst. */
export const FACE_CONTROLS = [
  'realVsReal',
  'blur1',
  'blur2',
  'paintedOver',
  'blockShuffled',
  'meanColour',
] as const;
/** One control's name. */
export type FaceControl = (typeof FACE_CONTROLS)[number];

/** The embedded reference set and controls at one image size. */
export interface FaceSuite {
  net: tf.LayersModel;
  size: number;
  count: number;
  real: FaceEmbedding;
  controls: Record<FaceControl, FaceEmbedding>;
}

/** Seeds of the reference set and of the second real set the controls are made from (disjoint from the feature net's training faces). */
const REAL_SEEDS = 100_000;
const CONTROL_SEEDS = 200_000;
/** The latent seed of every scored generator's image set. */
const LATENT_SEED = 7;

async function embedBytes(net: tf.LayersModel, images: Uint8ClampedArray[], size: number) {
  const t = tf.tensor4d(bytesToFloat(images), [images.length, size, size, 3]);
  const e = await embedFaces(net, t);
  t.dispose();
  return e;
}

/** Renders and embeds `count` real faces and the controls at `size` px. */
export async function buildFaceSuite(
  net: tf.LayersModel,
  size: number,
  count: number,
): Promise<FaceSuite> {
  const faces = (first: number): Face[] =>
    Array.from({ length: count }, (_, i) => renderFace(first + i, size));
  const real = await embedBytes(
    net,
    faces(REAL_SEEDS).map((f) => f.image),
    size,
  );
  const other = faces(CONTROL_SEEDS);
  const images = other.map((f) => f.image);
  // Sigmas and blocks in pixels of the image, as a person looking at it would count them.
  const controls: Record<FaceControl, FaceEmbedding> = {
    realVsReal: await embedBytes(net, images, size),
    blur1: await embedBytes(
      net,
      images.map((im) => blurImage(im, size, 1)),
      size,
    ),
    blur2: await embedBytes(
      net,
      images.map((im) => blurImage(im, size, 2)),
      size,
    ),
    paintedOver: await embedBytes(
      net,
      other.map((f, i) => paintOverParts(f, CONTROL_SEEDS + i)),
      size,
    ),
    blockShuffled: await embedBytes(
      net,
      images.map((im, i) => shuffleBlocks(im, size, 8, i + 1)),
      size,
    ),
    meanColour: await embedBytes(net, images.map(meanColour), size),
  };
  return { net, size, count, real, controls };
}

/** Embeds `suite.count` images of generator `g` (fixed latents); batch norm uses its moving averages, or with `batchStats` each batch of 256's own statistics. */
export async function embedGenerator(
  g: tf.LayersModel,
  suite: FaceSuite,
  batchStats = false,
): Promise<FaceEmbedding> {
  const latentDim = g.inputs[0].shape[1] as number;
  const parts: tf.Tensor4D[] = [];
  const z = sampleLatents(suite.count, latentDim, LATENT_SEED);
  for (let at = 0; at < suite.count; at += 256) {
    const n = Math.min(256, suite.count - at);
    const zi = z.slice([at, 0], [n, latentDim]);
    parts.push(
      batchStats
        ? tf.tidy(() => g.apply(zi, { training: true }) as tf.Tensor4D)
        : sampleImages(g, zi),
    );
    zi.dispose();
  }
  const images = tf.concat(parts);
  tf.dispose([z, ...parts]);
  const e = await embedFaces(suite.net, images);
  images.dispose();
  return e;
}

/** The short form of a control's scores in the bench JSON. */
export type ControlScores = Pick<FaceScores, 'faceFd' | 'precision' | 'recall'>;

/** Scores of every control (and of `untrained`, when given) against the reference set. */
export function scoreControls(
  suite: FaceSuite,
  untrained?: FaceEmbedding,
): Record<string, ControlScores> {
  const out: Record<string, ControlScores> = {};
  const sets: [string, FaceEmbedding][] = Object.entries(suite.controls);
  if (untrained) sets.push(['untrained', untrained]);
  for (const [name, e] of sets) {
    const { faceFd, precision, recall } = scoreFaces(suite.real, e);
    out[name] = { faceFd: round(faceFd), precision, recall };
  }
  return out;
}

function round(v: number): number {
  return Number(v.toFixed(3));
}
