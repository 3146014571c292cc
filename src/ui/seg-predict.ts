import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { pngUrl } from './png-url';
import { panelStyles } from './styles';

/** A prediction as the panel shows it: the image at the model size and its RGBA mask. */
export interface PredictionView {
  name: string;
  imagePng: Uint8Array;
  maskPng: Uint8Array;
}

/** "Predict on an image": a file input and the picked image with its predicted mask overlaid at `opacity`. */
@customElement('seg-predict')
export class SegPredict extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .overlay {
        position: relative;
        display: inline-block;
        width: min(100%, 16rem);
        margin-top: 0.5rem;
      }
      .overlay img {
        width: 100%;
        display: block;
        image-rendering: pixelated;
      }
      .overlay img + img {
        position: absolute;
        inset: 0;
      }
      input[type='file'] {
        width: 100%;
      }
    `,
  ];

  @property({ attribute: false }) prediction: PredictionView | null = null;
  @property({ type: Number }) opacity = 0.5;
  @property({ type: Boolean }) disabled = false;
  private urls: [string, string] | null = null;
  private urlsFor: PredictionView | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.revoke();
  }

  private revoke(): void {
    this.urls?.forEach((u) => URL.revokeObjectURL(u));
    this.urls = null;
    this.urlsFor = null;
  }

  private onFile(input: HTMLInputElement): void {
    const file = input.files?.[0];
    input.value = '';
    if (file)
      this.dispatchEvent(
        new CustomEvent('predict-file', { detail: file, bubbles: true, composed: true }),
      );
  }

  override render() {
    const p = this.prediction;
    if (p && this.urlsFor !== p) {
      this.revoke();
      this.urls = [pngUrl(p.imagePng), pngUrl(p.maskPng)];
      this.urlsFor = p;
    }
    return html`<label
        >Predict on an image
        <input
          type="file"
          accept="image/*"
          ?disabled=${this.disabled}
          @change=${(e: Event) => this.onFile(e.target as HTMLInputElement)}
      /></label>
      ${
        p && this.urls
          ? html`<div class="overlay" data-testid="prediction">
              <img src=${this.urls[0]} alt="${p.name} at the model size" />
              <img
                src=${this.urls[1]}
                alt="Predicted mask of ${p.name}"
                style="opacity:${this.opacity}"
              />
            </div>`
          : ''
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'seg-predict': SegPredict;
  }
}
