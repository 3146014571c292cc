import type { ReactiveControllerHost } from 'lit';
import type { TrainProgress } from '../shared/protocol';
import type { GanApi } from '../workers/gan.worker';
import type { GeneratedFace } from '../workers/gan-api';
import type { GanSnapshot } from '../workers/gan-session';
import { SessionController } from './session-controller';
import { ganWorker } from './worker-clients';

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

  constructor(host: ReactiveControllerHost) {
    super(host, 'gan', ganWorker);
  }

  /** Creates a new DCGAN session on the built-in faces and starts training. */
  async train(settings: FacesSettings): Promise<void> {
    await this.guard('Rendering the built-in faces and building the networks…', async () => {
      this.current = await this.worker().startNew(
        {
          dataset: { kind: 'builtin', name: 'Built-in faces' },
          config: {
            imageSize: settings.imageSize,
            width: settings.width,
            batchSize: settings.batchSize,
          },
          snapshotEvery: settings.snapshotEvery,
        },
        this.onProgress,
      );
      this.running = true;
      await this.afterLoad();
      await this.refresh();
    });
  }

  protected override async afterLoad(): Promise<void> {
    this.snapshots = await this.worker().snapshots();
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
        if (!id)
          throw new Error('Train or resume a faces session first: there is no generator yet.');
        this.current = await this.worker().open(id);
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
