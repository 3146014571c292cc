import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { starterSummary } from '../../shared/starters';
import type { SessionApi } from '../../shared/protocol';
import type { SessionController } from './controller';
import './list';

/** The backend line, error, busy and notice lines every model tab shows at its top. */
export function statusLines<W extends SessionApi>(c: SessionController<W>) {
  return html`<p class="muted" data-testid="backend">
      ${c.backend ? `Backend: ${c.backend.backend}` : 'Backend: starting…'}
      ${c.backend ? html`<span title=${c.backend.log.join('\n')}>(${c.backend.log.at(-1)})</span>` : ''}
    </p>
    ${c.error ? html`<p class="error" role="alert">${c.error}</p>` : ''}
    ${
      c.crashed
        ? html`<button @click=${() => void c.resumeCrashed()}>
            Resume from step ${c.crashed.step}
          </button>`
        : ''
    }
    ${
      c.storageFull
        ? html`<button class="secondary" @click=${() => void c.freeSpace()}>
            Free space: keep only the 5 newest samples
          </button>`
        : ''
    }
    ${
      c.busy
        ? html`<p class="muted busy" role="status">
            <progress
              max="1"
              value=${ifDefined(c.busyFraction ?? undefined)}
              aria-label=${c.busy}
            ></progress>
            ${c.busy}
          </p>`
        : ''
    }
    ${c.notice ? html`<p class="muted">${c.notice}</p>` : ''}`;
}

/** The loaded session's line on the training card: its name, and whether another tab trains it; null when none is loaded. */
export function loadedLine<W extends SessionApi>(c: SessionController<W>): string | null {
  const s = c.current;
  if (!s) return null;
  return c.trainedElsewhere(s.id)
    ? `${s.name}: training in another tab, saved at step ${s.step}`
    : s.name;
}

/** The shipped starter (what it is, Use / Fine-tune / Export), shown above the person's sessions. */
function starterRow<W extends SessionApi>(c: SessionController<W>, fineTune?: () => void) {
  const card = c.starter;
  if (!card) return '';
  const id = `starter-h-${card.model}`;
  return html`<section class="card" aria-labelledby=${id} data-testid="starter">
    <h2 id=${id}>Starter model</h2>
    <p data-testid="starter-summary">${starterSummary(card)}</p>
    <p class="muted">
      ${card.description} It is read-only: Fine-tune trains a copy of it as a session of your own.
      ${c.starterLoaded ? html`<strong>Loaded now.</strong>` : ''}
    </p>
    <div class="row">
      ${
        c.starterLoaded
          ? ''
          : html`<button
              class="secondary"
              @click=${() => void c.openStarter()}
              ?disabled=${!!c.busy}
            >
              Use the starter
            </button>`
      }
      ${
        fineTune
          ? html`<button @click=${fineTune} ?disabled=${c.running || !!c.busy || !c.backend}>
              Fine-tune the starter
            </button>`
          : ''
      }
      <button class="secondary" @click=${() => void c.exportStarter()} ?disabled=${!!c.busy}>
        Export the starter
      </button>
    </div>
  </section>`;
}

/** The tab's starter and saved-sessions list, wired to its controller's list actions. */
export function sessionList<W extends SessionApi>(
  c: SessionController<W>,
  heading: string,
  fineTune?: () => void,
) {
  return html`${starterRow(c, fineTune)}<session-list
      heading=${heading}
      .sessions=${c.sessions}
      .training=${c.training}
      .elsewhere=${c.elsewhere}
      .status=${c.listStatus}
      ?disabled=${!!c.busy}
      @session-action=${c.onSessionAction}
    ></session-list>`;
}
