import { LitElement, html, css } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { FaceDataset } from '../workers/gan-session';
import type { ImportFilesDetail } from './face-dataset-picker';
import './face-dataset-picker';
import { FacesController, type FacesSettings } from './faces-controller';
import { downloadPng, PngUrls } from './png-url';
import { sessionList, statusLines } from './status-lines';
import { panelStyles } from './styles';
import './train-progress';
import './metric-chart';
import './help-panel';
import './preset-select';
import { PRESETS, type PresetName } from './presets';
import { facesSettingsFrom } from './restored-settings';

const METRICS = { dLossReal: 'D loss (real)', dLossFake: 'D loss (fake)', gLoss: 'G loss' };

/** The Faces tab: DCGAN training, the fixed-latent timeline, generation and interpolation. */
@customElement('faces-panel')
export class FacesPanel extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .grid img,
      .faces img,
      .strip img {
        image-rendering: pixelated;
        max-width: 100%;
        border-radius: 6px;
      }
      .grid img {
        width: min(100%, 32rem);
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
      input[type='range'] {
        width: min(100%, 32rem);
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
  @state() private shown = -1;
  /** Timer of the "Play history" animation, when playing. */
  @state() private playing?: ReturnType<typeof setInterval>;
  private readonly urls = new PngUrls();

  private url(png: Uint8Array): string {
    return this.urls.get(png);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
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

  private trainControls() {
    const c = this.ctl;
    return html`<section class="card split" aria-labelledby="gan-train-h">
      <h2 id="gan-train-h">Data and training</h2>
      <div class="row">
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
        <label
          >Batch size
          <input
            type="number"
            min="1"
            max="512"
            .value=${String(this.settings.batchSize)}
            @change=${(e: Event) => this.set('batchSize', Number((e.target as HTMLInputElement).value))}
        /></label>
        <label
          >Grid every N steps
          <input
            type="number"
            min="1"
            max="10000"
            .value=${String(this.settings.snapshotEvery)}
            @change=${(e: Event) =>
              this.set('snapshotEvery', Number((e.target as HTMLInputElement).value))}
        /></label>
        <button
          @click=${() => c.train(this.settings)}
          ?disabled=${c.running || !!c.busy || !c.backend || !c.dataset}
        >
          Train
        </button>
        <button class="secondary" @click=${() => c.pause()} ?disabled=${!c.running}>Pause</button>
      </div>
      <div class="results">
        <train-progress
          .progress=${c.progress}
          .session=${c.current?.name ?? null}
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

  /** Animates the grid from the first snapshot to the newest, four per second. */
  private play(): void {
    this.stop();
    this.shown = 0;
    this.playing = setInterval(() => {
      const last = this.ctl.snapshots.length - 1;
      if (this.shown < 0 || this.shown + 1 >= last) {
        this.shown = -1;
        this.stop();
      } else this.shown++;
    }, 250);
  }

  private stop(): void {
    clearInterval(this.playing);
    this.playing = undefined;
  }

  private timeline() {
    const snaps = this.ctl.snapshots;
    if (!snaps.length) return html``;
    const i = this.shown < 0 || this.shown >= snaps.length ? snaps.length - 1 : this.shown;
    const snap = snaps[i];
    return html`<section class="card grid" aria-labelledby="grid-h">
      <h2 id="grid-h">Samples from fixed latent vectors</h2>
      <img
        data-testid="sample-grid"
        src=${this.url(snap.png)}
        alt="8 by 8 generated faces at step ${snap.step}"
      />
      <label
        >Training history: step ${snap.step} (${i + 1} of ${snaps.length})
        <input
          type="range"
          min="0"
          max=${snaps.length - 1}
          .value=${String(i)}
          @input=${(e: Event) => {
            this.stop();
            const v = Number((e.target as HTMLInputElement).value);
            this.shown = v === snaps.length - 1 ? -1 : v;
          }}
      /></label>
      <div class="row">
        <button
          class="secondary"
          ?disabled=${snaps.length < 2}
          @click=${() => (this.playing ? this.stop() : this.play())}
        >
          ${this.playing ? 'Stop' : 'Play history'}
        </button>
        <button
          class="secondary"
          @click=${() => downloadPng(snap.png, `faces-step-${snap.step}.png`)}
        >
          Download PNG
        </button>
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
      ${this.trainControls()} ${this.timeline()}
      ${sessionList(c, 'Saved faces sessions', () => void c.fineTune())}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'faces-panel': FacesPanel;
  }
}
