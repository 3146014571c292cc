// "Predict a built-in face": a held-out procedural face (its seed is at or above HELD_OUT_FIRST_SEED,
// so no session ever trained on it), the loaded model's mask for it, and how well that mask matches
// the face's own, so a person sees the model at work without a photo of their own.
import { renderFace } from '../../data/faces';
import { encodePng } from '../../data/png';
import { faceToPair, HELD_OUT_FIRST_SEED } from '../../data/seg-dataset';
import { predictLabels, segMetrics } from '../../models/segmenter/train';
import { maskRgba } from './pairs';
import type { SegSession } from './session';
import type { BuiltInPrediction } from '../../shared/protocol/segmentation';

/** How many held-out faces "Predict a built-in face" can show (index 0 to this minus 1). */
export const BUILT_IN_FACES = 1_000_000;

/** Renders held-out face number `index`, predicts its mask with `session`'s U-Net and scores it. */
export async function predictBuiltInFace(
  session: SegSession,
  index: number,
): Promise<BuiltInPrediction> {
  if (!Number.isInteger(index) || index < 0 || index >= BUILT_IN_FACES)
    throw new Error(`A built-in face is numbered from 0 to ${BUILT_IN_FACES - 1}.`);
  const { size, numClasses } = session.config.model;
  const pair = faceToPair(renderFace(HELD_OUT_FIRST_SEED + index, size), session.config.mode);
  const input = Float32Array.from(pair.image, (v) => v / 255);
  const labels = await predictLabels(session.segmenter, input, 1, size);
  const scored = session.config.imported ? null : segMetrics(labels, pair.labels, numClasses);
  return {
    name: `held-out face ${index + 1}`,
    imagePng: encodePng(pair.image, size, size, 3),
    maskPng: encodePng(maskRgba(labels, size), size, size, 4),
    meanIou: scored ? scored.meanIou : null,
  };
}
