// The picture the face metric is read against: a generator's 8x8 grid beside 64 real faces and the
// same faces as each control shows them. Panels, left to right and top to bottom: generated, real,
// blurred σ = 1, parts painted over, 8-px blocks shuffled, mean colour.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { renderFace } from '../src/data/faces';
import { encodePng, gridImage, upscale } from '../src/data/png';
import { imagesToRgb, sampleImages, sampleLatents } from '../src/models/gan/model';
import {
  blurImage,
  meanColour,
  paintOverParts,
  shuffleBlocks,
} from '../src/models/gan/face-controls';

/** Seeds of the real faces shown (the face suite's control set). */
const FIRST = 200_000;

/** Writes the generated-vs-real-vs-controls figure of `g` (fixed latents, seed 42) to `out`. */
export async function writeControlsFigure(g: tf.LayersModel, out: string): Promise<void> {
  const [latentDim, size] = [g.inputs[0].shape[1] as number, g.outputs[0].shape[1] as number];
  const z = sampleLatents(64, latentDim, 42);
  const images = sampleImages(g, z);
  const generated = await imagesToRgb(images);
  tf.dispose([z, images]);
  const faces = Array.from({ length: 64 }, (_, i) => renderFace(FIRST + i, size));
  const real = faces.map((f) => f.image);
  const sets = [
    generated,
    real,
    real.map((im) => blurImage(im, size, 1)),
    faces.map((f, i) => paintOverParts(f, FIRST + i)),
    real.map((im, i) => shuffleBlocks(im, size, 8, i + 1)),
    real.map(meanColour),
  ];
  const panels = sets.map((set) => gridImage(set, size, 8, 1));
  const side = panels[0].width;
  const figure = gridImage(
    panels.map((p) => p.data),
    side,
    3,
    12,
  );
  const big = upscale(figure, size === 32 ? 2 : 1);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodePng(big.data, big.width, big.height, 3));
}
