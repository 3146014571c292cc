import { html, type TemplateResult } from 'lit';

/** The "Mask opacity" range input (0 to 1) under a mask overlay; `change` gets each new value. */
export function opacitySlider(opacity: number, change: (value: number) => void): TemplateResult {
  return html`<label
    >Mask opacity
    <input
      type="range"
      min="0"
      max="1"
      step="0.05"
      .value=${String(opacity)}
      @input=${(e: Event) => change(Number((e.target as HTMLInputElement).value))}
  /></label>`;
}
