import { LitElement, html, css } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SessionMeta } from '../shared/protocol';
import { formatBytes, formatNumber, formatTime } from './format';
import { panelStyles } from './styles';

const MODEL_NAMES = { 'char-lstm': 'char-LSTM', gan: 'DCGAN', segmenter: 'Segmenter' } as const;

/** A list of saved sessions with Export and Resume buttons; fires `export` and `resume` with the session id. */
@customElement('session-list')
export class SessionList extends LitElement {
  static override styles = [
    panelStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: center;
        gap: 0.5rem;
        padding: 0.5rem 0;
        border-top: 1px solid var(--border);
      }
    `,
  ];

  @property({ attribute: false }) sessions: SessionMeta[] = [];
  @property({ type: Boolean }) disabled = false;
  @property() heading = 'Saved sessions';

  override render() {
    return html`<section class="card" aria-label=${this.heading}>
      <h2>${this.heading}</h2>
      ${
        this.sessions.length === 0
          ? html`<p class="muted">No saved sessions yet. Press Train to start one.</p>`
          : ''
      }
      <ul>
        ${this.sessions.map(
          (s) =>
            html`<li>
              <span
                ><b>${s.name}</b><br /><span class="muted"
                  >${MODEL_NAMES[s.model]} · ${s.dataset} · step ${s.step} · loss
                  ${formatNumber(s.lastLoss)} · ${formatBytes(s.sizeBytes)} · saved
                  ${formatTime(s.savedAt)}</span
                ></span
              >
              <button
                aria-label="Resume ${s.name}"
                ?disabled=${this.disabled}
                @click=${() =>
                  this.dispatchEvent(
                    new CustomEvent('resume', { detail: s.id, bubbles: true, composed: true }),
                  )}
              >
                Resume
              </button>
            </li>`,
        )}
      </ul>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'session-list': SessionList;
  }
}
