import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';

/** The app shell: tabs for the three models and the sessions list. */
@customElement('app-root')
export class AppRoot extends LitElement {
  override render() {
    return html`<h1>Offline DL Playground</h1>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'app-root': AppRoot;
  }
}
