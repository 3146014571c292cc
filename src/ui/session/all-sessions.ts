import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { ModelKind, SessionMeta } from '../../shared/protocol';
import { listSessions } from '../../storage/checkpoints/store';
import { openAppDb } from '../../storage/db';
import { formatBytes } from '../format';
import { sessionSummary } from './list';
import { disclosureStyles, panelStyles } from '../styles';

/** The tab that trains each model kind. */
export const TAB_OF: Record<ModelKind, 'text' | 'faces' | 'segmentation'> = {
  'char-lstm': 'text',
  gan: 'faces',
  segmenter: 'segmentation',
};

/** Every saved session of every model in one list, newest first; fires `open-tab` with the tab id. */
@customElement('all-sessions')
export class AllSessions extends LitElement {
  static override styles = [
    panelStyles,
    disclosureStyles,
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

  @state() private sessions: SessionMeta[] = [];

  /** Re-reads all sessions from IndexedDB (after a save, an import or a delete). */
  async refresh(): Promise<void> {
    const all = await listSessions(await openAppDb());
    this.sessions = all.sort((a, b) => b.savedAt - a.savedAt);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  override render() {
    const total = this.sessions.reduce((sum, s) => sum + s.sizeBytes, 0);
    const n = this.sessions.length;
    const summary = `All sessions on this device: ${n}${n ? `, ${formatBytes(total)}` : ''}`;
    return html`<details class="card" @toggle=${() => void this.refresh()}>
      <summary>${summary}</summary>
      ${
        this.sessions.length === 0
          ? html`<p class="muted">No saved sessions yet.</p>`
          : html`<ul>
              ${this.sessions.map(
                (s) =>
                  html`<li>
                    <span
                      ><b>${s.name}</b><br /><span class="muted">${sessionSummary(s)}</span></span
                    >
                    <button
                      class="secondary"
                      aria-label="Open ${s.name} in its tab"
                      @click=${() =>
                        this.dispatchEvent(
                          new CustomEvent('open-tab', {
                            detail: TAB_OF[s.model],
                            bubbles: true,
                            composed: true,
                          }),
                        )}
                    >
                      Open tab
                    </button>
                  </li>`,
              )}
            </ul>`
      }
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'all-sessions': AllSessions;
  }
}
