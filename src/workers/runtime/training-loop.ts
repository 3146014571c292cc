import * as tf from '@tensorflow/tfjs';
import type {
  AutosavePolicy,
  HistoryPoint,
  SessionMeta,
  TrainProgress,
} from '../../shared/protocol';
import { AppError, errorCode } from '../../shared/protocol/errors';

/** What a model worker plugs into the shared training loop. */
export interface LoopHooks {
  /** Runs one training step and advances the data cursor; returns device scalars the loop owns. */
  step(): Record<string, tf.Scalar>;
  /** Step, epoch and position inside the epoch after the last step. */
  position(): { step: number; epoch: number; epochFraction: number };
  examplesPerStep: number;
  stepsPerEpoch: number;
  /** Host-side scores finished since the last read (e.g. held-out IoU), added to that read's metrics. */
  extraMetrics?(): Record<string, number>;
}

/** Options of a training loop run. */
export interface LoopOptions {
  sessionId: string;
  autosave: AutosavePolicy;
  history: HistoryPoint[];
  onProgress: (p: TrainProgress) => void;
  /** Writes a whole checkpoint (weights, optimizer, cursor, history); resolves to the row it wrote. */
  save: () => Promise<SessionMeta | void>;
  /** Steps between loss reads; a read also happens after one second. */
  readEvery?: number;
  /** Stop by itself after this many steps (tests, benchmarks). */
  maxSteps?: number;
  /** Told instead of an error progress when a loss or weight turns NaN or infinite, e.g. to roll back. */
  onDiverged?: (message: string) => void;
}

/** Thrown by a save that finds non-finite weights, so a diverged model never overwrites a good checkpoint. */
export class DivergedError extends AppError {
  override name = 'DivergedError';
  constructor(message: string) {
    super('diverged', message);
  }
}

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Runs steps until paused, with no host sync inside a step: losses are summed on the device and
 * read once every `readEvery` steps or second, which also feeds history, progress and NaN checks.
 */
export class TrainingLoop {
  private stopRequested = false;
  private done: Promise<void> | null = null;
  private sums: Record<string, tf.Scalar> = {};
  private summed = 0;
  private saveWaiters: (() => void)[] = [];
  private abandoned = false;

  constructor(
    private readonly hooks: LoopHooks,
    private readonly opts: LoopOptions,
  ) {}

  /** Whether the loop is running. */
  get running(): boolean {
    return this.done !== null;
  }

  /** Starts the loop; resolves when it has stopped (paused, finished or failed). */
  start(): Promise<void> {
    this.stopRequested = false;
    this.done ??= this.run().finally(() => {
      this.done = null;
    });
    return this.done;
  }

  /** Asks a running loop to checkpoint after the current step, without stopping; resolves once saved. */
  requestSave(): Promise<void> {
    if (!this.done) return Promise.resolve();
    return new Promise((resolve) => this.saveWaiters.push(resolve));
  }

  /** Asks the loop to stop after the current step and waits until its checkpoint is written. */
  async pause(): Promise<void> {
    this.stopRequested = true;
    await this.done;
  }

  /**
   * Gives up on a loop whose device is gone: it may never wake from a pending read, and if it does it
   * stops without saving or reporting, so nothing from the dead device reaches storage or the UI.
   */
  abandon(): void {
    this.abandoned = true;
    this.stopRequested = true;
    this.done = null;
  }

  private async run(): Promise<void> {
    const { autosave, onProgress, sessionId } = this.opts;
    const readEvery = this.opts.readEvery ?? 10;
    let lastSaveTime = performance.now();
    let lastSaveStep = this.hooks.position().step;
    let lastReadTime = performance.now();
    let rateSteps = 0;
    let rateStart = performance.now();
    let stepsPerSec = 0;
    let ran = 0;
    const progress = (
      state: TrainProgress['state'],
      metrics: Record<string, number>,
      extra: Partial<TrainProgress> = {},
    ) => {
      if (this.abandoned) return;
      const pos = this.hooks.position();
      const left = (1 - pos.epochFraction) * this.hooks.stepsPerEpoch;
      onProgress({
        sessionId,
        ...pos,
        metrics,
        stepsPerSec,
        examplesPerSec: stepsPerSec * this.hooks.examplesPerStep,
        etaSec: stepsPerSec > 0 ? left / stepsPerSec : NaN,
        state,
        ...extra,
      });
    };
    try {
      for (;;) {
        const losses = this.hooks.step();
        this.accumulate(losses);
        ran++;
        rateSteps++;
        const now = performance.now();
        const finished = this.opts.maxSteps !== undefined && ran >= this.opts.maxSteps;
        const pos = this.hooks.position();
        let mustSave =
          pos.step - lastSaveStep >= autosave.everySteps ||
          now - lastSaveTime >= autosave.everySeconds * 1000 ||
          this.stopRequested ||
          this.saveWaiters.length > 0 ||
          finished;
        if (this.summed >= readEvery || now - lastReadTime >= 1000 || mustSave) {
          const metrics = { ...(await this.read()), ...this.hooks.extraMetrics?.() };
          if (this.abandoned) return;
          lastReadTime = performance.now();
          stepsPerSec = (rateSteps * 1000) / Math.max(1, lastReadTime - rateStart);
          rateSteps = 0;
          rateStart = lastReadTime;
          const bad = Object.entries(metrics).find(([, v]) => !Number.isFinite(v));
          if (bad) {
            const message = `The ${bad[0]} became ${bad[1]} at step ${pos.step}: training diverged.`;
            if (this.opts.onDiverged) this.opts.onDiverged(message);
            else
              progress('error', metrics, {
                message: `${message} Try a lower learning rate.`,
                code: 'diverged',
              });
            return;
          }
          this.opts.history.push({ step: pos.step, metrics });
          // A pause or save request may have arrived while the read awaited the device.
          mustSave ||= this.stopRequested || this.saveWaiters.length > 0;
          let saved: SessionMeta | void = undefined;
          if (mustSave) {
            saved = await this.opts.save();
            if (this.abandoned) return;
            lastSaveTime = performance.now();
            lastSaveStep = pos.step;
            for (const resolve of this.saveWaiters.splice(0)) resolve();
          }
          const state = this.stopRequested || finished ? 'paused' : 'running';
          progress(
            state,
            metrics,
            mustSave ? { savedStep: pos.step, ...(saved && { saved }) } : {},
          );
          if (this.stopRequested || finished) return;
        }
        await yieldToEvents();
        if (this.abandoned) return;
      }
    } catch (e) {
      if (this.abandoned) return;
      if (e instanceof DivergedError && this.opts.onDiverged) {
        this.opts.onDiverged(e.message);
        return;
      }
      progress('error', {}, { message: (e as Error).message, code: errorCode(e) });
      throw e;
    } finally {
      this.clearSums();
      // Whoever waits for a save must not hang when the loop ends another way.
      for (const resolve of this.saveWaiters.splice(0)) resolve();
    }
  }

  private accumulate(losses: Record<string, tf.Scalar>): void {
    for (const [name, value] of Object.entries(losses)) {
      const prev = this.sums[name];
      this.sums[name] = prev ? tf.tidy(() => tf.add(prev, value)) : tf.keep(value.clone());
      prev?.dispose();
      value.dispose();
    }
    this.summed++;
  }

  private async read(): Promise<Record<string, number>> {
    const metrics: Record<string, number> = {};
    for (const [name, sum] of Object.entries(this.sums)) {
      metrics[name] = (await sum.data())[0] / this.summed;
    }
    this.clearSums();
    return metrics;
  }

  private clearSums(): void {
    for (const t of Object.values(this.sums)) t.dispose();
    this.sums = {};
    this.summed = 0;
  }
}
