import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import {
  BENCH_MODEL_LABELS,
  type BenchModel,
  type BenchReport,
  type BenchSize,
} from '../../shared/bench';
import { BenchController } from './controller';
import { BENCH_METRICS, formatRate } from './format';
import { panelStyles } from '../styles';

/** The Benchmark tab: measures training speed of each model on this device and exports the numbers. */
@customElement('bench-panel')
export class BenchPanel extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .table-wrap {
        overflow-x: auto;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 0.9rem;
        font-variant-numeric: tabular-nums;
      }
      caption {
        text-align: left;
        font-weight: 600;
        margin-bottom: 0.25rem;
      }
      th,
      td {
        text-align: left;
        vertical-align: top;
        padding: 0.35rem 0.4rem;
        border-bottom: 1px solid var(--border);
      }
      /* Long words wrap only where needed, so the three model columns fit a 390 px phone. */
      td.recipe {
        overflow-wrap: break-word;
      }
      thead th {
        vertical-align: bottom;
      }
      tbody th {
        font-weight: 500;
        width: 28%;
      }
      .arch {
        display: block;
        font-weight: 400;
        font-size: 0.8rem;
        color: var(--muted);
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25rem 0.75rem;
        margin: 0 0 0.75rem;
      }
      dt {
        color: var(--muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      fieldset {
        border: 1px solid var(--border);
        border-radius: 8px;
        margin: 0 0 0.75rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0 1rem;
      }
      .actions {
        margin-top: 0.75rem;
      }
    `,
  ];

  private readonly bench = new BenchController(this);

  private renderReport(r: BenchReport) {
    return html`<section class="card" aria-labelledby="bench-results">
      <h3 id="bench-results">Results</h3>
      <dl>
        <dt>Backend</dt>
        <dd data-testid="bench-backend">${r.backend}</dd>
        ${
          r.adapter
            ? html`<dt>Adapter</dt>
                <dd>${r.adapter}</dd>`
            : ''
        }
        <dt>Recipes</dt>
        <dd>${r.size === 'small' ? 'small batches' : 'defaults'}</dd>
        <dt>Matmul peak</dt>
        <dd data-testid="matmul-peak">
          ${formatRate(r.matmulPeakFlopsPerSec, 'FLOP/s')} (${r.matmulN}×${r.matmulN})
        </dd>
        <dt>Finished</dt>
        <dd>${new Date(r.date).toLocaleString()}, in ${r.seconds.toFixed(0)} s</dd>
      </dl>
      ${
        r.gpuErrors
          ? html`<p class="error">
              WebGPU reported ${r.gpuErrors} error(s) during the run: these numbers may be wrong.
            </p>`
          : ''
      }
      <div class="table-wrap" role="region" aria-label="Benchmark results" tabindex="0">
        <table data-testid="bench-table">
          <caption>
            Training speed per model on ${r.backend}
          </caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              ${r.rows.map((row) => {
                const [label, arch] = BENCH_MODEL_LABELS[row.model].split(' (');
                // A soft hyphen lets the longest header break on a phone instead of widening its column.
                const name = label.replace('Segmentation', 'Segmen\u00adtation');
                return html`<th scope="col">
                  ${name}<span class="arch">${arch ? arch.replace(')', '') : ''}</span>
                </th>`;
              })}
            </tr>
          </thead>
          <tbody>
            ${BENCH_METRICS.map(
              (m) =>
                html`<tr>
                  <th scope="row">${m.label}</th>
                  ${r.rows.map(
                    (row) =>
                      html`<td class=${m.label === 'Recipe' ? 'recipe' : ''}>${m.value(row)}</td>`,
                  )}
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="row actions">
        <button class="secondary" @click=${() => this.bench.download()}>Download JSON</button>
      </div>
    </section>`;
  }

  override render() {
    const b = this.bench;
    return html`<section class="card" aria-labelledby="bench-title">
        <h2 id="bench-title">Benchmark</h2>
        <p>
          Trains each model's default recipe for a few seconds on this device and measures examples
          per second, step time, estimated FLOP/s against the backend's matmul peak, leaked tensors,
          checkpoint save time, and this page's long tasks meanwhile (training runs in a worker, so
          there should be none). It takes about a minute on a laptop GPU and longer on a CPU. Pause
          any training first: it shares the device.
        </p>
        <p class="muted">Backend: <span data-testid="backend">${b.backend || 'starting…'}</span></p>
        <fieldset ?disabled=${b.running}>
          <legend>Models</legend>
          ${(Object.keys(BENCH_MODEL_LABELS) as BenchModel[]).map(
            (m) =>
              html`<label class="check">
                <input
                  type="checkbox"
                  .checked=${b.models.includes(m)}
                  @change=${(e: Event) => b.toggle(m, (e.target as HTMLInputElement).checked)}
                />
                ${BENCH_MODEL_LABELS[m]}
              </label>`,
          )}
        </fieldset>
        <div class="row">
          <label>
            Size
            <select
              ?disabled=${b.running}
              @change=${(e: Event) => b.setSize((e.target as HTMLSelectElement).value as BenchSize)}
            >
              <option value="default" ?selected=${b.size === 'default'}>Default recipes</option>
              <option value="small" ?selected=${b.size === 'small'}>
                Small batches (slow devices)
              </option>
            </select>
          </label>
          <button
            @click=${() => void b.run()}
            ?disabled=${b.running || !b.backend || b.models.length === 0}
          >
            ${b.running ? 'Running…' : 'Run benchmark'}
          </button>
        </div>
        ${
          b.progress && b.running
            ? html`<p role="status" data-testid="bench-progress">${b.progress.message}</p>
                <progress
                  max="1"
                  .value=${b.progress.fraction}
                  aria-label="Benchmark progress"
                ></progress>`
            : ''
        }
        ${b.error ? html`<p class="error" role="alert">${b.error}</p>` : ''}
      </section>
      ${b.report ? this.renderReport(b.report) : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bench-panel': BenchPanel;
  }
}
