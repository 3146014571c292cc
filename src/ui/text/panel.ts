import { LitElement, html, css } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { fieldMessage, quietStyle, refusedField } from '../number-field';
import { describeRule, parseNumberList } from '../number-parse';
import { disclosureStyles, panelStyles } from '../styles';
import { loadedLine, sessionList, statusLines } from '../session/status-lines';
import { TextController } from './controller';
import '../session/progress';
import '../session/chart';
import './corpus-picker';
import '../help-panel';
import '../number-field';
import '../preset-select';
import { PRESETS, type PresetName } from '../presets';
import { textPlanPairs, textSettingsFrom } from '../session/restored-settings';
import { sampleFigures, sampleHistory } from './samples';
import { trainButton, trainHint } from '../session/train-button';
import { planTrain } from '../session/train-plan';
import type { CorpusRef } from '../../shared/protocol/text';

const TEMPERATURE = { min: 0, max: 10, aboveMin: true };
const TEMPS_MESSAGE = `Separate temperatures by commas. ${describeRule(TEMPERATURE).replace('Enter a number', 'Each is a number')}`;

/** The Text tab: corpus choice, training of the char-LSTM and sampling at several temperatures. */
@customElement('text-panel')
export class TextPanel extends LitElement {
  static override styles = [
    panelStyles,
    disclosureStyles,
    quietStyle,
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
  /** The temperatures of the samples on screen. */
  @state() private sampled: number[] = [];
  /** How the Temperatures field says a refusal, as a number field does. */
  @state() private tempsSaid: 'not' | 'quiet' | 'shown' = 'not';
  @state() private seed = '';
  @state() private length = 400;
  @state() private batchSize = 128;
  @state() private learningRate = 0.01;
  @state() private units = 128;
  @state() private lowerCase = true;
  /** Why Train or Sample was refused, pointing at the first bad field. */
  @state() private refusal = { train: '', sample: '' };

  // A resumed session shows its own settings; a preset sets the sizes for this device.
  override willUpdate(): void {
    const restored = textSettingsFrom(this.ctl.takeRestoredConfig());
    if (!restored) return;
    ({
      batchSize: this.batchSize,
      learningRate: this.learningRate,
      units: this.units,
      lowerCase: this.lowerCase,
    } = restored);
    this.ctl.selected = restored.corpus;
  }

  private applyPreset(name: PresetName): void {
    ({ batchSize: this.batchSize, units: this.units } = PRESETS[name].text);
  }

  // Train continues the loaded session unless its model or data differ from the form.
  private plan() {
    const c = this.ctl;
    const s = c.current;
    const form = {
      batchSize: this.batchSize,
      learningRate: this.learningRate,
      units: this.units,
      corpus: c.selected,
      lowerCase: this.lowerCase,
    };
    const pairs = s && !c.starterLoaded ? textPlanPairs(c.loadedConfig, form) : null;
    const loaded = pairs && s && { ...s, elsewhere: c.trainedElsewhere(s.id) };
    return planTrain(loaded || null, pairs?.architecture ?? [], pairs?.tunable ?? []);
  }

  private train(): void {
    const c = this.ctl;
    this.refusal = {
      ...this.refusal,
      train: refusedField(this.renderRoot.querySelector('#train-fields')),
    };
    if (this.refusal.train) return;
    const { batchSize, learningRate, units } = this;
    if (this.plan().continues && c.current)
      void c.resume(c.current.id, { batchSize, learningRate });
    else void c.train({ batchSize, learningRate, units }, this.lowerCase);
  }

  private sample(): void {
    const temps = parseNumberList(this.temperatures, TEMPERATURE);
    this.tempsSaid = 'shown';
    const bad = refusedField(this.renderRoot.querySelector('#sample-fields'));
    // Temperatures come first in the row, so they are the first field to fix.
    if (!temps) this.renderRoot.querySelector<HTMLInputElement>('#temperatures')?.focus();
    const refusal = temps ? bad : `Fix “Temperatures” first. ${TEMPS_MESSAGE}`;
    this.refusal = { ...this.refusal, sample: refusal };
    if (refusal || !temps) return;
    this.sampled = temps;
    void this.ctl.sample(this.seed, this.length, temps);
  }

  private trainControls() {
    const c = this.ctl;
    const plan = this.plan();
    const s = c.current;
    const elsewhere = c.trainedElsewhere(s?.id);
    return html`<section class="card split" aria-labelledby="data-h">
      <h2 id="data-h">Data and training</h2>
      <corpus-picker
        .corpora=${c.corpora}
        .selected=${c.selected}
        .fileError=${c.fileError}
        ?disabled=${!!c.busy}
        @corpus-change=${(e: CustomEvent<CorpusRef>) => c.select(e.detail)}
        @download=${() => c.downloadNietzsche()}
        @file-pick=${(e: CustomEvent<File>) => c.importFile(e.detail)}
      ></corpus-picker>
      <div
        class="row"
        id="train-fields"
        style="margin-top:.75rem"
        @value-change=${() => (this.refusal = { ...this.refusal, train: '' })}
      >
        <preset-select
          @preset-change=${(e: CustomEvent<PresetName>) => this.applyPreset(e.detail)}
        ></preset-select>
        <number-field
          label="Batch size"
          integer
          min="1"
          max="1024"
          .value=${this.batchSize}
          @value-change=${(e: CustomEvent<number>) => (this.batchSize = e.detail)}
        ></number-field>
        <number-field
          label="Learning rate"
          above-min
          min="0"
          max="10"
          .value=${this.learningRate}
          @value-change=${(e: CustomEvent<number>) => (this.learningRate = e.detail)}
        ></number-field>
        <number-field
          label="LSTM units"
          integer
          min="1"
          max="1024"
          .value=${this.units}
          @value-change=${(e: CustomEvent<number>) => (this.units = e.detail)}
        ></number-field>
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.lowerCase}
            @change=${(e: Event) => (this.lowerCase = (e.target as HTMLInputElement).checked)}
          />
          Lower-case the text</label
        >
        ${trainButton(plan, c.running || !!c.busy || !c.backend, () => this.train())}
        <button class="secondary" @click=${() => c.pause()} ?disabled=${!c.running}>Pause</button>
      </div>
      ${trainHint(plan, this.refusal.train, c.running)}
      <div class="results">
        <train-progress
          .progress=${c.progress}
          .session=${loadedLine(c)}
          idle=${elsewhere ? 'in another tab' : 'not started'}
        ></train-progress>
        <metric-chart label="Text training loss" .history=${c.history}></metric-chart>
      </div>
    </section>`;
  }

  private temperaturesField() {
    const bad = this.tempsSaid !== 'not' && !parseNumberList(this.temperatures, TEMPERATURE);
    return html`<div>
      <label
        >Temperatures
        <input
          id="temperatures"
          .value=${this.temperatures}
          aria-invalid=${bad ? 'true' : 'false'}
          aria-describedby=${ifDefined(bad ? 'temps-error' : undefined)}
          @input=${(e: Event) => (this.temperatures = (e.target as HTMLInputElement).value)}
          @change=${() => (this.tempsSaid = this.tempsSaid === 'not' ? 'quiet' : this.tempsSaid)}
      /></label>
      ${bad ? fieldMessage('temps-error', TEMPS_MESSAGE, this.tempsSaid === 'quiet') : ''}
    </div>`;
  }

  private sampleControls() {
    const c = this.ctl;
    const copy = (t: string, what: string) => void c.copy(t, what);
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
      <div
        class="row"
        id="sample-fields"
        style="margin-top:.75rem"
        @value-change=${() => (this.refusal = { ...this.refusal, sample: '' })}
      >
        ${this.temperaturesField()}
        <number-field
          label="Length"
          integer
          min="1"
          max="2000"
          .value=${this.length}
          @value-change=${(e: CustomEvent<number>) => (this.length = e.detail)}
        ></number-field>
        <button @click=${() => this.sample()} ?disabled=${c.sampling}>Sample</button>
        <button class="secondary" @click=${() => c.cancelSample()} ?disabled=${!c.sampling}>
          Cancel sampling
        </button>
      </div>
      ${this.refusal.sample ? html`<p class="error" role="alert">${this.refusal.sample}</p>` : ''}
      <p class="muted" data-testid="sample-source">${this.sampleSource()}</p>
      ${c.sampleSeed ? html`<p class="muted">Seed: “${c.sampleSeed}”</p>` : ''}
      <div class="samples" aria-live="polite">
        ${sampleFigures(c.samples, this.sampled, 'sample', copy, c.sampleRates)}
      </div>
    </section>`;
  }

  // Which model Sample uses and at which step: the loaded session, or the starter at first open.
  private sampleSource(): string {
    const c = this.ctl;
    const s = c.current ?? c.sessions[0];
    if (!s) return c.starter ? `From the starter model: ${c.starter.name}.` : '';
    const step = s.step.toLocaleString('en-US');
    if (c.trainedElsewhere(s.id)) return `Sampling from step ${step}, saved by the other tab.`;
    return `From ${s.name}, step ${step}.`;
  }

  override render() {
    const c = this.ctl;
    const copy = (t: string, what: string) => void c.copy(t, what);
    return html`
      ${statusLines(c)} <help-panel topic="text"></help-panel>
      ${this.sampleControls()} ${this.trainControls()} ${sampleHistory(c.sampleHistory, copy)}
      ${sessionList(c, 'Saved text sessions', () => void c.fineTune())}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'text-panel': TextPanel;
  }
}
