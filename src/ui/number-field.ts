import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { describeRule, parseStrictNumber, type NumberRule } from './number-parse';
import { panelStyles } from './styles';

/** How far a field has said its refusal (see `said`). */
type Said = 'not' | 'quiet' | 'shown';

/** Hides a `quiet` message from sight but not from screen readers. */
export const quietStyle = css`
  .quiet {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;

/**
 * A field's message. Leaving a field says a refusal only to screen readers (`quiet`): a message that
 * appeared on blur moved the button under the pointer, and the click on Train or Sample was lost.
 */
export function fieldMessage(id: string, text: string, quiet: boolean) {
  return html`<p id=${id} class=${quiet ? 'error quiet' : 'error'}>${text}</p>`;
}

/**
 * A labelled number input that reads strictly: what the person typed stays visible, a refused value
 * shows the field's message beside it (`aria-invalid`, `aria-describedby`), and only accepted values
 * leave as `value-change` events.
 */
@customElement('number-field')
export class NumberField extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        display: inline-block;
        max-width: 100%;
      }
      input {
        width: 8rem;
      }
      input[aria-invalid='true'] {
        border-color: var(--error);
        box-shadow: 0 0 0 1px var(--error);
      }
      .error {
        margin: 0;
        max-width: 16rem;
        font-size: 0.85rem;
      }
      ${quietStyle}
    `,
  ];

  @property() label = '';
  /** The accepted value; set from outside (a preset, a restored session) it replaces the text. */
  @property({ type: Number }) value = 0;
  @property({ type: Number }) min = 0;
  @property({ type: Number }) max = Number.MAX_SAFE_INTEGER;
  @property({ type: Boolean }) integer = false;
  @property({ type: Boolean, attribute: 'above-min' }) aboveMin = false;
  @property({ type: Boolean }) disabled = false;

  /** What the person typed, while it is not simply the value. */
  @state() private text: string | null = null;
  /** How a refusal is said: not yet, only to screen readers (the field was left), or shown (an action checked it). */
  @state() private said: Said = 'not';
  @query('input') private input!: HTMLInputElement;

  private get rule(): NumberRule {
    return { min: this.min, max: this.max, integer: this.integer, aboveMin: this.aboveMin };
  }

  /** Whether the typed text is accepted. */
  get valid(): boolean {
    return this.text === null || parseStrictNumber(this.text, this.rule) !== null;
  }

  /** The field's message, for a pointer from elsewhere (a refused Train). */
  get message(): string {
    return describeRule(this.rule);
  }

  /** Shows the message if the typed text is refused; returns whether it is accepted. */
  check(): boolean {
    this.said = 'shown';
    return this.valid;
  }

  override focus(): void {
    this.input?.focus();
  }

  // A value set from outside replaces the text; the echo of the person's own accepted value does not.
  override willUpdate(changed: PropertyValues<this>): void {
    if (
      changed.has('value') &&
      this.text !== null &&
      parseStrictNumber(this.text, this.rule) !== this.value
    ) {
      this.text = null;
      this.said = 'not';
    }
  }

  private onInput(e: Event): void {
    this.text = (e.target as HTMLInputElement).value;
    const value = parseStrictNumber(this.text, this.rule);
    if (value === null) return;
    this.value = value;
    this.dispatchEvent(new CustomEvent('value-change', { detail: value, bubbles: true }));
  }

  override render() {
    const bad = this.said !== 'not' && !this.valid;
    // The label's text comes first, as in the other fields (what a label's first child says).
    return html`<label
        ><span>${this.label}</span>
        <input
          inputmode=${this.integer ? 'numeric' : 'decimal'}
          autocomplete="off"
          spellcheck="false"
          .value=${this.text ?? String(this.value)}
          ?disabled=${this.disabled}
          aria-invalid=${bad ? 'true' : 'false'}
          aria-describedby=${ifDefined(bad ? 'message' : undefined)}
          @input=${this.onInput}
          @change=${() => (this.said = this.said === 'not' ? 'quiet' : this.said)}
      /></label>
      ${bad ? fieldMessage('message', this.message, this.said === 'quiet') : ''}`;
  }
}

/** Checks every number field under `root` (each shows its message) and focuses the first refused one; returns the pointer to it, or '' when all are accepted. */
export function refusedField(root: ParentNode | null | undefined): string {
  const fields = [...(root?.querySelectorAll('number-field') ?? [])];
  const bad = fields.filter((f) => !f.check())[0];
  if (!bad) return '';
  bad.focus();
  return `Fix “${bad.label}” first. ${bad.message}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'number-field': NumberField;
  }
}
