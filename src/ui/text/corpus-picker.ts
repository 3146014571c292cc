import { LitElement, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { CorpusInfo } from '../../storage/corpora';
import { panelStyles } from '../styles';
import type { CorpusRef } from '../../shared/protocol/text';

const MOBY_DICK: CorpusRef = { kind: 'bundled', name: 'Moby-Dick' };

/** The Text tab's corpus choice: bundled, stored, downloaded or a picked .txt file; fires `corpus-change`, `download` and `file-pick`. */
@customElement('corpus-picker')
export class CorpusPicker extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) corpora: CorpusInfo[] = [];
  @property({ attribute: false }) selected: CorpusRef = MOBY_DICK;
  /** Why the last picked file was refused; it is said beside the picker, which is then emptied. */
  @property() fileError = '';
  @property({ type: Boolean }) disabled = false;
  @query('input[type=file]') private file!: HTMLInputElement;

  private send<T>(type: string, detail?: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // A refused file's name must not stay in the picker as if it were chosen.
  override updated(changed: PropertyValues<this>): void {
    if (changed.has('fileError') && this.fileError && this.file) this.file.value = '';
  }

  override render() {
    const value = this.selected.kind === 'bundled' ? 'bundled' : this.selected.id;
    const why = this.fileError;
    return html`<div class="row">
      <label
        >Corpus
        <select
          aria-label="Corpus"
          @change=${(e: Event) => {
            const info = this.corpora.find((x) => x.id === (e.target as HTMLSelectElement).value);
            const ref = info && { kind: 'stored', id: info.id, name: info.name };
            this.send('corpus-change', ref ?? MOBY_DICK);
          }}
        >
          <option value="bundled" ?selected=${value === 'bundled'}>
            Moby-Dick (bundled, 1.2 MB)
          </option>
          ${this.corpora.map((x) => html`<option value=${x.id} ?selected=${x.id === value}>${x.name} (${(x.sizeBytes / 1e6).toFixed(1)} MB)</option>`)}
        </select></label
      >
      <button class="secondary" @click=${() => this.send('download')} ?disabled=${this.disabled}>
        Download Nietzsche corpus
      </button>
      <div>
        <label
          >Your own .txt file
          <input
            type="file"
            accept=".txt,text/plain"
            aria-label="Choose text file"
            aria-invalid=${why ? 'true' : 'false'}
            aria-describedby=${ifDefined(why ? 'file-error' : undefined)}
            @change=${(e: Event) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) this.send('file-pick', f);
            }}
        /></label>
        ${why ? html`<p class="error" id="file-error">${why}</p>` : ''}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'corpus-picker': CorpusPicker;
  }
}
