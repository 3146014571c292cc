import { LitElement, html, css } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { ImportFilesDetail } from './dataset-picker';
import './dataset-picker';
import { FacesController, type FacesSettings } from './controller';
import { downloadPng, PngUrls } from '../png-url';
import { sessionList, statusLines } from '../session/status-lines';
import { panelStyles } from '../styles';
import '../session/progress';
import '../session/chart';
import '../help-panel';
import '../preset-select';
import { PRESETS, type PresetName } from '../presets';
import { facesPlanPairs, facesSettingsFrom } from '../session/restored-settings';
import { loadedLine } from '../session/status-lines';
import { refusedField } from '../number-field';
import { trainButton, trainHint } from '../session/train-button';
import { planTrain } from '../session/train-plan';
import './timeline';
import '../number-field';
import type { FaceDataset } from '../../shared/protocol/faces';

const METRICS = { dLossReal: 'D loss (real)', dLossFake: 'D loss (fake)', gLoss: 'G loss' };

/** The Faces tab: DCGAN training, the fixed-latent timeline, generation and interpolation. */
@customElement('faces-panel')
export class FacesPanel extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .faces img,
      .strip img {
        image-rendering: pixelated;
        max-width: 100%;
        border-radius: 6px;
      }
      .faces {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(4.5rem, 1fr));
        gap: 0.5rem;
      }
      .faces button {
        padding: 0;
        background: none;
        border: 3px solid transparent;
      }
      .faces button[aria-pressed='true'] {
        border-color: var(--focus);
      }
      .faces img {
        width: 100%;
        display: block;
      }
    `,
  ];

  private readonly ctl = new FacesController(this);
  @state() private settings: FacesSettings = {
    imageSize: 32,
    width: 'small',
    batchSize: 32,
    snapshotEvery: 50,
  };
  /** Why Train was refused, pointing at the first bad field. */
  @state() private refusal = '';
  private readonly urls = new PngUrls();

  private url(png: Uint8Array): string {
    return this.urls.get(png);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.urls.clear();
  }

  // A resumed session shows its own settings; a preset sets the sizes for this device.
  override willUpdate(): void {
    const restored = facesSettingsFrom(this.ctl.takeRestoredConfig());
    if (!restored) return;
    this.settings = restored.settings;
    // The picker shows what the resumed session trains on (an import, or the built-in faces).
    if (restored.dataset) this.ctl.dataset = restored.dataset;
  }

  private applyPreset(name: PresetName): void {
    this.settings = { ...this.settings, ...PRESETS[name].faces };
  }

  private set<K extends keyof FacesSettings>(key: K, value: FacesSettings[K]) {
    this.settings = { ...this.settings, [key]: value };
  }

  // Train continues the loaded session unless its networks or images differ from the form.
  private plan() {
    const c = this.ctl;
    const s = c.current;
    const pairs =
      s && !c.starterLoaded ? facesPlanPairs(c.loadedConfig, this.settings, c.dataset) : null;
    const loaded = pairs && s && { ...s, elsewhere: c.trainedElsewhere(s.id) };
    return planTrain(loaded || null, pairs?.architecture ?? [], pairs?.tunable ?? []);
  }

  private train(): void {
    const c = this.ctl;
    this.refusal = refusedField(this.renderRoot.querySelector('#gan-train-fields'));
    if (this.refusal) return;
    const { batchSize, snapshotEvery } = this.settings;
    if (this.plan().continues && c.current)
      void c.resume(c.current.id, { batchSize, snapshotEvery });
    else void c.train(this.settings);
  }

  private trainControls() {
    const c = this.ctl;
    const plan = this.plan();
    return html`<section class="card split" aria-labelledby="gan-train-h">
      <h2 id="gan-train-h">Data and training</h2>
      <div class="row" id="gan-train-fields" @value-change=${() => (this.refusal = '')}>
        <face-dataset-picker
          .imageSets=${c.imageSets}
          .chosen=${c.dataset}
          .report=${c.importReport}
          ?disabled=${c.importing}
          @dataset-change=${(e: CustomEvent<FaceDataset | null>) => c.chooseDataset(e.detail)}
          @import-files=${(e: CustomEvent<ImportFilesDetail>) =>
            c.importFiles(e.detail.files, e.detail.name)}
          @delete-set=${(e: CustomEvent<string>) => {
            if (confirm('Delete this image set? Sessions trained on it can no longer resume.'))
              void c.deleteImageSet(e.detail);
          }}
        ></face-dataset-picker>
        <preset-select
          @preset-change=${(e: CustomEvent<PresetName>) => this.applyPreset(e.detail)}
        ></preset-select>
        <label
          >Image size
          <select
            @change=${(e: Event) =>
              this.set('imageSize', Number((e.target as HTMLSelectElement).value) as 32 | 64)}
          >
            <option value="32" ?selected=${this.settings.imageSize === 32}>32x32</option>
            <option value="64" ?selected=${this.settings.imageSize === 64}>64x64</option>
          </select></label
        >
        <label
          >Model width
          <select
            @change=${(e: Event) =>
              this.set('width', (e.target as HTMLSelectElement).value as 'small' | 'standard')}
          >
            <option value="small" ?selected=${this.settings.width === 'small'}>
              Small (fast on any device)
            </option>
            <option value="standard" ?selected=${this.settings.width === 'standard'}>
              Standard (needs a GPU)
            </option>
          </select></label
        >
        <number-field
          label="Batch size"
          integer
          min="1"
          max="512"
          .value=${this.settings.batchSize}
          @value-change=${(e: CustomEvent<number>) => this.set('batchSize', e.detail)}
        ></number-field>
        <number-field
          label="Grid every N steps"
          integer
          min="1"
          max="10000"
          .value=${this.settings.snapshotEvery}
          @value-change=${(e: CustomEvent<number>) => this.set('snapshotEvery', e.detail)}
        ></number-field>
        ${trainButton(plan, c.running || !!c.busy || !c.backend || !c.dataset, () => this.train())}
        <button class="secondary" @click=${() => c.pause()} ?disabled=${!c.running}>Pause</button>
      </div>
      ${trainHint(plan, this.refusal, c.running)}
      <div class="results">
        <train-progress
          .progress=${c.progress}
          .session=${loadedLine(c)}
          idle=${c.trainedElsewhere(c.current?.id) ? 'in another tab' : 'not started'}
          .metrics=${METRICS}
        ></train-progress>
        <metric-chart
          label="Faces training losses"
          .history=${c.history}
          .metrics=${METRICS}
        ></metric-chart>
      </div>
    </section>`;
  }

  private generation() {
    const c = this.ctl;
    return html`<section class="card" aria-labelledby="gen-h">
      <h2 id="gen-h">Generate and interpolate</h2>
      <div class="row">
        <button @click=${() => c.generate(16)} ?disabled=${!!c.busy}>Generate</button>
        ${
          c.picked.length === 1
            ? html`<button
                class="secondary"
                @click=${() => downloadPng(c.generated[c.picked[0]].png, 'face.png')}
              >
                Download face
              </button>`
            : ''
        }
      </div>
      ${
        c.generated.length
          ? html`<p class="muted">
              Choose two faces to see the path between them in latent space.
            </p>`
          : ''
      }
      <div class="faces">
        ${c.generated.map(
          (f, i) =>
            html`<button
              aria-pressed=${c.picked.includes(i) ? 'true' : 'false'}
              aria-label="Face ${i + 1}"
              @click=${() => c.pick(i)}
            >
              <img src=${this.url(f.png)} alt="" />
            </button>`,
        )}
      </div>
      ${
        c.strip
          ? html`<div class="strip">
              <img src=${this.url(c.strip)} alt="Interpolation between the two chosen faces" />
              <button class="secondary" @click=${() => downloadPng(c.strip!, 'interpolation.png')}>
                Download interpolation
              </button>
            </div>`
          : ''
      }
    </section>`;
  }

  override render() {
    const c = this.ctl;
    return html`${statusLines(c)} <help-panel topic="faces"></help-panel> ${this.generation()}
      ${this.trainControls()}
      <face-timeline .snapshots=${c.snapshots}></face-timeline>
      ${sessionList(c, 'Saved faces sessions', () => void c.fineTune())}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'faces-panel': FacesPanel;
  }
}
