import { transfer } from 'comlink';
import type { ReactiveControllerHost } from 'lit';
import type { TrainProgress } from '../shared/protocol';
import type { SegApi } from '../workers/segmenter.worker';
import type { NewSegSession } from '../workers/seg-api';
import type { ImportPairsResult } from '../workers/seg-pairs';
import type { ImportPairsDetail, StoredPairs } from './seg-dataset-picker';
import type { PredictionView } from './seg-predict';
import { SessionController } from './session-controller';
import { segWorker } from './worker-clients';

/** The newest held-out scores with the overlay images. */
export type SegEvalView = NonNullable<Awaited<ReturnType<SegApi['latestEval']>>>;

/** State and actions of the Segmentation tab; all training happens in the segmenter worker. */
export class SegController extends SessionController<SegApi> {
  latest: SegEvalView | null = null;
  phase = '';
  trainableParams = 0;
  classes: string[] = [];
  preview: Uint8Array | null = null;
  /** The last import's outcome (count, preview, problems), kept while it is the chosen dataset. */
  imported: ImportPairsResult | null = null;
  storedPairs: StoredPairs[] = [];
  prediction: PredictionView | null = null;
  /** The loaded session's imported dataset name; '' for built-in faces. */
  importedName = '';

  constructor(host: ReactiveControllerHost) {
    super(host, 'segmenter', segWorker);
  }

  /** Creates a new staged segmentation session and starts training. */
  async train(req: NewSegSession): Promise<void> {
    await this.guard('Rendering faces and building the U-Net…', async () => {
      this.current = await this.worker().startNew(req, this.onProgress);
      this.running = true;
      await this.afterLoad();
      await this.refresh();
    });
  }

  override async init(): Promise<void> {
    await super.init();
    if (this.backend) await this.refreshStoredPairs();
  }

  private async refreshStoredPairs(): Promise<void> {
    this.storedPairs = await this.worker().importedDatasets();
    this.update();
  }

  /** Reads the picked files, has the worker check and store the pairs, and resolves to the stored id (null when none loaded). */
  async importPairs(d: ImportPairsDetail): Promise<string | null> {
    let id: string | null = null;
    await this.guard('Reading and checking the image/mask pairs…', async () => {
      const read = async (f: File) => ({
        name: f.webkitRelativePath || f.name,
        bytes: new Uint8Array(await f.arrayBuffer()),
      });
      let result: ImportPairsResult;
      if (d.zip) {
        const bytes = new Uint8Array(await d.zip.arrayBuffer());
        result = await this.worker().importPairs(
          transfer(bytes, [bytes.buffer]),
          d.numClasses,
          d.maskFormat,
          d.zip.name,
        );
      } else {
        const images = await Promise.all(d.images.map(read));
        const masks = await Promise.all(d.masks.map(read));
        const buffers = [...images, ...masks].map((f) => f.bytes.buffer);
        const first = d.images[0];
        const name = first.webkitRelativePath
          ? first.webkitRelativePath.split('/')[0]
          : `${d.images.length} images`;
        result = await this.worker().importPairs(
          transfer({ images, masks }, buffers),
          d.numClasses,
          d.maskFormat,
          name,
        );
      }
      this.imported = result;
      id = result.id;
      if (id) await this.refreshStoredPairs();
    });
    return id;
  }

  /** Deletes a stored import and forgets its result. */
  async deleteImportedPairs(id: string): Promise<void> {
    await this.guard('', async () => {
      await this.worker().deleteImportedPairs(id);
      if (this.imported?.id === id) this.imported = null;
      await this.refreshStoredPairs();
    });
  }

  /** Predicts the loaded model's mask for one picked image. */
  async predict(file: File): Promise<void> {
    await this.guard(`Predicting the mask of ${file.name}…`, async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const p = await this.worker().predict(transfer(bytes, [bytes.buffer]), file.name);
      this.prediction = { name: file.name, imagePng: p.imagePng, maskPng: p.maskPng };
    });
  }

  protected override async afterLoad(): Promise<void> {
    this.latest = null;
    this.prediction = null;
    await this.refreshInfo();
  }

  private async refreshInfo(): Promise<void> {
    const info = await this.worker().info();
    this.phase = info.phase;
    this.trainableParams = info.trainableParams;
    this.classes = info.classes;
    this.importedName = info.config.imported?.name ?? '';
  }

  protected override onProgressExtra(p: TrainProgress): void {
    void (async () => {
      await this.refreshInfo();
      const next = await this.worker().latestEval(this.latest?.step ?? -1);
      if (next && p.sessionId === this.current?.id) this.latest = next;
      this.update();
    })();
  }

  /** Shows one face and its mask under 8 random augmentations with `params`. */
  async previewAugmentation(
    params: NewSegSession['augment'],
    mode: NewSegSession['mode'],
  ): Promise<void> {
    await this.guard('', async () => {
      this.preview = await this.worker().augmentationPreview(params ?? {}, mode);
    });
  }
}
