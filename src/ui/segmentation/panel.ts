import { LitElement, html, css } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { HeadRow } from '../../models/heads';
import { CLASS_COLORS } from '../../shared/class-colors';
import { formatNumber } from '../format';
import { refusedField } from '../number-field';
import { AUGMENT, FIELDS, segField, TASKS, withField } from './fields';
import { PngUrls } from '../png-url';
import { SegController } from './controller';
import { sessionList, statusLines } from '../session/status-lines';
import { overlayStyles, panelStyles } from '../styles';
import { segWorker } from '../session/worker-client';
import './dataset-picker';
import type { ImportPairsDetail, SegDatasetChoice } from './dataset-picker';
import './predict-card';
import { opacitySlider } from './opacity-slider';
import '../session/progress';
import '../session/chart';
import '../help-panel';
import '../preset-select';
import { PRESETS, type PresetName } from '../presets';
import { segRequestFrom } from '../session/restored-settings';
import type { NewSegSession } from '../../shared/protocol/segmentation';

const CHART = { loss: 'Loss', pixelAccuracy: 'Pixel accuracy', meanIou: 'Mean IoU' };

/** The Segmentation tab: Predict on the loaded model (the starter at first open), staged U-Net training, augmentation preview, held-out overlays and IoU. */
@customElement('seg-panel')
export class SegPanel extends LitElement {
  static override styles = [
    panelStyles,
    overlayStyles,
    css`
      .overlay {
        position: relative;
        display: inline-block;
        width: min(100%, 32rem);
      }
      .preview img {
        width: 100%;
        image-rendering: pixelated;
      }
      table {
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      td,
      th {
        text-align: left;
        padding: 0.25rem 0.5rem;
        border-bottom: 1px solid var(--border);
      }
      .table-wrap {
        overflow-x: auto;
      }
    `,
  ];

  private readonly ctl = new SegController(this);
  @state() private req: NewSegSession = {
    mode: 'binary',
    pretrainTask: 'glasses',
    pretrainSteps: 200,
    frozenSteps: 200,
    topK: 1,
    learningRate: 0.003,
    finetuneDivisor: 10,
    batchSize: 8,
    balanceClasses: true,
    lrDropStep: 0,
    diceWeight: 2,
    evalEvery: 25,
    augment: {
      rotationRange: 10,
      widthShiftRange: 0.15,
      heightShiftRange: 0.15,
      shearRange: 0.15,
      zoomRange: 0.1,
      horizontalFlip: false,
    },
  };
  @state() private opacity = 0.5;
  /** Why Train was refused, pointing at the first bad field. */
  @state() private refusal = '';
  /** "Import pairs…" is chosen and no import has been stored yet. */
  @state() private importingPairs = false;
  @state() private heads: readonly HeadRow[] = [];
  // Re-rendering must keep each image's src: a new object URL per render reloaded the images on every
  // progress message and revoked the URL of an image still being decoded (seen in the e2e test).
  private readonly urls = new PngUrls(8);

  override connectedCallback(): void {
    super.connectedCallback();
    void segWorker()
      .headTable()
      .then((t) => (this.heads = t));
  }

  // A resumed session shows its own settings; a preset sets the batch size for this device.
  override willUpdate(): void {
    const restored = segRequestFrom(this.ctl.takeRestoredConfig(), this.req);
    if (restored) this.req = restored;
  }

  private applyPreset(name: PresetName): void {
    this.req = { ...this.req, ...PRESETS[name].segmentation };
  }

  // Built-in faces keep their mode; "Import pairs…" waits for a stored import before training.
  private chooseDataset(choice: SegDatasetChoice | null): void {
    this.importingPairs = choice === null;
    if (choice) this.req = { ...this.req, mode: choice.mode, importedId: choice.importedId };
  }

  private async importPairs(detail: ImportPairsDetail): Promise<void> {
    const id = await this.ctl.importPairs(detail);
    if (!id) return;
    this.importingPairs = false;
    this.req = { ...this.req, importedId: id };
  }

  private async deletePairs(id: string): Promise<void> {
    await this.ctl.deleteImportedPairs(id);
    if (this.req.importedId === id) this.req = { ...this.req, importedId: undefined };
  }

  private url(png: Uint8Array): string {
    return this.urls.get(png);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.urls.clear();
  }

  private setField(key: string, value: number | boolean) {
    this.req = withField(this.req, key, value);
  }

  private train(): void {
    this.refusal = refusedField(this.renderRoot.querySelector('#seg-setup'));
    if (!this.refusal) void this.ctl.train(this.req);
  }

  private setup() {
    const c = this.ctl;
    const r = this.req;
    return html`<section class="card split" id="seg-setup" aria-labelledby="seg-data-h">
      <h2 id="seg-data-h">Data, stages and training</h2>
      <seg-dataset-picker
        .choice=${{ mode: r.mode, importedId: r.importedId }}
        .stored=${c.storedPairs}
        .result=${c.imported}
        ?importing=${this.importingPairs}
        ?disabled=${c.running || !!c.busy}
        @dataset-change=${(e: CustomEvent<SegDatasetChoice | null>) => this.chooseDataset(e.detail)}
        @import-pairs=${(e: CustomEvent<ImportPairsDetail>) => this.importPairs(e.detail)}
        @delete-pairs=${(e: CustomEvent<string>) => this.deletePairs(e.detail)}
      ></seg-dataset-picker>
      <div class="row" style="margin-top:.75rem">
        <label
          >Pretrain encoder on
          <select
            @change=${(e: Event) => {
              const v = (e.target as HTMLSelectElement).value;
              this.req = { ...r, pretrainTask: v ? (v as NewSegSession['pretrainTask']) : null };
            }}
          >
            ${TASKS.map(([v, l]) => html`<option value=${v} ?selected=${(r.pretrainTask ?? '') === v}>${l}</option>`)}
          </select></label
        >
      </div>
      <div class="row" style="margin-top:.75rem">
        <preset-select
          @preset-change=${(e: CustomEvent<PresetName>) => this.applyPreset(e.detail)}
        ></preset-select>
        ${FIELDS.map((f) => segField(f, r, (k, v) => this.setField(k, v)))}
        <label
          class="check"
          title="Weights each class's loss by its rarity, so small parts (eyes, nose, mouth) are learned; for masks of more than two classes"
          ><input
            type="checkbox"
            .checked=${r.balanceClasses !== false}
            @change=${(e: Event) => (this.req = { ...r, balanceClasses: (e.target as HTMLInputElement).checked })}
          />
          Balance rare classes</label
        >
      </div>
      <h3 style="margin-top:1rem">Augmentation (Keras ImageDataGenerator units)</h3>
      <div class="row">
        ${AUGMENT.map((f) => segField(f, r, (k, v) => this.setField(k, v)))}
        <label class="check"
          ><input
            type="checkbox"
            .checked=${!!r.augment?.horizontalFlip}
            @change=${(e: Event) => this.setField('augment.horizontalFlip', (e.target as HTMLInputElement).checked)}
          />
          Horizontal flip</label
        >
        <button class="secondary" @click=${() => c.previewAugmentation(r.augment, r.mode)}>
          Preview augmentation
        </button>
      </div>
      ${
        c.preview
          ? html`<div class="preview">
              <img
                src=${this.url(c.preview)}
                alt="One face and its mask under 8 random augmentations"
              />
            </div>`
          : ''
      }
      <div class="row" style="margin-top:.75rem">
        <button
          @click=${() => this.train()}
          ?disabled=${c.running || !!c.busy || !c.backend || this.importingPairs}
        >
          Train segmenter
        </button>
        <button class="secondary" @click=${() => c.pause()} ?disabled=${!c.running}>Pause</button>
      </div>
      ${this.refusal ? html`<p class="error" role="alert">${this.refusal}</p>` : ''}
      <p class="muted" data-testid="phase">
        ${
          c.phase
            ? `Stage: ${c.phase} · ${c.trainableParams.toLocaleString()} trainable parameters`
            : // Held in place before training, so the first progress does not shift the layout.
              'Stage: –'
        }
      </p>
      <div class="results">
        <train-progress .progress=${c.progress}></train-progress>
        <metric-chart
          label="Segmentation loss and held-out scores"
          .history=${c.history}
          .metrics=${CHART}
        ></metric-chart>
      </div>
    </section>`;
  }

  private results() {
    const e = this.ctl.latest;
    if (!e) return html``;
    return html`<section class="card" aria-labelledby="seg-res-h">
      <h2 id="seg-res-h">
        Held-out ${this.ctl.importedName ? `images of ${this.ctl.importedName}` : 'faces'} at step
        ${e.step}
      </h2>
      <p>
        Pixel accuracy <b>${formatNumber(e.pixelAccuracy)}</b> · mean IoU
        <b data-testid="miou">${formatNumber(e.meanIou)}</b>
      </p>
      <div class="overlay" data-testid="overlay">
        <img src=${this.url(e.imagePng)} alt="Held-out faces" />
        <img src=${this.url(e.maskPng)} alt="Predicted masks" style="opacity:${this.opacity}" />
      </div>
      ${opacitySlider(this.opacity, (v) => (this.opacity = v))}
      <ul>
        ${this.ctl.classes.map(
          (name, i) =>
            html`<li>
              <span class="swatch" style="background: rgb(${CLASS_COLORS[i].join(',')})"></span
              >${name}: IoU ${formatNumber(e.iou[i])}
            </li>`,
        )}
      </ul>
    </section>`;
  }

  // What a person came for comes first: the Predict card, on the starter at first open.
  private predictCard() {
    const c = this.ctl;
    return html`<seg-predict-card
      .prediction=${c.prediction}
      .classes=${c.classes}
      .source=${c.predictSource}
      .opacity=${this.opacity}
      ?disabled=${!!c.busy || !c.backend}
      @predict-builtin=${() => c.predictBuiltIn()}
      @predict-file=${(e: CustomEvent<File>) => c.predict(e.detail)}
      @opacity-change=${(e: CustomEvent<number>) => (this.opacity = e.detail)}
    ></seg-predict-card>`;
  }

  override render() {
    const c = this.ctl;
    return html`${statusLines(c)}
      <help-panel topic="segmentation" .heads=${this.heads}></help-panel> ${this.predictCard()}
      ${this.setup()} ${this.results()}
      ${sessionList(c, 'Saved segmentation sessions', () => void c.fineTune())}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'seg-panel': SegPanel;
  }
}
