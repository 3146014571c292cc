import { css, html } from 'lit';

// Such lists can run to thousands of lines; the first ones say what went wrong.
const SHOWN = 100;

/** A file an import left out, and why. */
export interface FileIssue {
  file: string;
  reason: string;
}

/** A disclosure named "3 files skipped" (`verb`) listing the first 100 files an import left out with their reasons ('' when none); `cls` names the details element. */
export function fileIssues(cls: string, verb: string, items: FileIssue[], open = false) {
  if (!items.length) return '';
  const more = items.length - SHOWN;
  const name = `${items.length.toLocaleString('en-US')} ${items.length === 1 ? 'file' : 'files'} ${verb}`;
  return html`<details class=${cls} ?open=${open} aria-label=${name}>
    <summary>${name}</summary>
    <ul>
      ${items.slice(0, SHOWN).map((p) => html`<li><b>${p.file}</b>: ${p.reason}</li>`)}
      ${more > 0 ? html`<li>and ${more} more</li>` : ''}
    </ul>
  </details>`;
}

/** The look both dataset pickers share: full row, a pixelated preview, the file-issue list, a wide file input. */
export const pickerStyles = css`
  :host {
    flex-basis: 100%;
    min-width: 0;
  }
  .preview {
    display: block;
    image-rendering: pixelated;
    border-radius: 6px;
    margin-top: 0.5rem;
  }
  details li {
    overflow-wrap: anywhere;
    margin-bottom: 0.25rem;
  }
  input[type='file'] {
    width: 100%;
  }
  p {
    margin: 0.5rem 0;
  }
`;
