import type { HistoryPoint } from '../../shared/protocol';
import { formatNumber } from '../format';

/** Columns for uPlot: steps first, then one column per metric (null where a point lacks it). */
export type ChartColumns = [number[], ...(number | null)[][]];

/**
 * Exponential moving average with TensorBoard's debiasing, so the first points are not pulled
 * towards zero; `weight` 0 returns the values unchanged; nulls stay null and do not reset it.
 */
export function smoothEma(values: (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return values;
  let last = 0;
  let seen = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    last = last * weight + (1 - weight) * v;
    seen++;
    return last / (1 - weight ** seen);
  });
}

/** The history as step-sorted uPlot columns of `keys`, each smoothed with EMA `weight`. */
export function toColumns(
  history: readonly HistoryPoint[],
  keys: readonly string[],
  weight = 0,
): ChartColumns {
  // Sparse metrics (held-out scores) may arrive out of step order: sort, and merge equal steps.
  const byStep = new Map<number, Record<string, number>>();
  for (const p of history) byStep.set(p.step, { ...byStep.get(p.step), ...p.metrics });
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  const cols = keys.map((k) =>
    smoothEma(
      steps.map((s) => byStep.get(s)![k] ?? null),
      weight,
    ),
  );
  return [steps, ...cols];
}

/** One sentence per metric for screen readers: range of steps, first, latest and best value. */
export function summarize(
  history: readonly HistoryPoint[],
  labels: Readonly<Record<string, string>>,
): string {
  if (!history.length) return 'No training history yet.';
  const [steps, ...cols] = toColumns(history, Object.keys(labels));
  const parts = Object.values(labels).map((label, i) => {
    const pts = cols[i]
      .map((v, j) => [steps[j], v] as const)
      .filter((p): p is readonly [number, number] => p[1] !== null);
    if (!pts.length) return `${label}: no values yet.`;
    const [s0, v0] = pts[0];
    const [s1, v1] = pts[pts.length - 1];
    const lo = Math.min(...pts.map((p) => p[1]));
    const hi = Math.max(...pts.map((p) => p[1]));
    return (
      `${label}: ${pts.length} points, ${formatNumber(v0)} at step ${s0}, ` +
      `${formatNumber(v1)} at step ${s1} (range ${formatNumber(lo)} to ${formatNumber(hi)}).`
    );
  });
  return parts.join(' ');
}
