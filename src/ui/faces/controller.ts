import { starterUrl } from '../../shared/starters';
import { proxy } from 'comlink';
import type { ReactiveControllerHost } from 'lit';
import type { TrainProgress } from '../../shared/protocol';
import { openAppDb } from '../../storage/db';
import { listImageSets, type ImageSetInfo } from '../../storage/image-sets';
import type { GanApi } from '../../shared/protocol/apis';
import { BUILTIN_FACES } from './dataset-picker';
import { SessionController } from '../session/controller';
import { ganWorker } from '../session/worker-client';
import type {
  FaceDataset,
  GanSnapshot,
  GeneratedFace,
  ImageImportReport,
} from '../../shared/protocol/faces';

/** Settings of a new faces session chosen in the UI. */
export interface FacesSettings {
  imageSize: 32 | 64;
  width: 'small' | 'standard';
  batchSize: number;
  /** Steps between two snapshots of the fixed-latent grid. */
  snapshotEvery: number;
}

/** State and actions of the Faces tab; all training happens in the GAN worker. */
export class FacesController extends SessionController<GanApi> {
  snapshots: GanSnapshot[] = [];
  generated: GeneratedFace[] = [];
  picked: number[] = [];
  strip: Uint8Array | null = null;
  /** The dataset Train uses; null while the person is choosing files to import. */
  dataset: FaceDataset | null = BUILTIN_FACES;
  imageSets: ImageSetInfo[] = [];
  importReport: ImageImportReport | null = null;
  /** True while picked files are being read; the picker waits, nothing else has to. */
  importing = false;

  constructor(host: ReactiveControllerHost) {
    super(host, 'gan', ganWorker);
  }

  override async init(): Promise<void> {
    await this.loadImageSets();
    await super.init();
  }

  /** Re-reads the stored image sets (previews only) from IndexedDB. */
  async loadImageSets(): Promise<void> {
    this.imageSets = await listImageSets(await openAppDb());
    this.update();
  }

  /** Chooses the dataset of the next Train; null opens the import controls. */
  chooseDataset(dataset: FaceDataset | null): void {
    this.dataset = dataset;
    this.importReport = null;
    this.update();
  }

  /** Imports picked files (images, a folder's files or .zip files) in the worker and selects the new set. */
  async importFiles(files: File[], name: string): Promise<void> {
    this.importing = true;
    await this.guard(`Reading and resizing ${files.length} files…`, async () => {
      // A folder's files keep their path, so skipped files are named where the person can find them.
      const sources = files.map((f) => ({ name: f.webkitRelativePath || f.name, blob: f }));
      // Loose image files give a known total; a .zip's count is only known once it is read.
      const total = files.some((f) => /\.zip$/i.test(f.name)) ? 0 : files.length;
      const onRead = proxy((read: number) => {
        this.busy = `Reading and resizing images: ${read} read…`;
        this.busyFraction = total ? Math.min(1, read / total) : null;
        this.update();
      });
      this.importReport = await this.worker().importImages(sources, name, onRead);
      const id = this.importReport.id;
      if (id) {
        await this.loadImageSets();
        this.dataset = { kind: 'imported', id, name };
      }
    });
    this.importing = false;
    this.update();
  }

  /** Deletes a stored image set and falls back to the built-in faces. */
  async deleteImageSet(id: string): Promise<void> {
    await this.guard('Deleting the image set…', async () => {
      await this.worker().deleteImageSet(id);
      this.dataset = BUILTIN_FACES;
      this.importReport = null;
      await this.loadImageSets();
    });
  }

  /** Creates a new DCGAN session on the chosen dataset and starts training. */
  async train(settings: FacesSettings): Promise<void> {
    const dataset = this.dataset;
    if (!dataset) {
      this.error = 'Import some images first, or choose the built-in faces.';
      this.update();
      return;
    }
    const what =
      dataset.kind === 'builtin' ? 'Rendering the built-in faces' : `Loading “${dataset.name}”`;
    await this.guard(`${what} and building the networks…`, async () => {
      this.started(
        await this.worker().startNew(
          {
            dataset,
            config: {
              imageSize: settings.imageSize,
              width: settings.width,
              batchSize: settings.batchSize,
            },
            snapshotEvery: settings.snapshotEvery,
          },
          this.onProgress,
        ),
      );
      await this.afterLoad();
    });
  }

  /** Copies the starter into a new session and trains it on the chosen dataset. */
  async fineTune(): Promise<void> {
    const dataset = this.dataset;
    if (!dataset) {
      this.error = 'Import some images first, or choose the built-in faces.';
      this.update();
      return;
    }
    await this.guard('Copying the starter and preparing the images…', async () => {
      const worker = this.worker();
      if (!this.starterLoaded)
        await worker.openStarter(starterUrl('gan', 'session.zip', document.baseURI));
      this.started(await worker.fineTune(dataset, this.onProgress));
      await this.afterLoad();
    });
  }

  protected override async afterLoad(): Promise<void> {
    this.snapshots = await this.worker().snapshots();
    this.generated = [];
    this.picked = [];
    this.strip = null;
  }

  protected override afterUnload(): void {
    this.snapshots = [];
    this.generated = [];
    this.picked = [];
    this.strip = null;
  }

  protected override onProgressExtra(p: TrainProgress): void {
    const last = this.snapshots.at(-1)?.step ?? -1;
    void this.worker()
      .latestSnapshot(last)
      .then((snap) => {
        if (snap && p.sessionId === this.current?.id) {
          this.snapshots = [...this.snapshots, snap];
          this.update();
        }
      });
  }

  /** Shows new random faces from the loaded (or newest) session. */
  async generate(count = 16): Promise<void> {
    await this.guard('Generating faces…', async () => {
      if (!this.current) {
        const id = this.sessions[0]?.id;
        if (!id && !this.starter)
          throw new Error('Train or resume a faces session first: there is no generator yet.');
        this.current = id
          ? await this.worker().open(id)
          : await this.worker().openStarter(starterUrl('gan', 'session.zip', document.baseURI));
        // The card and the form show the session Generate loaded, as after Resume.
        await this.restoreStatus();
        await this.afterLoad();
      }
      this.generated = await this.worker().generate(count);
      this.picked = [];
      this.strip = null;
    });
  }

  /** Picks a face; with two picked, shows the interpolation strip between them. */
  async pick(index: number): Promise<void> {
    this.picked = [...this.picked.filter((i) => i !== index), index].slice(-2);
    this.update();
    if (this.picked.length === 2) {
      const [a, b] = this.picked.map((i) => this.generated[i].latent);
      await this.guard('Interpolating…', async () => {
        this.strip = await this.worker().interpolate(a, b, 8);
      });
    }
  }
}
