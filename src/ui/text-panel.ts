import { LitElement, html, css } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { disclosureStyles, panelStyles } from './styles';
import { sessionList, statusLines } from './status-lines';
import { TextController } from './text-controller';
import './train-progress';
import './metric-chart';
import './help-panel';
import './preset-select';
import { PRESETS, type PresetName } from './presets';
import { textSettingsFrom } from './restored-settings';

/** The Text tab: corpus choice, training of the char-LSTM and sampling at several temperatures. */
@customElement('text-panel')
export class TextPanel extends LitElement {
  static override styles = [
    panelStyles,
    disclosureStyles,
    css`
      .samples {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
        gap: 0.75rem;
      }
      .samples pre {
        white-space: pre-wrap;
        word-break: break-word;
        background: var(--bg);
        border-radius: 8px;
        padding: 0.6rem;
        min-height: 4rem;
        margin: 0.25rem 0 0;
        font-size: 0.85rem;
      }
      .samples figcaption {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
      }
      textarea {
        width: 100%;
        font-family: ui-monospace, monospace;
      }
    `,
  ];

  private readonly ctl = new TextController(this);
  @state() private temperatures = '0.2, 0.5, 1.0, 1.2';
  @state() private seed = '';
  @state() private length = 400;
  @state() private batchSize = 128;
  @state() private learningRate = 0.01;
  @state() private units = 128;
  @state() private lowerCase = true;

  // A resumed session shows its own settings; a preset sets the sizes for this device.
  override willUpdate(): void {
    const restored = textSettingsFrom(this.ctl.takeRestoredConfig());
    if (!restored) return;
    ({ batchSize: this.batchSize, learningRate: this.learningRate, units: this.units } = restored);
    this.ctl.selected = restored.corpus;
  }

  private applyPreset(name: PresetName): void {
    ({ batchSize: this.batchSize, units: this.units } = PRESETS[name].text);
  }

  private corpusOptions() {
    const c = this.ctl;
    const value = c.selected.kind === 'bundled' ? 'bundled' : c.selected.id;
    return html`<label
      >Corpus
      <select
        aria-label="Corpus"
        @change=${(e: Event) => {
          const v = (e.target as HTMLSelectElement).value;
          const info = c.corpora.find((x) => x.id === v);
          c.select(
            info
              ? { kind: 'stored', id: info.id, name: info.name }
              : { kind: 'bundled', name: 'Moby-Dick' },
          );
        }}
      >
        <option value="bundled" ?selected=${value === 'bundled'}>
          Moby-Dick (bundled, 1.2 MB)
        </option>
        ${c.corpora.map((x) => html`<option value=${x.id} ?selected=${x.id === value}>${x.name} (${(x.sizeBytes / 1e6).toFixed(1)} MB)</option>`)}
      </select></label
    >`;
  }

  private trainControls() {
    const c = this.ctl;
    return html`<section class="card split" aria-labelledby="data-h">
      <h2 id="data-h">Data and training</h2>
      <div class="row">
        ${this.corpusOptions()}
        <button class="secondary" @click=${() => c.downloadNietzsche()} ?disabled=${!!c.busy}>
          Download Nietzsche corpus
        </button>
        <label
          >Your own .txt file
          <input
            type="file"
            accept=".txt,text/plain"
            aria-label="Choose text file"
            @change=${(e: Event) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) void c.importFile(f);
            }}
        /></label>
      </div>
      <div class="row" style="margin-top:.75rem">
        <preset-select
          @preset-change=${(e: CustomEvent<PresetName>) => this.applyPreset(e.detail)}
        ></preset-select>
        <label
          >Batch size
          <input
            type="number"
            min="1"
            max="1024"
            .value=${String(this.batchSize)}
            @change=${(e: Event) => (this.batchSize = Number((e.target as HTMLInputElement).value))}
        /></label>
        <label
          >Learning rate
          <input
            type="number"
            step="0.001"
            min="0"
            .value=${String(this.learningRate)}
            @change=${(e: Event) => (this.learningRate = Number((e.target as HTMLInputElement).value))}
        /></label>
        <label
          >LSTM units
          <input
            type="number"
            min="1"
            max="1024"
            .value=${String(this.units)}
            @change=${(e: Event) => (this.units = Number((e.target as HTMLInputElement).value))}
        /></label>
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.lowerCase}
            @change=${(e: Event) => (this.lowerCase = (e.target as HTMLInputElement).checked)}
          />
          Lower-case the text</label
        >
        <button
          @click=${() =>
            c.train(
              {
                batchSize: this.batchSize,
                learningRate: this.learningRate,
                units: this.units,
              },
              this.lowerCase,
            )}
          ?disabled=${c.running || !!c.busy || !c.backend}
        >
          Train
        </button>
        <button class="secondary" @click=${() => c.pause()} ?disabled=${!c.running}>Pause</button>
      </div>
      <div class="results">
        <train-progress
          .progress=${c.progress}
          .session=${c.current?.name ?? null}
        ></train-progress>
        <metric-chart label="Text training loss" .history=${c.history}></metric-chart>
      </div>
    </section>`;
  }

  private sampleControls() {
    const c = this.ctl;
    const temps = this.temperatures.split(',').map((t) => Number(t.trim()));
    return html`<section class="card" aria-labelledby="sample-h">
      <h2 id="sample-h">Sample</h2>
      <label
        >Seed (empty: a random 40-character window of the corpus)
        <textarea
          rows="2"
          .value=${this.seed}
          @input=${(e: Event) => (this.seed = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
      </label>
      <div class="row" style="margin-top:.75rem">
        <label
          >Temperatures
          <input
            .value=${this.temperatures}
            @change=${(e: Event) => (this.temperatures = (e.target as HTMLInputElement).value)}
        /></label>
        <label
          >Length
          <input
            type="number"
            min="1"
            max="2000"
            .value=${String(this.length)}
            @change=${(e: Event) => (this.length = Number((e.target as HTMLInputElement).value))}
        /></label>
        <button @click=${() => c.sample(this.seed, this.length, temps)} ?disabled=${c.sampling}>
          Sample
        </button>
        <button class="secondary" @click=${() => c.cancelSample()} ?disabled=${!c.sampling}>
          Cancel sampling
        </button>
      </div>
      <p class="muted" data-testid="sample-source">${this.sampleSource()}</p>
      ${c.sampleSeed ? html`<p class="muted">Seed: “${c.sampleSeed}”</p>` : ''}
      <div class="samples" aria-live="polite">
        ${this.figures(c.samples, temps, 'sample', c.sampleRates)}
      </div>
    </section>`;
  }

  // Which model Sample uses: the loaded session, or the starter at first open.
  private sampleSource(): string {
    const c = this.ctl;
    if (c.current) return `From ${c.current.name}, step ${c.current.step.toLocaleString('en-US')}.`;
    if (c.sessions[0]) return `From ${c.sessions[0].name}, step ${c.sessions[0].step}.`;
    return c.starter ? `From the starter model: ${c.starter.name}.` : '';
  }

  /** One figure per temperature with a Copy button and, when known, its valid-word rate. */
  private figures(texts: string[], temps: number[], testId: string, rates?: number[]) {
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
              @click=${() => this.ctl.copy(t, `temperature ${temps[i]}`)}
            >
              Copy
            </button>
          </figcaption>
          <pre data-testid=${testId}>${t}</pre>
        </figure>`,
    );
  }

  // Every sample set kept with the session, newest first: how the writing changed with training.
  private sampleHistory() {
    const kept = this.ctl.sampleHistory;
    if (!kept.length) return '';
    return html`<section class="card" aria-labelledby="sample-history-h">
      <h2 id="sample-history-h">Sample history (${kept.length})</h2>
      ${kept.map(
        (s, i) =>
          html`<details ?open=${i === 0} data-testid="sample-set">
            <summary>Step ${s.step} · seed “${s.seed}”</summary>
            <div class="samples">
              ${this.figures(s.texts, s.temperatures, 'kept-sample', s.validWordRates)}
            </div>
          </details>`,
      )}
    </section>`;
  }

  override render() {
    const c = this.ctl;
    return html`
      ${statusLines(c)} <help-panel topic="text"></help-panel>
      ${this.sampleControls()} ${this.trainControls()} ${this.sampleHistory()}
      ${sessionList(c, 'Saved text sessions', () => void c.fineTune())}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'text-panel': TextPanel;
  }
}
