import { LitElement, html, css } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { registerServiceWorker, storageEstimate, watchInstallPrompt } from '../pwa';
import { formatBytes } from './format';
import { startedWorkers } from './session/worker-client';
import './session/all-sessions';
import './bench/panel';
import './faces/panel';
import './segmentation/panel';
import './text/panel';

const TABS = [
  { id: 'text', label: 'Text' },
  { id: 'faces', label: 'Faces' },
  { id: 'segmentation', label: 'Segmentation' },
  { id: 'benchmark', label: 'Benchmark' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** The app shell: a tab per model. */
@customElement('app-root')
export class AppRoot extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 72rem;
      margin: 0 auto;
      padding: 0 1rem 2rem;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 0.5rem;
    }
    h1 {
      font-size: 1.3rem;
      margin: 1rem 0;
    }
    [role='tablist'] {
      display: flex;
      gap: 0.25rem;
      border-bottom: 1px solid var(--border);
      margin-bottom: 1rem;
      overflow-x: auto;
    }
    [role='tab'] {
      min-height: 44px;
      padding: 0 1rem;
      border: none;
      border-bottom: 3px solid transparent;
      background: none;
      color: var(--fg);
      font: inherit;
      cursor: pointer;
    }
    /* Four tabs do not fit one 390 px row: two rows of two, so none is off screen. */
    @media (max-width: 30rem) {
      [role='tablist'] {
        flex-wrap: wrap;
      }
      [role='tab'] {
        flex: 1 1 40%;
        padding: 0 0.5rem;
      }
    }
    [role='tab'][aria-selected='true'] {
      border-bottom-color: var(--accent);
      font-weight: 600;
    }
    .notice {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.75rem;
      padding: 0.5rem 1rem;
      margin-bottom: 1rem;
      border-radius: 8px;
      background: var(--card);
      border: 1px solid var(--accent);
    }
    .notice button,
    .install {
      min-height: 44px;
      padding: 0 1rem;
      border-radius: 8px;
      border: 1px solid var(--accent);
      background: var(--accent);
      color: var(--on-accent);
      font: inherit;
      cursor: pointer;
    }
    footer {
      margin-top: 1rem;
      font-size: 0.85rem;
      color: var(--muted);
    }
    [role='tab']:focus-visible {
      outline: 3px solid var(--focus);
    }
  `;

  @state() private tab: TabId = 'text';
  @state() private applyUpdate: (() => Promise<void>) | null = null;
  @state() private updating = false;
  @state() private install: (() => Promise<void>) | null = null;
  @state() private storage = '';
  private stopWatchingInstall = () => {};

  override connectedCallback(): void {
    super.connectedCallback();
    void registerServiceWorker({ onUpdateReady: (apply) => (this.applyUpdate = apply) });
    this.stopWatchingInstall = watchInstallPrompt(
      (can, prompt) => (this.install = can ? prompt : null),
    );
    void this.refreshStorage();
    this.addEventListener('storage-changed', () => void this.refreshStorage());
    this.addEventListener('open-tab', (e) => this.select((e as CustomEvent<TabId>).detail));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopWatchingInstall();
  }

  private async refreshStorage() {
    void this.renderRoot.querySelector('all-sessions')?.refresh();
    const est = await storageEstimate();
    this.storage = est
      ? `Storage: ${formatBytes(est.usage)} used of ${formatBytes(est.quota)}`
      : '';
  }

  // Never reload in the middle of training: every running session checkpoints first.
  private async applyNewVersion() {
    if (!this.applyUpdate) return;
    this.updating = true;
    await Promise.all(startedWorkers().map((w) => w.checkpoint().catch(() => undefined)));
    await this.applyUpdate();
  }

  private select(id: TabId) {
    this.tab = id;
  }

  private onKey(e: KeyboardEvent) {
    const i = TABS.findIndex((t) => t.id === this.tab);
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    this.tab = TABS[(i + delta + TABS.length) % TABS.length].id;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`#tab-${this.tab}`)?.focus(),
    );
  }

  // A panel is mounted when its tab is first opened (starting its worker) and then stays mounted,
  // hidden, so switching tabs never detaches a running session from its view.
  private readonly visited = new Set<TabId>();

  private panel(id: TabId) {
    if (id === this.tab) this.visited.add(id);
    if (!this.visited.has(id)) return '';
    const content =
      id === 'text'
        ? html`<text-panel></text-panel>`
        : id === 'faces'
          ? html`<faces-panel></faces-panel>`
          : id === 'segmentation'
            ? html`<seg-panel></seg-panel>`
            : html`<bench-panel></bench-panel>`;
    return html`<section
      id="panel-${id}"
      role="tabpanel"
      aria-labelledby="tab-${id}"
      ?hidden=${id !== this.tab}
    >
      ${content}
    </section>`;
  }

  override render() {
    return html`<header>
        <h1>Offline Deep-Learning Playground</h1>
        ${
          this.install
            ? html`<button class="install" @click=${() => this.install?.()}>Install app</button>`
            : ''
        }
      </header>
      ${
        this.applyUpdate
          ? html`<div class="notice" role="status">
              Update available.
              <button @click=${() => this.applyNewVersion()} ?disabled=${this.updating}>
                Reload to update
              </button>
            </div>`
          : ''
      }
      <nav role="tablist" aria-label="Models" @keydown=${this.onKey}>
        ${TABS.map(
          (t) =>
            html`<button
              role="tab"
              id="tab-${t.id}"
              aria-selected=${this.tab === t.id ? 'true' : 'false'}
              aria-controls="panel-${t.id}"
              tabindex=${this.tab === t.id ? 0 : -1}
              @click=${() => this.select(t.id)}
            >
              ${t.label}
            </button>`,
        )}
      </nav>
      <main>${TABS.map((t) => this.panel(t.id))}</main>
      <all-sessions></all-sessions>
      <footer class="muted">${this.storage}</footer>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'app-root': AppRoot;
  }
}
