import type { BenchModel, BenchReport, BenchRow } from '../../shared/bench';

/** Formats a rate with 3 significant digits and an SI prefix, e.g. "12.3 GFLOP/s". */
export function formatRate(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '—';
  const prefixes: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const [scale, p] = prefixes.find(([s]) => Math.abs(v) >= s) ?? [1, ''];
  return `${(v / scale).toPrecision(3)} ${p}${unit}`.trimEnd();
}

/** Formats a fraction as a percentage: "12 %", "4.5 %", "270 %". */
export function formatPercent(f: number): string {
  if (!Number.isFinite(f)) return '—';
  const p = 100 * f;
  return `${p >= 10 ? Math.round(p) : p.toPrecision(2)} %`;
}

/** Formats milliseconds as "850 ms" or "4.25 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 1000 ? `${(ms / 1000).toPrecision(3)} s` : `${ms.toPrecision(3)} ms`;
}

/** One table row of the Benchmark: what it shows and how each model's value reads. */
export interface BenchMetric {
  label: string;
  value(row: BenchRow): string;
}

/** The metrics the Benchmark table shows, one row each (models are the columns, so it fits a phone). */
export const BENCH_METRICS: readonly BenchMetric[] = [
  { label: 'Recipe', value: (r) => r.config },
  { label: 'Examples/s', value: (r) => r.examplesPerSec.toPrecision(3) },
  { label: 'Step, median', value: (r) => formatMs(r.msPerStepMedian) },
  { label: 'Step, p90', value: (r) => formatMs(r.msPerStepP90) },
  { label: 'Steps timed', value: (r) => String(r.steps) },
  { label: 'FLOP/s (est.)', value: (r) => formatRate(r.flopsPerSec, '') },
  { label: 'Of matmul peak', value: (r) => formatPercent(r.fractionOfPeak) },
  {
    label: 'Leaked tensors / 1,000 steps',
    value: (r) => String(Math.round(r.leakedTensorsPer1000Steps)),
  },
  {
    label: 'Save ÷ step',
    value: (r) => `${r.saveOverStep.toPrecision(2)} (${formatMs(r.saveMs)})`,
  },
  {
    label: 'Page long tasks (> 50 ms)',
    value: (r) => (r.mainThreadLongTasks === undefined ? '—' : String(r.mainThreadLongTasks)),
  },
];

/** When the run moved on to measuring `model` (page time, ms). */
export interface ModelStart {
  at: number;
  model: BenchModel;
}

/** Counts long tasks per model: each task belongs to the model whose measurement had started last when the task ended (the task that takes the news of a model's start already counts for it; none before the first model). */
export function longTasksPerModel(
  starts: readonly ModelStart[],
  taskEnds: readonly number[],
): Partial<Record<BenchModel, number>> {
  const out: Partial<Record<BenchModel, number>> = {};
  for (const m of starts) out[m.model] = 0;
  for (const t of taskEnds) {
    const owner = starts.filter((m) => m.at <= t).at(-1)?.model;
    if (owner) out[owner] = (out[owner] ?? 0) + 1;
  }
  return out;
}

/** The file name of a report's JSON download, e.g. "benchmark-2026-11-26-webgpu.json". */
export function benchFileName(report: BenchReport): string {
  return `benchmark-${report.date.slice(0, 10)}-${report.backend}.json`;
}
