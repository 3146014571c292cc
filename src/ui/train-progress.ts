import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TrainProgress } from '../shared/protocol';
import { formatDuration, formatNumber } from './format';
import { panelStyles } from './styles';

/** Step, epoch, named metrics, speed and ETA of a training run, announced politely. */
@customElement('train-progress')
export class TrainProgressView extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) progress: TrainProgress | null = null;
  /** Metric key → label, in display order. */
  @property({ attribute: false }) metrics: Record<string, string> = { loss: 'Loss' };

  override render() {
    const p = this.progress;
    if (!p) return html``;
    return html`<div class="stats" role="status" aria-live="polite">
        <div class="stat">Step<b data-testid="step">${p.step}</b></div>
        <div class="stat">Epoch<b>${p.epoch + 1}</b></div>
        ${Object.entries(this.metrics).map(
          ([key, label]) =>
            html`<div class="stat">
              ${label}<b data-testid=${key}>${formatNumber(p.metrics[key])}</b>
            </div>`,
        )}
        <div class="stat">Examples/s<b>${p.examplesPerSec.toFixed(1)}</b></div>
        <div class="stat">Steps/s<b>${p.stepsPerSec.toFixed(2)}</b></div>
        <div class="stat">Epoch ETA<b>${formatDuration(p.etaSec)}</b></div>
        <div class="stat">State<b data-testid="state">${p.state}</b></div>
      </div>
      <progress max="1" .value=${p.epochFraction} aria-label="Epoch progress"></progress>
      ${
        p.savedStep !== undefined
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
