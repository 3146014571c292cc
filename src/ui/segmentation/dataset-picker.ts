import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { SegMode } from '../../data/seg-dataset';
import { CLASS_COLORS } from '../../shared/class-colors';
import { fileIssues, pickerStyles } from '../file-issues';
import { PngUrls } from '../png-url';
import { panelStyles } from '../styles';
import type { ImportPairsResult, MaskFormat } from '../../shared/protocol/segmentation';

/** A stored import as the picker lists it. */
export interface StoredPairs {
  id: string;
  name: string;
  count: number;
  numClasses: number;
}

/** The chosen dataset: built-in faces of a mode, or a stored import (`importedId`). */
export interface SegDatasetChoice {
  mode: SegMode;
  importedId?: string;
}

/** What `import-pairs` carries: a .zip, or image and mask files, and how to read the masks. */
export interface ImportPairsDetail {
  zip: File | null;
  images: File[];
  masks: File[];
  numClasses: number;
  maskFormat: MaskFormat;
}

/** Segmentation dataset choice: built-in faces (binary or parts), a stored import, or an import of image/mask pairs. */
@customElement('seg-dataset-picker')
export class SegDatasetPicker extends LitElement {
  static override styles = [
    panelStyles,
    pickerStyles,
    css`
      fieldset {
        border: 1px solid var(--border);
        border-radius: 8px;
        margin: 0.75rem 0 0;
        padding: 0.5rem 0.75rem 0.75rem;
        min-width: 0;
      }
      label.check {
        flex-direction: row;
        align-items: center;
        min-height: 44px;
      }
      label.check input {
        min-height: 0;
        width: 1.25rem;
        height: 1.25rem;
      }
      .preview {
        max-width: min(100%, 32rem);
      }
      summary {
        min-height: 44px;
        display: flex;
        align-items: center;
        cursor: pointer;
      }
      .swatch {
        display: inline-block;
        width: 1em;
        height: 1em;
        border-radius: 3px;
        vertical-align: middle;
        margin: 0 0.2em 0 0.6em;
        border: 1px solid var(--border);
      }
    `,
  ];

  @property({ attribute: false }) choice: SegDatasetChoice = { mode: 'binary' };
  @property({ attribute: false }) stored: StoredPairs[] = [];
  @property({ attribute: false }) result: ImportPairsResult | null = null;
  @property({ type: Boolean }) disabled = false;
  /** True while the person is choosing files for a new import. */
  @property({ type: Boolean }) importing = false;
  @state() private numClasses = 2;
  @state() private maskFormat: MaskFormat = 'indices';
  @state() private folders = false;
  @state() private zip: File | null = null;
  @state() private images: File[] = [];
  @state() private masks: File[] = [];
  private readonly previewUrls = new PngUrls(1);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.previewUrls.clear();
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private onSelect(value: string): void {
    if (value === 'binary' || value === 'parts') this.emit('dataset-change', { mode: value });
    else if (value === 'import') this.emit('dataset-change', null);
    else this.emit('dataset-change', { mode: this.choice.mode, importedId: value });
  }

  private files(e: Event): File[] {
    return [...((e.target as HTMLInputElement).files ?? [])];
  }

  private onImport(): void {
    const { zip, images, masks, numClasses, maskFormat } = this;
    this.emit<ImportPairsDetail>('import-pairs', { zip, images, masks, numClasses, maskFormat });
  }

  private importControls() {
    const ready = !!this.zip || (this.images.length > 0 && this.masks.length > 0);
    return html`<fieldset>
      <legend>Import image/mask pairs</legend>
      <p class="muted">
        A .zip with <code>images/</code> and <code>masks/</code> folders, or the images and the
        masks picked separately; pairs match by file name (<code>cat.jpg</code> ↔
        <code>cat.png</code>). Masks are PNG. Everything is resized to 64x64 and stays on this
        device.
      </p>
      <label
        >A .zip with images/ and masks/
        <input
          type="file"
          accept=".zip,application/zip"
          ?disabled=${this.disabled}
          @change=${(e: Event) => (this.zip = this.files(e)[0] ?? null)}
      /></label>
      <p class="muted">or</p>
      <label class="check"
        ><input
          type="checkbox"
          .checked=${this.folders}
          @change=${(e: Event) => (this.folders = (e.target as HTMLInputElement).checked)}
        />Pick whole folders</label
      >
      <div class="row">
        <label
          >Images ${this.images.length ? `(${this.images.length} picked)` : ''}
          <input
            type="file"
            multiple
            accept="image/*"
            ?webkitdirectory=${this.folders}
            ?disabled=${this.disabled}
            @change=${(e: Event) => (this.images = this.files(e))}
        /></label>
        <label
          >Masks ${this.masks.length ? `(${this.masks.length} picked)` : ''}
          <input
            type="file"
            multiple
            accept="image/png"
            ?webkitdirectory=${this.folders}
            ?disabled=${this.disabled}
            @change=${(e: Event) => (this.masks = this.files(e))}
        /></label>
      </div>
      <div class="row" style="margin-top:.5rem">
        <label
          >Number of classes
          <input
            type="number"
            min="2"
            max=${CLASS_COLORS.length}
            step="1"
            .value=${String(this.numClasses)}
            @change=${(e: Event) => (this.numClasses = Number((e.target as HTMLInputElement).value))}
        /></label>
        <label
          >Mask format
          <select
            @change=${(e: Event) =>
              (this.maskFormat = (e.target as HTMLSelectElement).value as MaskFormat)}
          >
            <option value="indices" ?selected=${this.maskFormat === 'indices'}>
              Class indices (grey value 0 to N−1)
            </option>
            <option value="colors" ?selected=${this.maskFormat === 'colors'}>
              One colour per class (palette below)
            </option>
          </select></label
        >
      </div>
      <p class="muted" data-testid="mask-palette">
        ${
          this.maskFormat === 'colors'
            ? 'Colours:'
            : 'Index 0 is the background; with 2 classes, black/white (0/255) also works. Shown as:'
        }
        ${CLASS_COLORS.slice(0, Math.max(2, Math.min(this.numClasses, CLASS_COLORS.length))).map(
          (c, i) =>
            html`<span class="swatch" style="background: rgb(${c.join(',')})"></span>${i}
              ${this.maskFormat === 'colors' ? `(${c.join(', ')})` : ''}`,
        )}
      </p>
      <div class="row">
        <button ?disabled=${this.disabled || !ready} @click=${() => this.onImport()}>
          Import pairs
        </button>
      </div>
    </fieldset>`;
  }

  private resultView(r: ImportPairsResult) {
    return html`<p role="status" class=${r.count ? '' : 'error'} data-testid="import-result">
        ${r.message}
      </p>
      ${
        r.previewPng
          ? html`<img
              class="preview"
              src=${this.previewUrls.get(r.previewPng)}
              alt="The first imported images above their masks"
            />`
          : ''
      }
      ${fileIssues('problems', 'left out', r.problems, true)}`;
  }

  override render() {
    const c = this.choice;
    const value = this.importing ? 'import' : (c.importedId ?? c.mode);
    return html`<label
        >Dataset
        <select
          ?disabled=${this.disabled}
          @change=${(e: Event) => this.onSelect((e.target as HTMLSelectElement).value)}
        >
          <option value="binary" ?selected=${value === 'binary'}>
            Built-in faces: face vs. background
          </option>
          <option value="parts" ?selected=${value === 'parts'}>Built-in faces: 8 parts</option>
          ${this.stored.map(
            (s) =>
              html`<option value=${s.id} ?selected=${value === s.id}>
                ${s.name} (${s.count} pairs, ${s.numClasses} classes)
              </option>`,
          )}
          <option value="import" ?selected=${value === 'import'}>Import pairs…</option>
        </select></label
      >
      ${this.importing ? this.importControls() : ''}
      ${this.result && (this.importing || c.importedId === this.result.id) ? this.resultView(this.result) : ''}
      ${
        c.importedId && !this.importing
          ? html`<p class="muted">
                Pretraining (if chosen) learns an attribute of the built-in faces; the segmenter
                then trains on these pairs, holding out 10 % (at least one) for scoring.
              </p>
              <div class="row">
                <button
                  class="secondary"
                  ?disabled=${this.disabled}
                  @click=${() => this.emit('delete-pairs', c.importedId)}
                >
                  Delete this import
                </button>
              </div>`
          : ''
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'seg-dataset-picker': SegDatasetPicker;
  }
}
