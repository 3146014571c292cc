import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { detectPreset, type PresetName } from './presets';
import { panelStyles } from './styles';

/**
 * The "Preset: phone / laptop" select: detects the device once, then fires `preset-change` with the
 * preset name, on detection and whenever the person picks another one.
 */
@customElement('preset-select')
export class PresetSelect extends LitElement {
  static override styles = panelStyles;

  @state() private value: PresetName | '' = '';
  @state() private why = '';

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.value) return;
    void detectPreset().then(({ name, reasons }) => {
      if (this.value) return; // the person chose before detection finished
      this.why = reasons.length ? `Chosen for ${reasons.join(', ')}.` : 'Chosen for this device.';
      this.pick(name);
    });
  }

  private pick(name: PresetName): void {
    this.value = name;
    this.dispatchEvent(new CustomEvent<PresetName>('preset-change', { detail: name }));
  }

  override render() {
    return html`<label title=${this.why}
      >Preset
      <select
        @change=${(e: Event) => this.pick((e.target as HTMLSelectElement).value as PresetName)}
      >
        <option value="phone" ?selected=${this.value === 'phone'}>Phone (small memory)</option>
        <option value="laptop" ?selected=${this.value === 'laptop'}>Laptop or desktop</option>
      </select></label
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'preset-select': PresetSelect;
  }
}
