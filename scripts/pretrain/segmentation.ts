// The Face parts starter: the app's U-Net in parts mode on the built-in faces, through the app's own
// SegSession (from scratch, the app's augmentation and balanced Dice loss), scored at every save on
// held-out faces the session never trains on: mean IoU over the 8 parts, and the IoU of the head
// (every part but the background merged) as the binary figure.
import { DEFAULT_AUGMENT, type AugmentParams } from '../../src/data/augment';
import { builtInPairs, createSegBatch, faceToPair } from '../../src/data/seg-dataset';
import { FACE_PARTS, renderFace } from '../../src/data/faces';
import { DEFAULT_SEGMENTER } from '../../src/models/segmenter/model';
import { DEFAULT_SEG_TRAIN, evaluateSegmenter, segMetrics } from '../../src/models/segmenter/train';
import { SegSession, TRAIN_POOL } from '../../src/workers/segmentation/session';
import { newSessionMeta } from '../../src/workers/runtime/session-host';
import type { ModelCard, PretrainArgs } from './common';
import { readResume, runFigures, sha256, trainStarter, writeStarter } from './common';
import type { SegSessionConfig } from '../../src/shared/protocol/segmentation';

/** The starter's budget at batch 4 (about 1.5-2 s a step on one core). */
export const SEGMENTATION_DEFAULT_STEPS = 3000;
/** Held-out faces of the card's figures (the session itself scores 32). */
const CARD_HELD_OUT = 128;
/** No movement: the faces as rendered. */
const NO_AUGMENT: AugmentParams = {
  ...DEFAULT_AUGMENT,
  rotationRange: 0,
  widthShiftRange: 0,
  heightShiftRange: 0,
  shearRange: 0,
  zoomRange: 0,
  horizontalFlip: false,
};

/** Held-out parts mean IoU, per-part IoU and the merged head's IoU of `session`'s segmenter. */
export async function partsFigures(session: SegSession, count = CARD_HELD_OUT) {
  const size = session.config.model.size;
  const batch = createSegBatch(builtInPairs('parts', 'heldOut', 0, count, size));
  const r = await evaluateSegmenter(session.segmenter, batch, FACE_PARTS.length);
  const head = (labels: Uint8Array) => labels.map((l) => (l === 0 ? 0 : 1));
  const binary = segMetrics(head(r.predicted), head(batch.labels), 2);
  return {
    miouParts: r.meanIou,
    iouBinary: binary.iou[1],
    pixelAccuracy: r.pixelAccuracy,
    ...Object.fromEntries(FACE_PARTS.map((p, i) => [`iou_${p}`, r.iou[i]])),
  };
}

/** Trains (or continues) the Face parts starter; writes the zip and card every `saveEvery` steps. */
export async function pretrainSegmentation(args: PretrainArgs, backend: string): Promise<void> {
  const prev = readResume(args, 'segmenter');
  const config: SegSessionConfig = prev
    ? (prev.checkpoint.config as unknown as SegSessionConfig)
    : {
        mode: 'parts',
        model: { ...DEFAULT_SEGMENTER, numClasses: FACE_PARTS.length, seed: args.seed },
        // Batch 4 learned more per example than 8 (bench/segmenter.ts); the rate drops a tenth for the
        // last fifth so the weights settle.
        train: { ...DEFAULT_SEG_TRAIN, batchSize: 4, lrDropStep: Math.round(args.steps * 0.8) },
        augment: { ...DEFAULT_AUGMENT },
        pretrainTask: null,
        pretrainSteps: 0,
        frozenSteps: 0,
        evalEvery: 1_000_000,
        dataSeed: args.seed,
      };
  const session = prev
    ? await SegSession.restore(prev.meta, prev.checkpoint)
    : SegSession.create(
        newSessionMeta('segmenter', 'Face parts (starter)', 'Built-in faces, parts'),
        config,
      );
  const start = performance.now();
  console.log(
    `segmentation: ${JSON.stringify(config.train)} from step ${session.stepCount} to ${args.steps} on ${backend}`,
  );
  // The augmentation of the card's recipe (a resumed run past --clean-from has none in its config).
  const augment = (prev?.card.recipe.augment as AugmentParams | undefined) ?? config.augment;
  const cleanFrom = args.cleanFrom ?? (prev?.card.recipe.cleanFromStep as number | undefined);
  const pool = Array.from({ length: TRAIN_POOL }, (_, i) =>
    faceToPair(renderFace(config.dataSeed + 1 + i, config.model.size), 'parts'),
  );
  const save = async (): Promise<void> => {
    const ckpt = await session.toCheckpoint();
    const losses = session.history.map((h) => h.metrics.loss);
    const figures = await partsFigures(session);
    const card: ModelCard = {
      model: 'segmenter',
      name: 'Face parts (starter)',
      description:
        'A U-Net that labels the 8 parts of a 64x64 face: background, skin, hair, eyes, brows, nose, mouth, glasses.',
      data: {
        name: `${TRAIN_POOL} built-in procedural faces, parts masks`,
        sha256: sha256(Buffer.concat(pool.map((p) => Buffer.from(p.labels)))),
        source: `renderFace(${config.dataSeed + 1} … ${config.dataSeed + TRAIN_POOL}, ${config.model.size})`,
      },
      recipe: {
        ...config.model,
        ...config.train,
        augment,
        ...(cleanFrom === undefined ? {} : { cleanFromStep: cleanFrom }),
      },
      ...runFigures(
        session,
        ckpt,
        losses,
        (prev?.card.seconds ?? 0) + (performance.now() - start) / 1000,
        args,
        backend,
      ),
      figures,
    };
    const bytes = writeStarter(args, session.meta, ckpt, card);
    console.log(
      `saved step ${card.steps} loss ${card.finalLoss.toFixed(3)} ${JSON.stringify(figures)} ${bytes} bytes, ${card.seconds} s`,
    );
  };
  await trainStarter(args, {
    session,
    metric: 'loss',
    step: () => {
      // The session reads config.augment at every batch, so this switches it to the faces as they
      // are rendered, as the held-out ones are: after 4,000 augmented steps, 800 such steps raised
      // held-out mIoU from 0.746 to 0.797, and on moved held-out faces from 0.723 to 0.743.
      if (cleanFrom !== undefined && session.stepCount >= cleanFrom) config.augment = NO_AUGMENT;
      return session.step().loss;
    },
    save,
  });
  session.dispose();
}
