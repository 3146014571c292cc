// What the three starter trainers share: the command line, the model card and the session zip they
// write. A starter is an ordinary exported session (the app's Export format) plus `card.json`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseSessionZip } from '../../src/storage/checkpoints/import';
import { checkpointToZip } from '../../src/storage/checkpoints/zip';
import type { ModelKind, SessionMeta } from '../../src/shared/protocol';
import type { StarterCard } from '../../src/shared/starters';
import type { Checkpoint } from '../../src/storage/checkpoints/store';

/** The options every `npm run pretrain -- <model>` takes. */
export interface PretrainArgs {
  /** Total steps to reach (a resumed run continues up to it). */
  steps: number;
  seed: number;
  /** Where `session.zip` and `card.json` go. */
  out: string;
  /** A full checkpoint zip (with optimizer slots) to continue from; the card in `out` carries the seconds so far. */
  resume: string | null;
  /** Where the full checkpoint zip goes (the starter in `out` ships without optimizer slots). */
  resumeOut: string;
  saveEvery: number;
  /** Stops at the next save once this much wall time has passed in this sitting. */
  maxMinutes: number;
  /** The data file (the text corpus for `text`). */
  data: string | null;
  backend: string;
  /** Config overrides as JSON (faces). */
  set: string | null;
  /** Characters generated for the valid-word rate (text). */
  sampleChars: number;
  /** Where the final sample grid goes (faces); none when absent. */
  grid: string | null;
  /** From this step on the learning rate is a tenth (text; 0: never; null: the model's default). */
  lrDropStep: number | null;
  /** From this step on the faces are not augmented (segmentation; null: always augmented). */
  cleanFrom: number | null;
}

/** Reads `--name value` options after the model name. */
export function parseArgs(argv: string[], model: string, defaultSteps: number): PretrainArgs {
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    steps: Number(opt('steps') ?? defaultSteps),
    seed: Number(opt('seed') ?? 1),
    out: opt('out') ?? `public/starters/${model}`,
    resume: opt('resume') ?? null,
    resumeOut: opt('resume-out') ?? `scripts/pretrain/resume/${model}.zip`,
    saveEvery: Number(opt('save-every') ?? 500),
    maxMinutes: Number(opt('max-minutes') ?? Infinity),
    data: opt('data') ?? null,
    backend: opt('backend') ?? 'cpu',
    set: opt('set') ?? null,
    sampleChars: Number(opt('sample-chars') ?? 2000),
    grid: opt('grid') ?? null,
    lrDropStep: opt('lr-drop-step') === undefined ? null : Number(opt('lr-drop-step')),
    cleanFrom: opt('clean-from') === undefined ? null : Number(opt('clean-from')),
  };
}

/** Selects the tfjs backend (Dawn for webgpu) and says which one runs. */
export async function useBackend(name: string): Promise<string> {
  if (name === 'webgpu') await import('../../tests/setup/tf');
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} is not available`);
  await tf.ready();
  return tf.getBackend();
}

/** Hex sha256 of bytes or a UTF-8 string. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 over every network's weight bytes in network-name order: what a card's `weightsSha256` names. */
export function weightsSha256(ckpt: Checkpoint): string {
  const h = createHash('sha256');
  for (const name of Object.keys(ckpt.weights).sort())
    h.update(new Uint8Array(ckpt.weights[name].data));
  return h.digest('hex');
}

/** A starter's previous zip and card, or null for a fresh run. */
export function readResume(
  args: PretrainArgs,
  kind: ModelKind,
): { meta: SessionMeta; checkpoint: Checkpoint; card: ModelCard } | null {
  const path = args.resume;
  if (!path) return null;
  const parsed = parseSessionZip(new Uint8Array(readFileSync(path)), kind, path);
  if (!parsed.ok) throw new Error(parsed.message);
  const cardPath = join(args.out, 'card.json');
  const card = existsSync(cardPath)
    ? (JSON.parse(readFileSync(cardPath, 'utf8')) as ModelCard)
    : null;
  if (!card || card.steps !== parsed.checkpoint.step)
    throw new Error(
      `${cardPath} does not describe the checkpoint at step ${parsed.checkpoint.step}`,
    );
  return { ...parsed, card };
}

/** The model card shipped beside a starter (the app reads the same type). */
export type ModelCard = StarterCard;

/** Writes the full checkpoint to `args.resumeOut`, then the starter (`session.zip` without optimizer slots, `card.json`) into `args.out`; each file through a rename, so a kill mid-write leaves whole files. */
export function writeStarter(
  args: PretrainArgs,
  meta: SessionMeta,
  ckpt: Checkpoint,
  card: ModelCard,
  slim: (c: Checkpoint) => Checkpoint = (c) => c,
) {
  const put = (path: string, data: Uint8Array | string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, data);
    renameSync(`${path}.tmp`, path);
  };
  put(args.resumeOut, checkpointToZip(meta, { ...ckpt, samples: [] }));
  const starter = checkpointToZip(meta, { ...slim(ckpt), samples: [], optimizers: {} });
  put(join(args.out, 'session.zip'), starter);
  put(join(args.out, 'card.json'), JSON.stringify(card, null, 1) + '\n');
  // The app reads every starter's card from one index, so it never asks for a starter that is not there.
  const index = join(dirname(args.out), 'index.json');
  const cards = existsSync(index)
    ? (JSON.parse(readFileSync(index, 'utf8')) as Record<string, ModelCard>)
    : {};
  put(index, JSON.stringify({ ...cards, [card.model]: card }, null, 1) + '\n');
  return starter.length;
}

/** Mean loss of each full 100-step block of a per-step loss list that starts at step 1. */
export function lossPer100(losses: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let end = 100; end <= losses.length; end += 100) {
    const block = losses.slice(end - 100, end);
    out.push([end, block.reduce((a, b) => a + b, 0) / block.length]);
  }
  return out;
}

/** Mean of the last (up to) 100 values. */
export function meanLast100(values: number[]): number {
  const tail = values.slice(-100);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** Steps per history point: the chart and the card keep one mean per 10 steps. */
export const HISTORY_EVERY = 10;

/** What `trainStarter` drives: a session with a step count, a history and one loss to record. */
export interface StarterRun {
  session: { stepCount: number; history: { step: number; metrics: Record<string, number> }[] };
  /** One training step; returns the scalar to record under `metric` (the caller's other losses disposed). */
  step(): tf.Scalar;
  metric: string;
  /** Writes the starter; `final` after the last step. */
  save(final: boolean): Promise<void>;
}

/** Steps `run` to `args.steps`, recording a mean per 10 steps and saving every `saveEvery` steps, at the time limit and at the end. */
export async function trainStarter(args: PretrainArgs, run: StarterRun): Promise<void> {
  const { session, metric } = run;
  const start = performance.now();
  let pending: tf.Scalar[] = [];
  while (session.stepCount < args.steps) {
    pending.push(run.step());
    if (pending.length === HISTORY_EVERY) {
      const values = await Promise.all(pending.map(async (l) => (await l.data())[0]));
      tf.dispose(pending);
      pending = [];
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      if (!Number.isFinite(mean)) throw new Error(`${metric} ${mean} at step ${session.stepCount}`);
      session.history.push({ step: session.stepCount, metrics: { [metric]: mean } });
      if (session.stepCount % 100 === 0) {
        const s = ((performance.now() - start) / 1000).toFixed(0);
        console.log(`step ${session.stepCount} ${metric} ${mean.toFixed(4)} ${s} s`);
      }
    }
    const timeUp = performance.now() - start > args.maxMinutes * 60_000;
    // The last step's save is the final one below.
    const due = session.stepCount % args.saveEvery === 0 || timeUp;
    if (pending.length === 0 && due && session.stepCount < args.steps) {
      await run.save(false);
      if (timeUp) return;
    }
  }
  tf.dispose(pending);
  await run.save(true);
}

/** The card fields every starter shares, from `session` at checkpoint `ckpt`, its loss history (one mean per HISTORY_EVERY steps) and its training seconds so far. */
export function runFigures(
  session: { stepCount: number; stepsPerEpoch: number },
  ckpt: Checkpoint,
  losses: number[],
  seconds: number,
  args: PretrainArgs,
  backend: string,
) {
  return {
    steps: session.stepCount,
    epochs: Number((session.stepCount / session.stepsPerEpoch).toFixed(3)),
    seconds: Math.round(seconds),
    backend,
    tfjsVersion: tf.version.tfjs,
    seed: args.seed,
    lossPer100: lossPer100(losses.flatMap((l) => new Array<number>(HISTORY_EVERY).fill(l))),
    finalLoss: meanLast100(losses.slice(-100 / HISTORY_EVERY)),
    weightsSha256: weightsSha256(ckpt),
    createdAt: new Date().toISOString(),
  };
}
