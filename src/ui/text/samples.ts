import { html } from 'lit';
import type { TextSample } from '../../shared/protocol/text';

/** Copies a sample's text; `what` names it in the notice. */
export type CopySample = (text: string, what: string) => void;

/** One figure per temperature with a Copy button and, when known, its valid-word rate. */
export function sampleFigures(
  texts: string[],
  temps: number[],
  testId: string,
  copy: CopySample,
  rates?: number[],
) {
  return texts.map(
    (t, i) =>
      html`<figure style="margin:0">
        <figcaption>
          Temperature ${temps[i]}
          ${
            rates?.[i] !== undefined
              ? html`<span class="muted" data-testid="word-rate"
                  >·
                  ${
                    Number.isFinite(rates[i])
                      ? `${Math.round(rates[i] * 100)}% real words`
                      : 'no words'
                  }</span
                >`
              : ''
          }
          <button
            class="secondary"
            aria-label="Copy the temperature ${temps[i]} sample"
            ?disabled=${!t}
            @click=${() => copy(t, `temperature ${temps[i]}`)}
          >
            Copy
          </button>
        </figcaption>
        <pre data-testid=${testId}>${t}</pre>
      </figure>`,
  );
}

/** Every sample set kept with the session, newest first: how the writing changed with training. */
export function sampleHistory(kept: TextSample[], copy: CopySample) {
  if (!kept.length) return '';
  return html`<section class="card" aria-labelledby="sample-history-h">
    <h2 id="sample-history-h">Sample history (${kept.length})</h2>
    ${kept.map(
      (s, i) =>
        html`<details ?open=${i === 0} data-testid="sample-set">
          <summary>Step ${s.step} · seed “${s.seed}”</summary>
          <div class="samples">
            ${sampleFigures(s.texts, s.temperatures, 'kept-sample', copy, s.validWordRates)}
          </div>
        </details>`,
    )}
  </section>`;
}
