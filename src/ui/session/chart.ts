import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import type { HistoryPoint } from '../../shared/protocol';
import { summarize, toColumns, type ChartColumns } from './chart-data';
import { formatNumber } from '../format';
import { panelStyles } from '../styles';

const DARK = '(prefers-color-scheme: dark)';
const HEIGHT = 220;

/** Every metric of a training run against steps (uPlot), with EMA smoothing, drag-zoom and a text summary. */
@customElement('metric-chart')
export class MetricChart extends LitElement {
  static override styles = [
    panelStyles,
    unsafeCSS(uplotCss),
    css`
      :host {
        --series-0: #1d4ed8;
        --series-1: #c2410c;
        --series-2: #15803d;
        --series-3: #7e22ce;
        min-width: 0;
      }
      @media (prefers-color-scheme: dark) {
        :host {
          --series-0: #7aa2ff;
          --series-1: #fb923c;
          --series-2: #4ade80;
          --series-3: #d8b4fe;
        }
      }
      .plot {
        position: relative;
        width: 100%;
        min-height: ${HEIGHT}px;
        touch-action: pan-y;
      }
      /* Before the first point: the plot (already built, see createSoon) is covered by a note on why it is empty. */
      .plot.empty::before {
        content: 'Curves appear here once training starts.';
        position: absolute;
        inset: 0;
        z-index: 1;
        display: grid;
        place-items: center;
        background: var(--card);
        border: 1px dashed var(--border);
        border-radius: 6px;
        color: var(--muted);
        padding: 1rem;
        text-align: center;
        pointer-events: none;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        list-style: none;
        padding: 0;
        margin: 0.5rem 0;
        font-size: 0.9rem;
      }
      .swatch {
        display: inline-block;
        width: 1.2em;
        height: 0.25em;
        vertical-align: middle;
        margin-right: 0.35em;
      }
      input[type='range'] {
        width: min(100%, 12rem);
      }
    `,
  ];

  /** The loss/metric points of the run, in any step order. */
  @property({ attribute: false }) history: readonly HistoryPoint[] = [];
  /** Metric key → label, in legend order. */
  @property({ attribute: false }) metrics: Record<string, string> = { loss: 'Loss' };
  /** The chart's accessible name. */
  @property() label = 'Training metrics';
  @state() private smoothing = 0.6;

  private plot: uPlot | null = null;
  private plotEl: HTMLElement | null = null;
  private zoomed = false;
  private settingData = false;
  private frame = 0;
  private drawing = 0;
  private creating = 0;
  private dataDirty = false;
  private rebuildNeeded = false;
  private readonly resize = new ResizeObserver(() => this.schedule());
  private readonly scheme = matchMedia(DARK);
  private readonly rebuild = () => this.destroyPlot();

  override connectedCallback(): void {
    super.connectedCallback();
    this.scheme.addEventListener('change', this.rebuild);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.scheme.removeEventListener('change', this.rebuild);
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    clearTimeout(this.drawing);
    this.drawing = 0;
    clearTimeout(this.creating);
    this.creating = 0;
    this.destroyPlot();
    this.plotEl = null;
  }

  private keys(): string[] {
    return Object.keys(this.metrics);
  }

  private columns(): uPlot.AlignedData {
    return toColumns(this.history, this.keys(), this.smoothing) as uPlot.AlignedData;
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = null;
    this.zoomed = false;
    this.fit();
  }

  // Colours come from CSS variables so the canvas follows the light/dark theme like the rest.
  private options(width: number): uPlot.Options {
    const style = getComputedStyle(this);
    const v = (name: string) => style.getPropertyValue(name).trim();
    const axis = {
      stroke: v('--fg'),
      grid: { stroke: v('--border'), width: 1 },
      ticks: { show: false },
    };
    return {
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false } },
      // A compact x axis: uPlot's default leaves a wide gap between the tick values and the label.
      axes: [{ ...axis, label: 'step', size: 28, labelSize: 18, labelGap: 0 }, axis],
      series: [
        { label: 'step' },
        ...this.keys().map((k, i) => ({
          label: this.metrics[k],
          stroke: v(`--series-${i % 4}`),
          width: 2,
          spanGaps: true,
          points: { show: false },
        })),
      ],
      hooks: {
        setScale: [
          (u: uPlot, key: string) => {
            if (key !== 'x' || this.settingData) return;
            const xs = u.data[0];
            const { min, max } = u.scales.x;
            this.zoomed = xs.length > 1 && (min! > xs[0] || max! < xs[xs.length - 1]);
            this.requestUpdate();
          },
        ],
      },
    };
  }

  // Creates the plot once the container has a width (a hidden tab has none), with or without points,
  // and keeps it sized. Creating it before training starts keeps its cost out of training: created
  // on the first point, it made the only main-thread task over 50 ms (60 ms) of a loaded 2-core run.
  private fit(): void {
    const el = this.plotEl;
    if (!el) return;
    const width = el.clientWidth;
    if (width === 0) return;
    if (!this.plot) this.createSoon();
    else if (this.plot.width !== width) this.plot.setSize({ width, height: HEIGHT });
  }

  // Creating uPlot (DOM, canvas, axis measurement, first draw) took 30 ms of a 63 ms frame on a
  // loaded 2-core machine: it runs in a task of its own, not in the frame that lays out the panel.
  private createSoon(): void {
    this.creating ||= window.setTimeout(() => {
      this.creating = 0;
      const el = this.plotEl;
      if (this.plot || !el?.isConnected) return;
      const width = el.clientWidth;
      if (width === 0) return;
      this.settingData = true;
      this.plot = new uPlot(this.options(width), this.columns(), el);
      // Empty axes with ticks (hidden under the empty note): the first text drawn on the canvas (font
      // lookup) then happens now, not on the first points. Without them the first draw with data took
      // 23-43 ms, with them 7-9 ms in 2 of 3 runs (2-core machine, SwiftShader training).
      if (!this.history.length) {
        this.plot.setScale('x', { min: 0, max: 100 });
        this.plot.setScale('y', { min: 0, max: 1 });
      }
      this.settingData = false;
    });
  }

  override updated(changed: PropertyValues): void {
    this.rebuildNeeded ||= changed.has('metrics');
    this.dataDirty ||= changed.has('history') || changed.has('smoothing');
    this.schedule();
  }

  // Plot work (layout reads, canvas drawing) runs at most once per animation frame, in a task of its
  // own after that frame: never inside the task that delivered a progress message, and not in the
  // frame that lays out what that message changed. The first points once made one 51-52 ms task on
  // a 2-core machine with SwiftShader busy: ~26 ms of page layout and ~20-35 ms of uPlot drawing.
  private schedule(): void {
    if (this.frame || this.drawing) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawing = window.setTimeout(() => {
        this.drawing = 0;
        this.draw();
      });
    });
  }

  private draw(): void {
    const el = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (el !== this.plotEl) {
      this.resize.disconnect();
      this.plot?.destroy();
      this.plot = null;
      this.plotEl = el;
      if (el) this.resize.observe(el);
    }
    if (this.rebuildNeeded) this.destroyPlot();
    else if (this.plot && this.dataDirty) {
      this.settingData = true;
      const { min, max } = this.plot.scales.x;
      this.plot.setData(this.columns(), !this.zoomed);
      // setData without a scale reset does not redraw: set the zoomed range again to draw the new data.
      if (this.zoomed && min != null && max != null) this.plot.setScale('x', { min, max });
      this.settingData = false;
    }
    this.rebuildNeeded = false;
    this.dataDirty = false;
    this.fit();
  }

  // Drag-zoom needs a mouse; this button zooms from the keyboard and on touch screens.
  private zoomRecent(): void {
    const xs = this.plot?.data[0];
    if (!this.plot || !xs || xs.length < 2) return;
    const last = xs[xs.length - 1];
    this.plot.setScale('x', { min: last - (last - xs[0]) / 4, max: last });
  }

  private resetZoom(): void {
    this.zoomed = false;
    this.plot?.setData(this.columns(), true);
    this.requestUpdate();
  }

  // The legend shows the latest raw values (as the stats do); the lines show the smoothed ones.
  private legend(cols: ChartColumns) {
    return html`<ul class="legend">
      ${this.keys().map((k, i) => {
        const last = cols[i + 1].filter((x) => x !== null).at(-1) ?? undefined;
        return html`<li>
          <span class="swatch" style="background: var(--series-${i % 4})"></span>${this.metrics[k]}
          <b>${formatNumber(last as number | undefined)}</b>
        </li>`;
      })}
    </ul>`;
  }

  // Rendered before training starts too, so the first progress message does not build this DOM.
  override render() {
    const summary = summarize(this.history, this.metrics);
    const cols = toColumns(this.history, this.keys());
    return html`<figure
      style="margin:0"
      data-testid="chart"
      data-points=${cols[0].length}
      data-first-step=${cols[0][0]}
    >
      <div
        class="plot ${cols[0].length ? '' : 'empty'}"
        role="img"
        aria-label=${`${this.label}: ${summary}`}
      ></div>
      ${this.legend(cols)}
      <div class="row">
        <label
          >Smoothing ${this.smoothing.toFixed(2)}
          <input
            type="range"
            min="0"
            max="0.99"
            step="0.01"
            .value=${String(this.smoothing)}
            @input=${(e: Event) => (this.smoothing = Number((e.target as HTMLInputElement).value))}
        /></label>
        <button class="secondary" @click=${() => this.zoomRecent()} ?disabled=${cols[0].length < 2}>
          Zoom to latest quarter
        </button>
        <button class="secondary" @click=${() => this.resetZoom()} ?disabled=${!this.zoomed}>
          Reset zoom
        </button>
      </div>
      <figcaption class="muted">Drag across the chart to zoom in on steps. ${summary}</figcaption>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'metric-chart': MetricChart;
  }
}
