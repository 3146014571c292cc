import { LitElement, html, css } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { SESSION_ZIP_LIMITS } from '../../storage/checkpoints/import';
import type { SessionMeta } from '../../shared/protocol';
import { formatBytes, formatNumber, formatTime } from '../format';
import { panelStyles } from '../styles';

/** Display names of the model kinds. */
export const MODEL_NAMES = {
  'char-lstm': 'char-LSTM',
  gan: 'DCGAN',
  segmenter: 'Segmenter',
} as const;

/** One line about a saved session: model, dataset, step, loss, size on disk and when it was saved. */
export function sessionSummary(s: SessionMeta): string {
  return (
    `${MODEL_NAMES[s.model]} · ${s.dataset} · step ${s.step} · loss ${formatNumber(s.lastLoss)} · ` +
    `${formatBytes(s.sizeBytes)} on disk · saved ${formatTime(s.savedAt)}`
  );
}

/** What a person asked the list to do; sent as the detail of a `session-action` event. */
export type SessionAction =
  | { kind: 'resume' | 'export' | 'duplicate' | 'delete'; id: string }
  | { kind: 'rename'; id: string; name: string }
  | { kind: 'import'; file: File };

/** The outcome of the last action, shown under the list. */
export interface SessionListStatus {
  text: string;
  error: boolean;
}

/** Saved sessions with Resume, Rename, Duplicate, Export, Delete and Import; fires `session-action`. */
@customElement('session-list')
export class SessionList extends LitElement {
  static override styles = [
    panelStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      li {
        padding: 0.75rem 0;
        border-top: 1px solid var(--border);
      }
      .name {
        overflow-wrap: anywhere;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 0.5rem;
        align-items: flex-end;
      }
      .actions label {
        flex: 1 1 12rem;
      }
      button.danger {
        background: var(--error);
        border-color: var(--error);
        color: var(--card);
      }
      .badge {
        font-weight: 600;
        color: var(--accent);
      }
      .import {
        margin-top: 0.75rem;
      }
      .import input {
        width: 100%;
      }
    `,
  ];

  @property({ attribute: false }) sessions: SessionMeta[] = [];
  /** Disables every action (the tab is busy). */
  @property({ type: Boolean }) disabled = false;
  /** Id of the session training now (its actions are off and nothing can be resumed), or null. */
  @property({ attribute: false }) training: string | null = null;
  /** Ids of the sessions another tab trains now: they can be copied and exported, not changed here. */
  @property({ attribute: false }) elsewhere: ReadonlySet<string> = new Set();
  @property({ attribute: false }) status: SessionListStatus | null = null;
  @property() heading = 'Saved sessions';

  @state() private renaming: string | null = null;
  @state() private confirming: string | null = null;
  private focusNext = '';
  // Focus to restore once the action the list just sent is done (a busy list disables its buttons, which drops focus).
  private focusAfterBusy = '';

  // The list renders in a task of its own, after the panel's update that usually comes with it (a new
  // session's first row builds its templates): together they made a > 50 ms main-thread task.
  protected override async scheduleUpdate(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    super.scheduleUpdate();
  }

  private send(action: SessionAction): void {
    this.dispatchEvent(
      new CustomEvent('session-action', { detail: action, bubbles: true, composed: true }),
    );
  }

  private startRename(id: string): void {
    this.confirming = null;
    this.renaming = id;
    this.focusNext = '#rename-input';
  }

  // Closing an inline step puts focus back on the button that opened it, for keyboard users.
  private closeRename(id: string): void {
    this.renaming = null;
    this.focusNext = `[data-rename="${CSS.escape(id)}"]`;
  }

  private closeConfirm(id: string): void {
    this.confirming = null;
    this.focusNext = `[data-delete="${CSS.escape(id)}"]`;
  }

  private submitRename(e: SubmitEvent, s: SessionMeta): void {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#rename-input');
    const name = input?.value.trim() ?? '';
    if (!name) {
      input?.setCustomValidity('Type a name for the session.');
      input?.reportValidity();
      return;
    }
    this.closeRename(s.id);
    if (name === s.name) return;
    this.focusAfterBusy = this.focusNext;
    this.send({ kind: 'rename', id: s.id, name });
  }

  private onImport(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    // Cleared so that picking the same file again (after fixing it) fires change again.
    input.value = '';
    if (file) this.send({ kind: 'import', file });
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('disabled') && !this.disabled && this.focusAfterBusy) {
      this.focusNext = this.focusAfterBusy;
      this.focusAfterBusy = '';
    }
    if (!this.focusNext) return;
    this.renderRoot.querySelector<HTMLElement>(this.focusNext)?.focus();
    this.focusNext = '';
  }

  private actions(s: SessionMeta) {
    const off = this.disabled || this.training === s.id;
    // Another tab's run owns the name and the checkpoint; a copy or an export reads only the last one.
    const owned = off || this.elsewhere.has(s.id);
    if (this.renaming === s.id) {
      return html`<form class="actions" @submit=${(e: SubmitEvent) => this.submitRename(e, s)}>
        <label
          >New name
          <input
            id="rename-input"
            .value=${s.name}
            maxlength="200"
            required
            autocomplete="off"
            @input=${(e: Event) => (e.target as HTMLInputElement).setCustomValidity('')}
            @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.closeRename(s.id)}
        /></label>
        <button type="submit" ?disabled=${off}>Save name</button>
        <button type="button" class="secondary" @click=${() => this.closeRename(s.id)}>
          Cancel
        </button>
      </form>`;
    }
    if (this.confirming === s.id) {
      return html`<div class="actions" role="group" aria-label="Confirm deleting ${s.name}">
        <span>Delete “${s.name}” and its checkpoint? This cannot be undone.</span>
        <button
          class="danger"
          ?disabled=${off}
          @click=${() => {
            this.confirming = null;
            this.send({ kind: 'delete', id: s.id });
          }}
        >
          Yes, delete
        </button>
        <button id="keep-button" class="secondary" @click=${() => this.closeConfirm(s.id)}>
          Keep it
        </button>
      </div>`;
    }
    const act = (kind: 'export' | 'duplicate') => () => this.send({ kind, id: s.id });
    return html`<div class="actions">
      <button
        aria-label="Resume ${s.name}"
        ?disabled=${owned || this.training !== null}
        @click=${() => this.send({ kind: 'resume', id: s.id })}
      >
        Resume
      </button>
      <button
        class="secondary"
        aria-label="Rename ${s.name}"
        data-rename=${s.id}
        ?disabled=${owned}
        @click=${() => this.startRename(s.id)}
      >
        Rename
      </button>
      <button
        class="secondary"
        aria-label="Duplicate ${s.name}"
        ?disabled=${off}
        @click=${act('duplicate')}
      >
        Duplicate
      </button>
      <button
        class="secondary"
        aria-label="Export ${s.name}"
        ?disabled=${off}
        @click=${act('export')}
      >
        Export
      </button>
      <button
        class="secondary"
        aria-label="Delete ${s.name}"
        data-delete=${s.id}
        ?disabled=${owned}
        @click=${() => {
          this.renaming = null;
          this.confirming = s.id;
          this.focusNext = '#keep-button';
        }}
      >
        Delete
      </button>
    </div>`;
  }

  override render() {
    return html`<section class="card" aria-label=${this.heading}>
      <h2>${this.heading}</h2>
      ${
        this.sessions.length === 0
          ? html`<p class="muted">
              No saved sessions yet. Press Train to start one, or import one.
            </p>`
          : ''
      }
      <ul>
        ${this.sessions.map(
          (s) =>
            html`<li>
              <div class="name">
                <b>${s.name}</b>
                ${this.training === s.id ? html`<span class="badge">· training now</span>` : ''}
                ${this.elsewhere.has(s.id) ? html`<span class="badge">· training in another tab</span>` : ''}
              </div>
              <div class="muted">${sessionSummary(s)}</div>
              ${this.actions(s)}
            </li>`,
        )}
      </ul>
      ${
        this.status
          ? html`<p
              class=${this.status.error ? 'error' : 'muted'}
              role=${this.status.error ? 'alert' : 'status'}
            >
              ${this.status.text}
            </p>`
          : ''
      }
      <label class="import"
        >Import session (.zip, up to ${SESSION_ZIP_LIMITS.maxZipBytes / 2 ** 20} MB)
        <input
          type="file"
          accept=".zip,application/zip"
          ?disabled=${this.disabled}
          @change=${this.onImport}
      /></label>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'session-list': SessionList;
  }
}
