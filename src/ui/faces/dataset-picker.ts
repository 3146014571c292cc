import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ImageSetInfo } from '../../storage/image-sets';
import { fileIssues, pickerStyles } from '../file-issues';
import { PngUrls } from '../png-url';
import { panelStyles } from '../styles';
import type { FaceDataset, ImageImportReport } from '../../shared/protocol/faces';

/** The built-in dataset, rendered on the device. */
export const BUILTIN_FACES: FaceDataset = { kind: 'builtin', name: 'Built-in faces' };

/** What `import-files` carries: the picked files and a name for the new image set. */
export interface ImportFilesDetail {
  files: File[];
  name: string;
}

/** Faces dataset choice: built-in faces, a stored image set, or an import of files, a folder or a .zip. */
@customElement('face-dataset-picker')
export class FaceDatasetPicker extends LitElement {
  static override styles = [
    panelStyles,
    pickerStyles,
    css`
      .preview {
        max-width: min(100%, 17rem);
      }
      summary {
        /* Stays a list item so it keeps its disclosure triangle; line height gives the 44 px target. */
        line-height: 44px;
        cursor: pointer;
      }
      .preview + .row {
        margin-top: 0.75rem;
      }
    `,
  ];

  @property({ attribute: false }) imageSets: ImageSetInfo[] = [];
  /** The chosen dataset; null while an import is being chosen. */
  @property({ attribute: false }) chosen: FaceDataset | null = BUILTIN_FACES;
  @property({ attribute: false }) report: ImageImportReport | null = null;
  @property({ type: Boolean }) disabled = false;
  private readonly previewUrls = new PngUrls(1);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.previewUrls.clear();
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
    return html`<p class="muted" data-testid="image-set-count">
        ${set.count.toLocaleString()} images, cropped to their centre square.
      </p>
      <img
        class="preview"
        src=${this.previewUrls.get(set.preview)}
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
    return html`<p role="status" class=${r.count ? '' : 'error'}>${r.message}</p>
      ${fileIssues('skipped', 'skipped', r.skipped, r.count === 0)}`;
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
