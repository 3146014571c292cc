/** Formats seconds as "1 h 05 min", "3 min 12 s" or "—" when unknown. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '—';
  const s = Math.round(sec);
  if (s >= 3600)
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

/** Formats a byte count as kB/MB. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1e3))} kB`;
}

/** Formats a loss or metric with 4 significant digits. */
export function formatNumber(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '—' : v.toPrecision(4);
}

// One formatter for all calls: toLocaleString builds a new one on every call, and a session list
// formats one time per row on each render.
let timeFormat: Intl.DateTimeFormat | undefined;

/** Formats a timestamp as a local date and time. */
export function formatTime(ms: number): string {
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
  });
  return timeFormat.format(ms);
}
