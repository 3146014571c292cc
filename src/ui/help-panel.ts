import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { HeadRow } from '../models/heads';
import { helpContent, type HelpTopic } from './help-content';
import { disclosureStyles, panelStyles } from './styles';

/** A collapsed "How this works" panel: the model, its recipe and tricks, and what the numbers mean. */
@customElement('help-panel')
export class HelpPanel extends LitElement {
  static override styles = [
    panelStyles,
    disclosureStyles,
    css`
      dt {
        font-weight: 600;
        margin-top: 0.5rem;
      }
      dd {
        margin-left: 1rem;
      }
      .table-wrap {
        overflow-x: auto;
      }
      table {
        border-collapse: collapse;
        font-size: 0.9rem;
        margin: 0.5rem 0;
      }
      caption {
        text-align: left;
        font-weight: 600;
      }
      td,
      th {
        text-align: left;
        padding: 0.25rem 0.5rem;
        border-bottom: 1px solid var(--border);
      }
    `,
  ];

  /** Which tab's help to show. */
  @property() topic: HelpTopic = 'text';
  /** Rows of the head table (from the segmenter worker, since the table lives with tfjs code). */
  @property({ attribute: false }) heads: readonly HeadRow[] = [];

  override render() {
    return html`<details class="card">
      <summary>How this works</summary>
      ${helpContent(this.topic, this.heads)}
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'help-panel': HelpPanel;
  }
}
