import type { ReactiveControllerHost } from 'lit';
import type { TrainProgress } from '../shared/protocol';
import type { SegApi } from '../workers/segmenter.worker';
import type { NewSegSession } from '../workers/seg-api';
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

  protected override async afterLoad(): Promise<void> {
    this.latest = null;
    await this.refreshInfo();
  }

  private async refreshInfo(): Promise<void> {
    const info = await this.worker().info();
    this.phase = info.phase;
    this.trainableParams = info.trainableParams;
    this.classes = info.classes;
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
