// The face metric must see faces: spoiled real faces score in the order a person would rank them,
// with clear gaps, and precision/recall behave at their two ends.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFaceNet } from '../../../bench/face-net';
import { renderFace } from '../../../src/data/faces';
import { blurImage, paintOverParts, shuffleBlocks } from '../../../src/models/gan/face-controls';
import { precisionRecall } from '../../../src/models/gan/face-metric';
import { buildFaceSuite, scoreControls, type FaceSuite } from '../../../src/models/gan/face-suite';
import { useBackend } from '../../helpers/backends';

describe('face metric', () => {
  let suite: FaceSuite;
  beforeAll(async () => {
    await useBackend('cpu');
    suite = await buildFaceSuite(await loadFaceNet(), 32, 256);
  });

  it('orders real < blur σ1 < painted-over and block-shuffled < mean colour, with clear gaps', () => {
    const s = scoreControls(suite);
    const fd = (k: string): number => s[k].faceFd;
    // Blur is tolerated on purpose (a person still sees the face, and generated faces are soft),
    // but it still counts, and more of it counts more.
    expect(fd('realVsReal')).toBeLessThan(fd('blur1'));
    expect(fd('blur1')).toBeLessThan(fd('blur2'));
    // Missing eyes and mouth, or no face layout, are far worse than blur.
    expect(fd('blur1') * 4).toBeLessThan(fd('paintedOver'));
    expect(fd('blur1') * 4).toBeLessThan(fd('blockShuffled'));
    expect(Math.max(fd('paintedOver'), fd('blockShuffled')) * 2).toBeLessThan(fd('meanColour'));
    // Real faces lie on the real manifold; shuffled and mean-coloured ones do not.
    expect(s.realVsReal.precision).toBeGreaterThan(0.8);
    expect(s.realVsReal.recall).toBeGreaterThan(0.8);
    for (const spoiled of [s.blockShuffled, s.meanColour]) {
      expect(spoiled.precision).toBeLessThan(0.35);
      expect(spoiled.recall).toBeLessThan(0.3);
    }
  });

  it('keeps that order on 64 px faces (average-pooled to the 32 px of the net)', async () => {
    const big = await buildFaceSuite(suite.net, 64, 128);
    const s = scoreControls(big);
    const fd = (k: string): number => s[k].faceFd;
    expect(fd('realVsReal')).toBeLessThan(fd('blur1'));
    expect(fd('blur1')).toBeLessThan(Math.min(fd('paintedOver'), fd('blockShuffled')));
    expect(Math.max(fd('paintedOver'), fd('blockShuffled'))).toBeLessThan(fd('meanColour'));
  });

  it('finds that a collapsed set has precision but no recall', () => {
    const features = new Float32Array(64 * 96);
    for (let i = 0; i < 64; i++) features.set(suite.real.features.subarray(0, 96), i * 96);
    const collapsed = { n: 64, features, heads: suite.real.heads.slice(0, 64) };
    const pr = precisionRecall(suite.real, collapsed);
    expect(pr.precision).toBe(1);
    expect(pr.recall).toBeLessThan(0.05);
  });

  it('makes controls that change what they should and keep the rest', () => {
    const face = renderFace(200_000, 64);
    const painted = paintOverParts(face, 200_000);
    const changed = painted.filter((v, i) => v !== face.image[i]).length;
    expect(changed).toBeGreaterThan(100);
    const shuffled = shuffleBlocks(face.image, 64, 16, 1);
    const sum = (a: Uint8ClampedArray): number => a.reduce((p, q) => p + q, 0);
    expect(sum(shuffled)).toBe(sum(face.image));
    expect(blurImage(face.image, 64, 1)).not.toEqual(face.image);
    expect(tf.memory().numTensors).toBeLessThan(100);
  });
});
