import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ImageSetInfo } from '../storage/image-sets';
import type { ImageImportReport } from '../workers/gan-import';
import type { FaceDataset } from '../workers/gan-session';
import { pngUrl } from './png-url';
import { panelStyles } from './styles';

/** The built-in dataset, rendered on the device. */
export const BUILTIN_FACES: FaceDataset = { kind: 'builtin', name: 'Built-in faces' };

/** What `import-files` carries: the picked files and a name for the new image set. */
export interface ImportFilesDetail {
  files: File[];
  name: string;
}

// Skipped lists can run to thousands of lines; the first ones say what went wrong.
const SHOWN_SKIPPED = 100;

/** Faces dataset choice: built-in faces, a stored image set, or an import of files, a folder or a .zip. */
@customElement('face-dataset-picker')
export class FaceDatasetPicker extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        flex-basis: 100%;
        min-width: 0;
      }
      .preview {
        display: block;
        max-width: min(100%, 17rem);
        image-rendering: pixelated;
        border-radius: 6px;
        margin-top: 0.5rem;
      }
      .skipped li {
        overflow-wrap: anywhere;
        margin-bottom: 0.25rem;
      }
      summary {
        /* Stays a list item so it keeps its disclosure triangle; line height gives the 44 px target. */
        line-height: 44px;
        cursor: pointer;
      }
      .preview + .row {
        margin-top: 0.75rem;
      }
      input[type='file'] {
        width: 100%;
      }
      p {
        margin: 0.5rem 0;
      }
    `,
  ];

  @property({ attribute: false }) imageSets: ImageSetInfo[] = [];
  /** The chosen dataset; null while an import is being chosen. */
  @property({ attribute: false }) chosen: FaceDataset | null = BUILTIN_FACES;
  @property({ attribute: false }) report: ImageImportReport | null = null;
  @property({ type: Boolean }) disabled = false;
  private previewUrl = '';
  private previewFor: Uint8Array | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
    this.previewFor = null;
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private onSelect(value: string): void {
    if (value === 'builtin') this.emit('dataset-change', BUILTIN_FACES);
    else if (value === 'import') this.emit('dataset-change', null);
    else {
      const set = this.imageSets.find((s) => s.id === value);
      if (set) this.emit('dataset-change', { kind: 'imported', id: set.id, name: set.name });
    }
  }

  private onFiles(input: HTMLInputElement, folder: boolean): void {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (!files.length) return;
    const first = files[0];
    const name = folder
      ? (first.webkitRelativePath.split('/')[0] ?? first.name)
      : files.length === 1
        ? first.name.replace(/\.[^.]+$/, '')
        : `${first.name.replace(/\.[^.]+$/, '')} and ${files.length - 1} more`;
    this.emit<ImportFilesDetail>('import-files', { files, name });
  }

  private preview(set: ImageSetInfo | undefined) {
    if (!set) return '';
    if (this.previewFor !== set.preview) {
      if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
      this.previewFor = set.preview;
      this.previewUrl = pngUrl(set.preview);
    }
    return html`<p class="muted" data-testid="image-set-count">
        ${set.count.toLocaleString()} images, cropped to their centre square.
      </p>
      <img
        class="preview"
        src=${this.previewUrl}
        alt="The first ${Math.min(16, set.count)} of the ${set.count} images in ${set.name}"
      />
      <div class="row">
        <button
          class="secondary"
          ?disabled=${this.disabled}
          @click=${() => this.emit('delete-set', set.id)}
        >
          Delete this image set
        </button>
      </div>`;
  }

  private importControls() {
    return html`<p class="muted">
        JPEG, PNG, WebP, GIF or BMP images, or .zip files of them; up to 5,000 images. Each is
        cropped to its centre square and resized to the model size. Nothing leaves this device.
      </p>
      <div class="row">
        <label
          >Image files or .zip
          <input
            type="file"
            multiple
            accept="image/*,.zip,application/zip"
            ?disabled=${this.disabled}
            @change=${(e: Event) => this.onFiles(e.target as HTMLInputElement, false)}
        /></label>
        <label
          >A folder of images
          <input
            type="file"
            webkitdirectory
            multiple
            ?disabled=${this.disabled}
            @change=${(e: Event) => this.onFiles(e.target as HTMLInputElement, true)}
        /></label>
      </div>`;
  }

  private reportView(r: ImageImportReport) {
    const more = r.skipped.length - SHOWN_SKIPPED;
    return html`<p role="status" class=${r.count ? '' : 'error'}>${r.message}</p>
      ${
        r.skipped.length
          ? html`<details class="skipped">
              <summary>Skipped files (${r.skipped.length})</summary>
              <ul>
                ${r.skipped
                  .slice(0, SHOWN_SKIPPED)
                  .map((s) => html`<li><b>${s.file}</b>: ${s.reason}</li>`)}
                ${more > 0 ? html`<li>and ${more} more</li>` : ''}
              </ul>
            </details>`
          : ''
      }`;
  }

  override render() {
    const d = this.chosen;
    const value = !d ? 'import' : d.kind === 'builtin' ? 'builtin' : d.id;
    const set = d?.kind === 'imported' ? this.imageSets.find((s) => s.id === d.id) : undefined;
    return html`<label
        >Dataset
        <select
          ?disabled=${this.disabled}
          @change=${(e: Event) => this.onSelect((e.target as HTMLSelectElement).value)}
        >
          <option value="builtin" ?selected=${value === 'builtin'}>
            Built-in faces (generated on this device)
          </option>
          ${this.imageSets.map(
            (s) =>
              html`<option value=${s.id} ?selected=${value === s.id}>
                ${s.name} (${s.count} images)
              </option>`,
          )}
          <option value="import" ?selected=${value === 'import'}>Import images…</option>
        </select></label
      >
      ${d ? '' : this.importControls()} ${this.report ? this.reportView(this.report) : ''}
      ${this.preview(set)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'face-dataset-picker': FaceDatasetPicker;
  }
}
