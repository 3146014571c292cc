/** `base`, or `base (2)`, `base (3)` … : the first one not in `taken`, so names stay unique per tab. */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base} (${n})`)) n++;
  return `${base} (${n})`;
}
