// The GAN's face quality: faceFd, precision, recall and the attribute mix of 1,024 generated faces
// against 1,024 real ones in the face-feature net's space, with the controls of the same run
// (src/models/gan/face-suite.ts). `npm run bench -- gan --eval <session.zip>` scores a saved
// generator without training.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { parseSessionZip } from '../src/storage/checkpoints/import';
import { buildGenerator, type GanConfig } from '../src/models/gan/model';
import { scoreFaces } from '../src/models/gan/face-metric';
import {
  buildFaceSuite,
  embedGenerator,
  scoreControls,
  type FaceSuite,
} from '../src/models/gan/face-suite';
import { restoreModel } from '../src/storage/checkpoints/snapshot';
import { loadFaceNet } from './face-net';

/** Faces per set: the 1,024 (GAN_EVAL_COUNT overrides, e.g. for a quick look). */
export const EVAL_FACES = Number(process.env.GAN_EVAL_COUNT ?? 1024);

const suites = new Map<number, FaceSuite>();

/** The reference set and controls at `size` px, built once per process. */
export async function faceSuite(size: number): Promise<FaceSuite> {
  let suite = suites.get(size);
  if (!suite) {
    suite = await buildFaceSuite(await loadFaceNet(), size, EVAL_FACES);
    suites.set(size, suite);
  }
  return suite;
}

/** The bench record of generator `g` at config `cfg`: its figures and every control's, untrained generator included. */
export async function faceQuality(g: tf.LayersModel, cfg: GanConfig) {
  const suite = await faceSuite(cfg.imageSize);
  const untrainedG = buildGenerator(cfg, 1);
  const untrained = await embedGenerator(untrainedG, suite);
  untrainedG.dispose();
  const scores = scoreFaces(suite.real, await embedGenerator(g, suite));
  return {
    faceFd: Number(scores.faceFd.toFixed(3)),
    precision: scores.precision,
    recall: scores.recall,
    attributeTvMax: scores.attributeTvMax,
    attributeTv: scores.attributeTv,
    controls: scoreControls(suite, untrained),
  };
}

/** Scores the generator of an exported session (or a starter) with the controls. */
export async function evalSessionZip(path: string) {
  await tf.setBackend('cpu');
  const parsed = parseSessionZip(new Uint8Array(readFileSync(path)), 'gan', path);
  if (!parsed.ok) throw new Error(parsed.message);
  const ckpt = parsed.checkpoint;
  const cfg = (ckpt.config as { model: GanConfig }).model;
  const net = ckpt.topologies.generatorEma ? 'generatorEma' : 'generator';
  const g = await restoreModel(ckpt.topologies[net], ckpt.weights[net]);
  const t0 = performance.now();
  const quality = await faceQuality(g, cfg);
  g.dispose();
  return {
    session: path,
    step: ckpt.step,
    network: net,
    config: cfg,
    ...quality,
    seconds: (performance.now() - t0) / 1000,
  };
}
