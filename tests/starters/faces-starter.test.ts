// The shipped Faces starter: it imports through the normal path, its card matches its weights, and
// the face metric (a few hundred faces, so the test stays short) puts it ahead of the controls a
// person would call "not a face": parts painted over and blocks shuffled.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFaceNet } from '../../bench/face-net';
import { weightsSha256 } from '../../scripts/pretrain/common';
import { parseSessionZip } from '../../src/storage/checkpoints/import';
import { buildGenerator, type GanConfig } from '../../src/models/gan/model';
import { scoreFaces } from '../../src/models/gan/face-metric';
import { buildFaceSuite, embedGenerator, scoreControls } from '../../src/models/gan/face-suite';
import type { StarterCard } from '../../src/shared/starters';
import { restoreModel } from '../../src/storage/checkpoints/snapshot';

const DIR = new URL('../../public/starters/faces/', import.meta.url);
const zip = new Uint8Array(readFileSync(new URL('session.zip', DIR)));
const card = JSON.parse(readFileSync(new URL('card.json', DIR), 'utf8')) as StarterCard;

describe('Faces starter', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('imports through the normal path, and its card matches its weights and steps', () => {
    const parsed = parseSessionZip(zip, 'gan', 'session.zip');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.checkpoint.step).toBe(card.steps);
    expect(weightsSha256(parsed.checkpoint)).toBe(card.weightsSha256);
    expect(Object.keys(parsed.checkpoint.optimizers)).toEqual([]);
  });

  it('beats the painted-over, block-shuffled, mean-colour and untrained controls on the face metric (256 faces)', async () => {
    const parsed = parseSessionZip(zip, 'gan');
    if (!parsed.ok) throw new Error(parsed.message);
    const ckpt = parsed.checkpoint;
    const cfg = (ckpt.config as { model: GanConfig }).model;
    const g = await restoreModel(ckpt.topologies.generator, ckpt.weights.generator);
    const suite = await buildFaceSuite(await loadFaceNet(), cfg.imageSize, 256);
    const scores = scoreFaces(suite.real, await embedGenerator(g, suite));
    const untrainedG = buildGenerator(cfg, 1);
    const controls = scoreControls(suite, await embedGenerator(untrainedG, suite));
    untrainedG.dispose();
    console.log(
      `faces starter faceFd ${scores.faceFd.toFixed(1)}, controls ${JSON.stringify(controls)}`,
    );
    expect(scores.faceFd).toBeLessThan(controls.paintedOver.faceFd);
    expect(scores.faceFd).toBeLessThan(controls.blockShuffled.faceFd);
    expect(scores.faceFd).toBeLessThan(controls.meanColour.faceFd);
    expect(scores.faceFd).toBeLessThan(controls.untrained.faceFd / 2);
    g.dispose();
  });
});
