/** The nearest-rank `q`-quantile (0 < q ≤ 1) of ascending `sorted` values; undefined for none. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
