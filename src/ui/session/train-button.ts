import { html } from 'lit';
import type { TrainPlan } from './train-plan';

/** The Train button of a plan, labelled by what it will do and described by the line under it. */
export function trainButton(plan: TrainPlan, disabled: boolean, onTrain: () => void) {
  return html`<button
    @click=${onTrain}
    ?disabled=${disabled || plan.blocked}
    aria-describedby="train-hint"
  >
    ${plan.label}
  </button>`;
}

/** The line under the Train row: what Train will do, or why it refused (pointing at the bad field). */
export function trainHint(plan: TrainPlan, refusal: string, running: boolean) {
  if (refusal) return html`<p class="error" id="train-hint" role="alert">${refusal}</p>`;
  return html`<p class="muted" id="train-hint" data-testid="train-hint">
    ${running ? '' : plan.hint}
  </p>`;
}
