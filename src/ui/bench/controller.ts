import { proxy } from 'comlink';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BenchModel, BenchProgress, BenchReport, BenchSize } from '../../shared/bench';
import { benchFileName, longTasksPerModel, type ModelStart } from './format';
import { downloadBytes } from '../png-url';
import { benchWorker, forcedBackend } from '../session/worker-client';

/** State and actions of the Benchmark tab; every measurement runs in the Benchmark worker. */
export class BenchController implements ReactiveController {
  backend = '';
  running = false;
  progress: BenchProgress | null = null;
  report: BenchReport | null = null;
  error = '';
  models: BenchModel[] = ['char-lstm', 'gan', 'segmenter'];
  size: BenchSize = 'default';

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.backend) return;
    // Starting the worker early shows which backend a run will measure, and warms tfjs up.
    benchWorker()
      .init(forcedBackend())
      .then(
        (r) => (this.backend = r.backend),
        (e: unknown) => (this.error = `No usable backend: ${(e as Error).message}`),
      )
      .finally(() => this.host.requestUpdate());
  }

  /** Includes or leaves out `model` from the next run. */
  toggle(model: BenchModel, on: boolean): void {
    const all: BenchModel[] = ['char-lstm', 'gan', 'segmenter'];
    this.models = all.filter((m) => (m === model ? on : this.models.includes(m)));
    this.host.requestUpdate();
  }

  /** Chooses the default recipes or smaller batches for the next run. */
  setSize(size: BenchSize): void {
    this.size = size;
    this.host.requestUpdate();
  }

  /** Runs the Benchmark on the chosen models and keeps its report. */
  async run(): Promise<void> {
    if (this.running || this.models.length === 0) return;
    this.running = true;
    this.error = '';
    this.progress = { fraction: 0, message: 'Starting…' };
    this.host.requestUpdate();
    // The page's own long tasks while each model trains in the worker: the UI must stay smooth.
    const starts: ModelStart[] = [];
    const taskEnds: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) taskEnds.push(e.startTime + e.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
    try {
      const report = await benchWorker().benchmark(
        proxy((p: BenchProgress) => {
          if (p.model && starts.at(-1)?.model !== p.model) {
            starts.push({ at: performance.now(), model: p.model });
          }
          this.progress = p;
          this.host.requestUpdate();
        }),
        { models: this.models, size: this.size },
      );
      // A long task that ended just now reaches the observer on a later task.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const counts = longTasksPerModel(starts, taskEnds);
      report.rows = report.rows.map((r) => ({ ...r, mainThreadLongTasks: counts[r.model] ?? 0 }));
      this.report = report;
      this.backend = report.backend;
    } catch (e) {
      this.error = `The benchmark failed: ${(e as Error).message}`;
    } finally {
      observer.disconnect();
      this.running = false;
      this.host.requestUpdate();
    }
  }

  /** Saves the last report as a JSON file. */
  download(): void {
    if (!this.report) return;
    const json = `${JSON.stringify(this.report, null, 2)}\n`;
    downloadBytes(new TextEncoder().encode(json), benchFileName(this.report), 'application/json');
  }
}
