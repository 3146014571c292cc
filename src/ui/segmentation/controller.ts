import { transfer } from 'comlink';
import type { ReactiveControllerHost } from 'lit';
import type { TrainProgress } from '../../shared/protocol';
import { starterUrl } from '../../shared/starters';
import type { SegApi } from '../../shared/protocol/apis';
import type { ImportPairsDetail, StoredPairs } from './dataset-picker';
import type { PredictionView } from './predict-card';
import { SessionController } from '../session/controller';
import { segWorker } from '../session/worker-client';
import type { ImportPairsResult, NewSegSession } from '../../shared/protocol/segmentation';

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
  /** The held-out built-in face the next "Predict a built-in face" shows: a different one each press. */
  private nextFace = 0;

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

  /** Copies the starter into a new session and trains it on new built-in faces. */
  async fineTune(): Promise<void> {
    await this.guard('Copying the starter and rendering the faces…', async () => {
      const worker = this.worker();
      if (!this.starterLoaded)
        await worker.openStarter(starterUrl('segmenter', 'session.zip', document.baseURI));
      this.current = await worker.fineTune(this.onProgress);
      this.running = true;
      await this.afterLoad();
      await this.refresh();
    });
  }

  /** Which model Predict uses: the loaded session, else the starter, else the newest saved session. */
  get predictSource(): string {
    if (this.starterLoaded || (!this.current && this.starter))
      return `With the starter model: ${this.current?.name ?? this.starter?.name}.`;
    const s = this.current ?? this.sessions[0];
    if (s) return `With ${s.name}, step ${s.step.toLocaleString('en-US')}.`;
    return 'Train a segmentation session first: there is no model to predict with yet.';
  }

  // Like Text's Sample: with nothing loaded, Predict loads the starter (or, without one, the newest session).
  private async ensureModel(): Promise<void> {
    if (this.current) return;
    const worker = this.worker();
    const newest = this.sessions[0]?.id;
    if (this.starter)
      this.current = await worker.openStarter(
        starterUrl('segmenter', 'session.zip', document.baseURI),
      );
    else if (newest) this.current = await worker.open(newest);
    else throw new Error('Train a segmentation session first: there is no model to predict with.');
    await this.restoreStatus();
    await this.afterLoad();
  }

  /** Predicts the loaded model's mask for the next held-out built-in face. */
  async predictBuiltIn(): Promise<void> {
    await this.guard('Predicting a built-in face…', async () => {
      await this.ensureModel();
      this.prediction = await this.worker().predictBuiltIn(this.nextFace);
      this.nextFace++;
    });
  }

  /** Predicts the loaded model's mask for one picked image. */
  async predict(file: File): Promise<void> {
    await this.guard(`Predicting the mask of ${file.name}…`, async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      await this.ensureModel();
      const p = await this.worker().predict(transfer(bytes, [bytes.buffer]), file.name);
      this.prediction = { name: file.name, imagePng: p.imagePng, maskPng: p.maskPng };
    });
  }

  // Opening the starter (by Predict or Use) must not overwrite the training form with its recipe,
  // whose held-out scoring is off (it scores only for its card).
  override takeRestoredConfig(): unknown {
    const config = super.takeRestoredConfig();
    return this.starterLoaded ? null : config;
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
