// The shipped Face parts starter: it imports through the normal import path, its card tells the truth,
// it labels the parts of faces it never saw (IoU computed here, not by the app's metric code), and
// Fine-tune trains a copy while the starter stays as shipped.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256, weightsSha256 } from '../../scripts/pretrain/common';
import { FACE_PARTS, renderFace } from '../../src/data/faces';
import { HELD_OUT_FIRST_SEED } from '../../src/data/seg-dataset';
import { parseSessionZip } from '../../src/storage/checkpoints/import';
import { buildEncoder, buildSegmenter } from '../../src/models/segmenter/model';
import type { TrainProgress } from '../../src/shared/protocol';
import type { StarterCard } from '../../src/shared/starters';
import { listSessions, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb } from '../../src/storage/db';
import { createSegApi } from '../../src/workers/segmentation/api';
import { restoreModelWeights } from '../../src/storage/checkpoints/snapshot';
import type { SegSessionConfig } from '../../src/shared/protocol/segmentation';

const DIR = new URL('../../public/starters/segmentation/', import.meta.url);
const zip = new Uint8Array(readFileSync(new URL('session.zip', DIR)));
const card = JSON.parse(readFileSync(new URL('card.json', DIR), 'utf8')) as StarterCard;
const STARTER_URL = 'https://app.test/starters/segmentation/session.zip';
const HELD_OUT = 32;

function parsed() {
  const p = parseSessionZip(zip, 'segmenter', 'session.zip');
  if (!p.ok) throw new Error(p.message);
  return p;
}

/** Per class |pred ∩ truth| / |pred ∪ truth| pooled over every pixel, and their mean over the classes present. */
function iou(pred: Uint8Array, truth: Uint8Array, classes: number) {
  const per = Array.from({ length: classes }, (_, c) => {
    let inter = 0;
    let union = 0;
    for (let i = 0; i < truth.length; i++) {
      const p = pred[i] === c;
      const t = truth[i] === c;
      if (p && t) inter++;
      if (p || t) union++;
    }
    return union ? inter / union : NaN;
  });
  const present = per.filter((v) => !Number.isNaN(v));
  return { per, mean: present.reduce((a, b) => a + b, 0) / present.length };
}

/** The held-out faces' labels and `model`'s argmax labels for them, one face at a time. */
function predictHeldOut(model: tf.LayersModel, size: number) {
  const truth = new Uint8Array(HELD_OUT * size * size);
  const pred = new Uint8Array(HELD_OUT * size * size);
  for (let k = 0; k < HELD_OUT; k++) {
    const face = renderFace(HELD_OUT_FIRST_SEED + k, size);
    truth.set(face.labels, k * size * size);
    const labels = tf.tidy(() => {
      const x = tf.tensor4d(
        Float32Array.from(face.image, (v) => v / 255),
        [1, size, size, 3],
      );
      return tf.argMax(model.predict(x) as tf.Tensor4D, -1);
    });
    pred.set(labels.dataSync(), k * size * size);
    labels.dispose();
  }
  return { truth, pred };
}

function untilStopped() {
  let resolve!: (p: TrainProgress) => void;
  const done = new Promise<TrainProgress>((r) => (resolve = r));
  return { done, onProgress: (p: TrainProgress) => p.state !== 'running' && resolve(p) };
}

describe('Face parts starter', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    // The worker fetches the starter from the app's origin; here that is the file in public/.
    vi.stubGlobal('fetch', async (url: string) =>
      url === STARTER_URL ? new Response(zip.slice()) : new Response('', { status: 404 }),
    );
  });
  afterAll(() => vi.unstubAllGlobals());

  it('imports through the normal import path, and its card matches its weights and steps', () => {
    const { checkpoint, meta } = parsed();
    const config = checkpoint.config as unknown as SegSessionConfig;
    expect(meta.model).toBe('segmenter');
    expect(config.mode).toBe('parts');
    expect(config.model.numClasses).toBe(FACE_PARTS.length);
    expect(checkpoint.step).toBe(card.steps);
    expect(weightsSha256(checkpoint)).toBe(card.weightsSha256);
    expect(card.model).toBe('segmenter');
    expect(card.figures.miouParts).toBeGreaterThan(0);
    // Shipped without optimizer slots: Fine-tune starts a fresh optimizer anyway.
    expect(Object.keys(checkpoint.optimizers)).toEqual([]);
  });

  it(`labels the parts of ${HELD_OUT} held-out faces with mean IoU ≥ 0.7 (untrained: far below)`, () => {
    const { checkpoint } = parsed();
    const config = checkpoint.config as unknown as SegSessionConfig;
    const size = config.model.size;
    const model = buildSegmenter(buildEncoder(config.model));
    const untrained = predictHeldOut(model, size);
    restoreModelWeights(model, checkpoint.weights.segmenter);
    const trained = predictHeldOut(model, size);
    model.dispose();
    const score = iou(trained.pred, trained.truth, FACE_PARTS.length);
    const control = iou(untrained.pred, untrained.truth, FACE_PARTS.length);
    const parts = FACE_PARTS.map((p, i) => `${p} ${score.per[i].toFixed(3)}`).join(', ');
    console.log(
      `starter at step ${card.steps}: held-out mIoU ${score.mean.toFixed(3)} (${parts}); ` +
        `untrained ${control.mean.toFixed(3)}; card miouParts ${card.figures.miouParts.toFixed(3)}`,
    );
    expect(control.mean).toBeLessThan(0.3);
    expect(score.mean).toBeGreaterThanOrEqual(0.7);
  });

  it('predicts at first open, and Fine-tune trains a copy while the starter stays as shipped', async () => {
    const shipped = sha256(zip);
    const factory = new IDBFactory();
    const api = createSegApi({ openDb: () => openAppDb('seg-starter', factory) });
    await api.init('cpu');
    await expect(api.fineTune(() => undefined, 2)).rejects.toThrow(/Open the starter model first/);
    const starter = await api.openStarter(STARTER_URL);
    expect(starter.id).toBe('starter:segmenter');
    const before = await api.predictBuiltIn(0);
    // Parts, not noise (untrained: about 0.002); the quality bar is the test above.
    expect(before.meanIou).toBeGreaterThan(0.3);
    await expect(api.checkpoint()).resolves.toBeNull();

    const run = untilStopped();
    await api.fineTune(run.onProgress, 2);
    const end = await run.done;
    expect(end).toMatchObject({ state: 'paused', step: card.steps + 2 });
    const own = api.status()!.meta;
    expect(own.id).not.toBe(starter.id);
    expect(own.name).toBe('Face parts (fine-tuned)');
    const db = await openAppDb('seg-starter', factory);
    const stored = await loadCheckpoint(db, own.id);
    if (!stored) throw new Error('the fine-tuned copy has no checkpoint');
    expect(weightsSha256(stored)).not.toBe(card.weightsSha256);
    expect(stored.optimizers.adam).toBeDefined();
    expect(stored.config).toMatchObject({ mode: 'parts', evalEvery: 25 });
    // The starter itself: never stored, the shipped file unchanged, and reopened it predicts as before.
    expect((await listSessions(db, 'segmenter')).map((s) => s.id)).toEqual([own.id]);
    expect(sha256(zip)).toBe(shipped);
    expect(weightsSha256(parsed().checkpoint)).toBe(card.weightsSha256);
    await api.openStarter(STARTER_URL);
    expect(api.status()!.meta.id).toBe(starter.id);
    const again = await api.predictBuiltIn(0);
    expect(again.maskPng).toEqual(before.maskPng);
    expect(again.meanIou).toBe(before.meanIou);
  });
});
