/** How long a training worker may stay silent before it is declared dead: `?watchdog=<s>` or 60 s. */
export function watchdogTimeoutMs(): number {
  const s = Number(new URLSearchParams(location.search).get('watchdog'));
  // One step of a big model on a slow GPU can block the worker for many seconds; 60 s is generous.
  return s > 0 ? s * 1000 : 60_000;
}

/**
 * Notices a training worker that died or hung: a terminated worker sends no event, its pending calls
 * simply never settle, so while training runs the watchdog pings it and counts progress messages.
 */
export class Watchdog {
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastAlive = 0;
  private pinging = false;
  private longestGap = 0;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly onDead: (why: string) => void,
    private readonly timeoutMs = watchdogTimeoutMs(),
  ) {}

  /** Starts watching (idempotent); call it once the worker has shown it trains, not before its first step. */
  start(): void {
    if (this.timer !== null) return;
    this.lastAlive = Date.now();
    this.timer = setInterval(() => this.tick(), Math.min(5000, this.timeoutMs / 4));
  }

  /** Stops watching. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Records a sign of life, e.g. a progress message. */
  beat(): void {
    const now = Date.now();
    if (this.timer !== null) this.longestGap = Math.max(this.longestGap, now - this.lastAlive);
    this.lastAlive = now;
  }

  private tick(): void {
    const silent = Date.now() - this.lastAlive;
    // A device whose steps are slow gets a proportionally longer leash.
    if (silent > Math.max(this.timeoutMs, 4 * this.longestGap)) {
      this.stop();
      this.onDead(`no answer for ${Math.round(silent / 1000)} s`);
      return;
    }
    if (this.pinging) return;
    this.pinging = true;
    void this.ping()
      .then(() => this.beat())
      .catch(() => undefined)
      .finally(() => (this.pinging = false));
  }
}
