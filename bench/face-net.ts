// Loads the committed face-feature net from disk (Node only: benches, scripts and tests).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { loadFaceFeatureNet } from '../src/models/gan/face-metric';

const DIR = fileURLToPath(new URL('../src/models/gan/face-features/', import.meta.url));

/** The frozen face-feature net of the face metric. */
export async function loadFaceNet(dir = DIR): Promise<tf.LayersModel> {
  const bytes = readFileSync(`${dir}/weights.bin`);
  const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return loadFaceFeatureNet(readFileSync(`${dir}/model.json`, 'utf8'), weights);
}
