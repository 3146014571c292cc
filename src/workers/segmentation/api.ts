import type { AugmentParams } from '../../data/augment';
import {
  DEFAULT_AUGMENT,
  augmentPair,
  randomTransform,
  validateAugmentParams,
} from '../../data/augment';
import { FACE_PARTS, renderFace } from '../../data/faces';
import { encodePng, gridImage } from '../../data/png';
import type { SegMode } from '../../data/seg-dataset';
import { faceToPair } from '../../data/seg-dataset';
import { HEAD_TABLE } from '../../models/heads';
import { DEFAULT_SEGMENTER } from '../../models/segmenter/model';
import { DEFAULT_SEG_TRAIN, MAX_DICE_WEIGHT } from '../../models/segmenter/train';
import type { SessionMeta, TrainProgress } from '../../shared/protocol';
import { Rng } from '../../shared/rng';
import type { AppDatabase } from '../../storage/db';
import { deleteSegDataset, listSegDatasets } from '../../storage/seg-datasets';
import { importSegPairs, loadImportedPairs, maskRgba, predictImage } from './pairs';
import { predictBuiltInFace } from './face-predict';
import type { SegData } from './session';
import { SegSession } from './session';
import { createSessionHost, newSessionMeta } from '../runtime/session-host';
import type {
  MaskFormat,
  NewSegSession,
  PairSource,
  SegEval,
  SegSessionConfig,
} from '../../shared/protocol/segmentation';

/** Class names of an imported dataset: its mask values, 0 being the background. */
function importedClasses(numClasses: number): string[] {
  return Array.from({ length: numClasses }, (_, k) => (k === 0 ? 'background (0)' : `class ${k}`));
}

/** Builds the segmenter worker API: staged training, held-out scores, overlays and augmentation previews. */
export function createSegApi(deps: { openDb?: () => Promise<AppDatabase> } = {}) {
  const host = createSessionHost<SegSession>({
    model: 'segmenter',
    openDb: deps.openDb,
    restore: async (meta, ckpt, db) => {
      const cfg = ckpt.config as unknown as SegSessionConfig;
      const data = cfg.imported
        ? await loadImportedPairs(db, cfg.imported, cfg.dataSeed)
        : undefined;
      return SegSession.restore(meta, ckpt, data);
    },
  });
  const loaded = () => host.loaded();

  return {
    ...host.api,

    /** Creates a session (pretraining first when a task is chosen) and starts training. */
    async startNew(
      req: NewSegSession,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      const augment = { ...DEFAULT_AUGMENT, ...req.augment };
      const problem = validateAugmentParams(augment);
      if (problem) throw new Error(problem);
      const train = {
        ...DEFAULT_SEG_TRAIN,
        ...(req.learningRate !== undefined ? { learningRate: req.learningRate } : {}),
        ...(req.finetuneDivisor !== undefined ? { finetuneDivisor: req.finetuneDivisor } : {}),
        ...(req.topK !== undefined ? { topK: req.topK } : {}),
        ...(req.batchSize !== undefined ? { batchSize: req.batchSize } : {}),
        ...(req.balanceClasses !== undefined ? { balanceClasses: req.balanceClasses } : {}),
        ...(req.lrDropStep !== undefined ? { lrDropStep: req.lrDropStep } : {}),
        ...(req.diceWeight !== undefined ? { diceWeight: req.diceWeight } : {}),
      };
      if (!(train.learningRate > 0 && train.learningRate <= 1))
        throw new Error('The learning rate must be a number above 0 (at most 1).');
      if (!(train.finetuneDivisor >= 1))
        throw new Error('The fine-tuning divisor must be a number of at least 1.');
      if (!Number.isInteger(train.batchSize) || train.batchSize < 1 || train.batchSize > 256) {
        throw new Error('The batch size must be a whole number from 1 to 256.');
      }
      const drop = train.lrDropStep ?? 0;
      if (!Number.isInteger(drop) || drop < 0 || drop > 1e7) {
        throw new Error('The step of the learning-rate drop must be a whole number (0: never).');
      }
      const dice = train.diceWeight ?? 0;
      if (!(dice >= 0 && dice <= MAX_DICE_WEIGHT)) {
        throw new Error(`The Dice loss weight must be a number from 0 to ${MAX_DICE_WEIGHT}.`);
      }
      const blocks = DEFAULT_SEGMENTER.filters.length;
      if (!Number.isInteger(train.topK) || train.topK < 0 || train.topK > blocks) {
        throw new Error(`The unfrozen blocks must be a whole number from 0 to ${blocks}.`);
      }
      const seed = req.seed ?? (Math.random() * 1e6) >>> 0;
      let data: SegData | undefined;
      let imported: SegSessionConfig['imported'];
      let numClasses = req.mode === 'binary' ? 2 : FACE_PARTS.length;
      if (req.importedId) {
        const ref = { id: req.importedId, name: '' };
        const loadedPairs = await loadImportedPairs(await host.db(), ref, seed);
        const ds = loadedPairs.dataset;
        if (ds.size !== DEFAULT_SEGMENTER.size) {
          throw new Error(
            `“${ds.name}” was stored at ${ds.size}x${ds.size}; this model takes ${DEFAULT_SEGMENTER.size}x${DEFAULT_SEGMENTER.size}: import it again.`,
          );
        }
        data = loadedPairs;
        numClasses = ds.numClasses;
        imported = { id: ds.id, name: ds.name, classes: importedClasses(ds.numClasses) };
      }
      const config: SegSessionConfig = {
        mode: req.mode,
        model: { ...DEFAULT_SEGMENTER, numClasses, seed },
        train,
        augment,
        pretrainTask: req.pretrainTask,
        pretrainSteps: req.pretrainSteps ?? 200,
        frozenSteps: req.frozenSteps ?? 200,
        evalEvery: req.evalEvery ?? 25,
        dataSeed: seed,
        ...(imported ? { imported } : {}),
      };
      const what = imported ? imported.name : req.mode;
      const meta = newSessionMeta(
        'segmenter',
        `Segmenter (${what}${req.pretrainTask ? `, pretrained on ${req.pretrainTask}` : ', from scratch'})`,
        imported ? `Imported pairs, ${imported.name}` : `Built-in faces, ${req.mode}`,
      );
      return host.begin(SegSession.create(meta, config, data), onProgress, maxSteps);
    },

    /** Copies the loaded starter into a new session (its U-Net, a fresh optimizer) that trains on new built-in faces with the starter's recipe. */
    async fineTune(
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      const ckpt = await host.starterCheckpoint();
      const config = ckpt.config as unknown as SegSessionConfig;
      const seed = (Math.random() * 1e6) >>> 0;
      // The starter scores held-out faces only for its card; a person's copy shows them as it trains.
      const own: SegSessionConfig = { ...config, dataSeed: seed, evalEvery: 25 };
      const name = (host.current()?.meta.name ?? 'Segmenter').replace(' (starter)', '');
      const meta = newSessionMeta(
        'segmenter',
        `${name} (fine-tuned)`,
        `Built-in faces, ${config.mode}`,
      );
      const copy = host.starterCopy(ckpt, meta, seed, own);
      return host.begin(await SegSession.restore(meta, copy), onProgress, maxSteps);
    },

    /** Checks a .zip (or two file lists) of image/mask pairs, stores the good pairs at the model size and lists the rest with reasons. */
    async importPairs(
      source: PairSource,
      numClasses: number,
      maskFormat: MaskFormat,
      name = source instanceof Uint8Array ? 'pairs.zip' : 'picked files',
    ) {
      return importSegPairs(await host.db(), source, {
        numClasses,
        maskFormat,
        size: DEFAULT_SEGMENTER.size,
        name,
      });
    },

    /** The imported datasets stored on this device, without their pixels. */
    async importedDatasets() {
      return (await listSegDatasets(await host.db())).map(({ id, name, count, numClasses }) => ({
        id,
        name,
        count,
        numClasses,
      }));
    },

    /** Deletes a stored import; sessions trained on it can no longer be resumed. */
    async deleteImportedPairs(id: string): Promise<void> {
      await deleteSegDataset(await host.db(), id);
    },

    /** The loaded session's predicted mask for one image file, as PNGs of the resized image and its RGBA overlay, and labels `[size, size]`. */
    async predict(bytes: Uint8Array, name: string) {
      const s = loaded();
      return predictImage(s.segmenter, s.config.model.size, bytes, name);
    },

    /** Predicts held-out built-in face number `index` with the loaded model, scored against the face's own mask. */
    async predictBuiltIn(index: number) {
      return predictBuiltInFace(loaded(), index);
    },

    /** The head table (task → last activation → loss) every head is checked against. */
    headTable() {
      return HEAD_TABLE;
    },

    /** Phase, trainable parameter counts and class names of the loaded session. */
    info() {
      const s = loaded();
      return {
        phase: s.phase(),
        trainableParams: s.trainableParams(),
        classes: [...s.classes()],
        config: s.config,
      };
    },

    /** The newest held-out evaluation after `afterStep`, with PNGs of images and predicted masks for the overlay. */
    async latestEval(
      afterStep: number,
    ): Promise<
      (Omit<SegEval, 'predicted'> & { imagePng: Uint8Array; maskPng: Uint8Array }) | null
    > {
      const s = host.current();
      if (!s) return null;
      await s.flushEvals();
      const e = s.evals.at(-1);
      if (!e || e.step <= afterStep) return null;
      const size = s.config.model.size;
      const n = Math.min(8, s.heldOut.count);
      const images = Array.from({ length: n }, (_, k) => {
        const rgb = new Uint8ClampedArray(size * size * 3);
        for (let i = 0; i < rgb.length; i++)
          rgb[i] = Math.round(s.heldOut.images[k * size * size * 3 + i] * 255);
        return rgb;
      });
      const grid = gridImage(images, size, Math.min(4, n), 0);
      const masks = Array.from({ length: n }, (_, k) =>
        maskRgba(e.predicted.subarray(k * size * size, (k + 1) * size * size), size),
      );
      const maskGrid = gridRgba(masks, size, Math.min(4, n));
      return {
        step: e.step,
        pixelAccuracy: e.pixelAccuracy,
        meanIou: e.meanIou,
        iou: e.iou,
        imagePng: encodePng(grid.data, grid.width, grid.height, 3),
        maskPng: encodePng(maskGrid.data, maskGrid.width, maskGrid.height, 4),
      };
    },

    /** One built-in face and its mask under 8 random augmentations (the first untouched), as one PNG of two rows. */
    augmentationPreview(params: Partial<AugmentParams>, mode: SegMode, seed = 7): Uint8Array {
      const p = { ...DEFAULT_AUGMENT, ...params };
      const problem = validateAugmentParams(p);
      if (problem) throw new Error(problem);
      const pair = faceToPair(renderFace(seed), mode);
      const rng = new Rng(seed);
      const images: Uint8ClampedArray[] = [];
      const masks: Uint8ClampedArray[] = [];
      for (let k = 0; k < 8; k++) {
        const m = randomTransform(p, rng, pair.size);
        const moved =
          k === 0
            ? { image: pair.image, mask: pair.labels }
            : augmentPair(pair.image, 3, pair.labels, pair.size, m);
        images.push(Uint8ClampedArray.from(moved.image));
        const rgba = maskRgba(Uint8Array.from(moved.mask), pair.size);
        const rgb = new Uint8ClampedArray(pair.size * pair.size * 3);
        for (let i = 0; i < pair.size * pair.size; i++)
          rgb.set(rgba.subarray(i * 4, i * 4 + 3), i * 3);
        masks.push(rgb);
      }
      const grid = gridImage([...images, ...masks], pair.size, 8, 1);
      return encodePng(grid.data, grid.width, grid.height, 3);
    },
  };
}

function gridRgba(images: Uint8ClampedArray[], size: number, cols: number) {
  const rows = Math.ceil(images.length / cols);
  const width = cols * size;
  const data = new Uint8ClampedArray(width * rows * size * 4);
  images.forEach((img, k) => {
    const ox = (k % cols) * size;
    const oy = Math.floor(k / cols) * size;
    for (let y = 0; y < size; y++)
      data.set(img.subarray(y * size * 4, (y + 1) * size * 4), ((oy + y) * width + ox) * 4);
  });
  return { data, width, height: rows * size };
}
