import { css } from 'lit';

/** Shared look of every panel: cards, buttons with 44 px touch targets, form rows. */
export const panelStyles = css`
  :host {
    display: block;
  }
  /* Paint and layout containment: each card paints into a layer of its own, so a change inside one
     card (a new progress line, a new session row) repaints that card and not the whole page. */
  .card {
    contain: layout paint;
    background: var(--card);
    border: 1px solid var(--border);
    border-radius: 12px;
    padding: 1rem;
    margin-bottom: 1rem;
  }
  h2,
  h3 {
    margin: 0 0 0.75rem;
    font-size: 1.1rem;
  }
  button {
    min-height: 44px;
    min-width: 44px;
    padding: 0 1rem;
    border-radius: 8px;
    border: 1px solid var(--accent);
    background: var(--accent);
    color: var(--on-accent);
    font: inherit;
    cursor: pointer;
  }
  button.secondary {
    background: transparent;
    color: var(--fg);
    border-color: var(--border);
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  select:focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
    font-size: 0.9rem;
    /* A select sizes to its longest option; let it shrink on phones instead of overflowing. */
    min-width: 0;
    max-width: 100%;
  }
  input,
  textarea,
  select {
    min-height: 44px;
    max-width: 100%;
    box-sizing: border-box;
    font: inherit;
    padding: 0.4rem 0.6rem;
    border-radius: 8px;
    border: 1px solid var(--border);
    background: var(--bg);
    color: var(--fg);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: flex-end;
  }
  .stats {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(7.5rem, 1fr));
    gap: 0.5rem;
    margin: 0.75rem 0;
  }
  .stat {
    background: var(--bg);
    border-radius: 8px;
    padding: 0.4rem 0.6rem;
  }
  .stat b {
    display: block;
    font-size: 1.15rem;
    font-variant-numeric: tabular-nums;
  }
  .error {
    color: var(--error);
    border-left: 4px solid var(--error);
    padding-left: 0.5rem;
  }
  .muted {
    color: var(--muted);
    font-size: 0.9rem;
  }
  progress {
    width: 100%;
    height: 0.6rem;
  }
  /* A checkbox with its label beside it; the box stays 44 px tall (the input rule): the row is the touch target. */
  label.check {
    flex-direction: row;
    align-items: center;
    gap: 0.5rem;
    min-height: 44px;
    font-size: 1rem;
  }
  label.check input {
    width: 1.25rem;
    margin: 0;
  }
  /* What the tab is busy with floats over the bottom of the screen: it is seen wherever the person
     scrolled to, and coming and going it moves nothing (in the flow at the top of the tab it shifted
     the whole page twice per action, and the relayout made a long task at the Train click). */
  .busy {
    position: fixed;
    left: 50%;
    bottom: 1rem;
    transform: translateX(-50%);
    z-index: 10;
    box-sizing: border-box;
    width: min(30rem, calc(100vw - 2rem));
    margin: 0;
    padding: 0.75rem 1rem;
    background: var(--card);
    border: 1px solid var(--border);
    border-radius: 12px;
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.2);
  }
  .busy progress {
    display: block;
    width: 100%;
    margin-bottom: 0.25rem;
  }
  /* Controls | results side by side on wide screens, from the start: switching the grid on at the
     first progress relaid out the whole card in one 50-60 ms task on a 2-core machine; one column
     on phones. */
  @media (min-width: 60rem) {
    .split {
      display: grid;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      column-gap: 1.25rem;
      align-items: start;
    }
    .split > * {
      grid-column: 1;
    }
    .split > h2 {
      grid-column: 1 / -1;
    }
    .split > .results {
      grid-column: 2;
      grid-row: 2 / span 12;
    }
  }
`;

/** A `<details>` summary as a 44 px tall, bold touch target with a turning ▸ (help, sessions overview, sample history). */
export const disclosureStyles = css`
  summary {
    min-height: 44px;
    display: flex;
    align-items: center;
    cursor: pointer;
    font-weight: 600;
  }
  /* display: flex hides the native marker in some browsers: one drawn marker everywhere. */
  summary::-webkit-details-marker {
    display: none;
  }
  summary::before {
    content: '▸';
    margin-right: 0.5rem;
    transition: transform 0.15s;
  }
  details[open] > summary::before {
    transform: rotate(90deg);
  }
  summary:focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
`;

/** An image with a mask image laid over it (class `overlay`, both `img`s pixelated at its width), and the colour swatches of its legend (class `swatch`). */
export const overlayStyles = css`
  .overlay {
    position: relative;
  }
  .overlay img {
    width: 100%;
    display: block;
    image-rendering: pixelated;
  }
  .overlay img + img {
    position: absolute;
    inset: 0;
  }
  .swatch {
    display: inline-block;
    width: 1em;
    height: 1em;
    border-radius: 3px;
    vertical-align: middle;
    margin-right: 0.3em;
    border: 1px solid var(--border);
  }
`;
