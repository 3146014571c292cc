import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { downloadPng, PngUrls } from '../png-url';
import { panelStyles } from '../styles';
import type { GanSnapshot } from '../../shared/protocol/faces';

/** The fixed-latent sample grid over training: a slider through its snapshots, Play history and Download PNG. */
@customElement('face-timeline')
export class FaceTimeline extends LitElement {
  static override styles = [
    panelStyles,
    css`
      img {
        image-rendering: pixelated;
        max-width: 100%;
        border-radius: 6px;
        width: min(100%, 32rem);
      }
      input[type='range'] {
        width: min(100%, 32rem);
      }
    `,
  ];

  @property({ attribute: false }) snapshots: GanSnapshot[] = [];
  /** The snapshot shown, or -1 for the newest. */
  @state() private shown = -1;
  /** Timer of the "Play history" animation, when playing. */
  @state() private playing?: ReturnType<typeof setInterval>;
  private readonly urls = new PngUrls();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
    this.urls.clear();
  }

  /** Animates the grid from the first snapshot to the newest, four per second. */
  private play(): void {
    this.stop();
    this.shown = 0;
    this.playing = setInterval(() => {
      const last = this.snapshots.length - 1;
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

  override render() {
    const snaps = this.snapshots;
    if (!snaps.length) return html``;
    const i = this.shown < 0 || this.shown >= snaps.length ? snaps.length - 1 : this.shown;
    const snap = snaps[i];
    return html`<section class="card" aria-labelledby="grid-h">
      <h2 id="grid-h">Samples from fixed latent vectors</h2>
      <img
        data-testid="sample-grid"
        src=${this.urls.get(snap.png)}
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
}

declare global {
  interface HTMLElementTagNameMap {
    'face-timeline': FaceTimeline;
  }
}
