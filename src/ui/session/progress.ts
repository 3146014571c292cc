import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TrainProgress } from '../../shared/protocol';
import { formatDuration, formatNumber } from '../format';
import { panelStyles } from '../styles';

/** Step, epoch, named metrics, speed and ETA of a training run, announced politely. */
@customElement('train-progress')
export class TrainProgressView extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) progress: TrainProgress | null = null;
  /** The loaded session's name, null when none is loaded; left undefined, no line says which. */
  @property({ attribute: false }) session: string | null | undefined = undefined;
  /** The state shown before this tab has progress, e.g. "in another tab". */
  @property() idle = 'not started';
  /** Metric key → label, in display order. */
  @property({ attribute: false }) metrics: Record<string, string> = { loss: 'Loss' };

  // The stats are rendered before training starts (with dashes), so the first progress message only
  // changes text: building this DOM during training would be a long task on a slow phone.
  override render() {
    const p = this.progress;
    const dash = '–';
    const session = this.session;
    return html`${
        session === undefined
          ? ''
          : html`<p class="muted" data-testid="loaded">
              ${session === null ? 'No session loaded.' : `Session: ${session}`}
            </p>`
      }
      <div class="stats" role="status" aria-live="polite">
        <div class="stat">Step<b data-testid="step">${p?.step ?? dash}</b></div>
        <div class="stat">Epoch<b>${p ? p.epoch + 1 : dash}</b></div>
        ${Object.entries(this.metrics).map(
          ([key, label]) =>
            html`<div class="stat">
              ${label}<b data-testid=${key}>${formatNumber(p?.metrics[key])}</b>
            </div>`,
        )}
        <div class="stat">Examples/s<b>${p?.examplesPerSec.toFixed(1) ?? dash}</b></div>
        <div class="stat">Steps/s<b>${p?.stepsPerSec.toFixed(2) ?? dash}</b></div>
        <div class="stat">
          Epoch ETA<b>${p?.state === 'running' ? formatDuration(p.etaSec) : dash}</b>
        </div>
        <div class="stat">State<b data-testid="state">${p?.state ?? this.idle}</b></div>
      </div>
      <progress max="1" .value=${p?.epochFraction ?? 0} aria-label="Epoch progress"></progress>
      ${
        p?.savedStep !== undefined
          ? html`<p class="muted">Checkpoint saved at step ${p.savedStep}.</p>`
          : ''
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'train-progress': TrainProgressView;
  }
}
