import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { CLASS_COLORS } from '../../shared/class-colors';
import { formatNumber } from '../format';
import { PngUrls } from '../png-url';
import { opacitySlider } from './opacity-slider';
import { overlayStyles, panelStyles } from '../styles';

/** A prediction as the card shows it: the image at the model size, its RGBA mask and, for a built-in face, the mask's mean IoU. */
export interface PredictionView {
  name: string;
  imagePng: Uint8Array;
  maskPng: Uint8Array;
  /** The mask's mean IoU against the image's own labels, where they are known (built-in faces). */
  meanIou?: number | null;
}

/** The Segmentation tab's first card: predict a held-out built-in face or a picked image with the loaded model, overlaid at `opacity` with a colour legend. */
@customElement('seg-predict-card')
export class SegPredictCard extends LitElement {
  static override styles = [
    panelStyles,
    overlayStyles,
    css`
      .result {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: flex-start;
        margin-top: 1rem;
      }
      .overlay {
        position: relative;
        width: min(100%, 16rem);
      }
      .about {
        flex: 1 1 14rem;
        min-width: 0;
      }
      .about p {
        margin: 0 0 0.75rem;
      }
      .about label {
        max-width: 20rem;
      }
      .legend {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(8rem, 1fr));
        gap: 0.25rem 1rem;
        list-style: none;
        padding: 0;
        margin: 0.75rem 0 0;
        font-size: 0.9rem;
      }
    `,
  ];

  @property({ attribute: false }) prediction: PredictionView | null = null;
  /** The loaded model's class names; index 0 (background) is drawn transparent. */
  @property({ attribute: false }) classes: readonly string[] = [];
  /** Which model predicts, in words. */
  @property() source = '';
  @property({ type: Number }) opacity = 0.5;
  @property({ type: Boolean }) disabled = false;
  // The image and its mask: two URLs, the older ones revoked when a new prediction comes.
  private readonly urls = new PngUrls(2);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.urls.clear();
  }

  private emit(name: string, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private onFile(input: HTMLInputElement): void {
    const file = input.files?.[0];
    input.value = '';
    if (file) this.emit('predict-file', file);
  }

  private legend() {
    return html`<ul class="legend" aria-label="Colours of the classes">
      ${this.classes.map(
        (name, i) =>
          html`<li>
            <span
              class="swatch"
              style="background: ${i === 0 ? 'transparent' : `rgb(${CLASS_COLORS[i].join(',')})`}"
            ></span
            >${i === 0 ? `${name} (not coloured)` : name}
          </li>`,
      )}
    </ul>`;
  }

  private result(p: PredictionView) {
    const scored = p.meanIou !== undefined && p.meanIou !== null;
    return html`<div class="result">
      <div class="overlay" data-testid="prediction">
        <img src=${this.urls.get(p.imagePng)} alt="${p.name} at the model size" />
        <img
          src=${this.urls.get(p.maskPng)}
          alt="Predicted mask of ${p.name}"
          style="opacity:${this.opacity}"
        />
      </div>
      <div class="about">
        <p>
          ${
            scored
              ? html`A built-in face no session trained on (${p.name}). Mean IoU against its own
                  parts: <b data-testid="face-iou">${formatNumber(p.meanIou ?? undefined)}</b>`
              : html`${p.name}, resized to the model's size.`
          }
        </p>
        ${opacitySlider(this.opacity, (v) => this.emit('opacity-change', v))} ${this.legend()}
      </div>
    </div>`;
  }

  override render() {
    return html`<section class="card" aria-labelledby="seg-predict-h">
      <h2 id="seg-predict-h">Predict</h2>
      <p class="muted" data-testid="predict-source">${this.source}</p>
      <div class="row">
        <button @click=${() => this.emit('predict-builtin')} ?disabled=${this.disabled}>
          Predict a built-in face
        </button>
        <label
          >Predict on an image
          <input
            type="file"
            accept="image/*"
            ?disabled=${this.disabled}
            @change=${(e: Event) => this.onFile(e.target as HTMLInputElement)}
        /></label>
      </div>
      ${this.prediction ? this.result(this.prediction) : ''}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'seg-predict-card': SegPredictCard;
  }
}
