// Bundled by tests/e2e/kill.test.ts and evaluated in a page of the app's origin: it starts the built
// model worker as the app does (module worker named by its model, Comlink), terminates it, and reads
// what is left in Chromium's real IndexedDB with the app's own storage code.
import { proxy, wrap, type Remote } from 'comlink';
import type { TrainProgress } from '../../../src/shared/protocol';
import type { CharLstmApi } from '../../../src/shared/protocol/apis';
import { trainingLockName } from '../../../src/shared/session-news';
import { estimateBytes, getSession, loadCheckpoint } from '../../../src/storage/checkpoints/store';
import type { TensorBlob } from '../../../src/storage/checkpoints/store';
import { putCorpus } from '../../../src/storage/corpora';
import { openAppDb } from '../../../src/storage/db';
import type { KillNote, Phase } from './kill-hook';

/** What the page heard from one worker before it was terminated. */
export interface Heard {
  /** The highest step a progress message reported. */
  reached: number;
  /** The step of the first progress message (the first read after starting). */
  first: number | null;
  /** The step of the last checkpoint the worker reported written (committed), or null. */
  saved: number | null;
  /** Steps of every checkpoint write the hook saw begin. */
  writes: number[];
  /** Where the worker was held when it was killed inside a write. */
  held: { step: number; phase: Phase } | null;
  /** Progress errors (a failed save, divergence). */
  errors: string[];
}

/** What is stored for the session after a kill. */
export interface Stored {
  step: number;
  /** Fields of the session row that disagree with the checkpoint, as "field: row vs checkpoint". */
  mismatches: string[];
  /** Float32 values in the weights and optimizer slots, and how many are not finite. */
  floats: number;
  nonFinite: number;
}

let worker: Worker | null = null;
let api: Remote<CharLstmApi> | null = null;
let heard: Heard = fresh();
let killed: (() => void) | null = null;

function fresh(): Heard {
  return { reached: 0, first: null, saved: null, writes: [], held: null, errors: [] };
}

/** Starts a fresh char-LSTM worker from the built script `url`; the test installs the hook in it before `train`. */
function start(url: string): void {
  heard = fresh();
  const w = new Worker(url, { type: 'module', name: 'char-lstm' });
  w.addEventListener('message', (e: MessageEvent<KillNote | undefined>) => {
    const note = e.data;
    if (note?.killHook === 'write') heard.writes.push(note.step);
    if (note?.killHook === 'held') {
      heard.held = { step: note.step, phase: note.phase };
      kill();
    }
  });
  worker = w;
  api = wrap<CharLstmApi>(w);
}

function onProgress(p: TrainProgress): void {
  // A message already on its way when the worker died is still news about that worker.
  heard.first ??= p.step;
  heard.reached = Math.max(heard.reached, p.step);
  if (p.savedStep !== undefined) heard.saved = p.savedStep;
  if (p.state === 'error') heard.errors.push(p.message ?? 'error');
}

/** Stores `text` as a corpus and starts a new tiny session on it; resolves to its id. */
async function startNew(text: string, autosaveSteps: number, seed: number): Promise<string> {
  const db = await openAppDb();
  const corpus = await putCorpus(db, { name: 'kill.txt', text, source: 'file' });
  db.close();
  await api!.init('cpu');
  await api!.setAutosave({ everySteps: autosaveSteps, everySeconds: 1e9 });
  const meta = await api!.startNew(
    {
      corpus: { kind: 'stored', id: corpus.id, name: corpus.name },
      config: { units: 8, batchSize: 8, maxLen: 10 },
      seed,
    },
    proxy(onProgress),
  );
  return meta.id;
}

/** Resumes session `id` in the fresh worker; resolves to the step the worker says it resumed from. */
async function resume(id: string, autosaveSteps: number): Promise<number> {
  await api!.init('cpu');
  await api!.setAutosave({ everySteps: autosaveSteps, everySeconds: 1e9 });
  const meta = await api!.resume(id, proxy(onProgress));
  return meta.step;
}

/** Worker.terminate(), the way a tab close or crash ends a worker: no event, nothing more runs in it. */
function kill(): void {
  worker?.terminate();
  worker = null;
  api = null;
  killed?.();
}

/** Kills the worker after `ms` (a timed kill); resolves to what the page heard from it. */
function killAfter(ms: number): Promise<Heard> {
  return new Promise((resolve) =>
    setTimeout(() => {
      kill();
      resolve(heard);
    }, ms),
  );
}

/** Resolves to what the page heard once the armed hook has had the worker killed inside a write. */
function killedInWrite(timeoutMs: number): Promise<Heard> {
  return new Promise((resolve, reject) => {
    if (!worker) return resolve(heard);
    const timer = setTimeout(() => reject(new Error('no write was held in time')), timeoutMs);
    killed = () => {
      clearTimeout(timer);
      killed = null;
      resolve(heard);
    };
  });
}

/** What a progress message reported since `start`, for the resumed worker's first read. */
function progress(): Heard {
  return heard;
}

/** Waits until no worker holds `id`'s training lock (a killed worker's lock goes with it); ms waited. */
async function lockReleased(id: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  const name = trainingLockName(id);
  for (;;) {
    const { held = [] } = await navigator.locks.query();
    if (!held.some((l) => l.name === name)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${name} still held`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function floats(blobs: Record<string, TensorBlob>): Float32Array[] {
  const out: Float32Array[] = [];
  for (const blob of Object.values(blobs)) {
    let offset = 0;
    for (const spec of blob.specs) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.dtype === 'float32') out.push(new Float32Array(blob.data, offset, n));
      offset += n * 4;
    }
  }
  return out;
}

/** Reads session `id`'s row and checkpoint and compares them. */
async function stored(id: string): Promise<Stored> {
  const db = await openAppDb();
  const [row, ckpt] = await Promise.all([getSession(db, id), loadCheckpoint(db, id)]);
  db.close();
  if (!row || !ckpt) throw new Error(`session ${id}: row ${!!row}, checkpoint ${!!ckpt}`);
  const mismatches: string[] = [];
  const same = (field: string, a: unknown, b: unknown) => {
    if (!Object.is(a, b)) mismatches.push(`${field}: ${String(a)} vs ${String(b)}`);
  };
  same('id', row.id, ckpt.sessionId);
  same('model', row.model, ckpt.model);
  same('step', row.step, ckpt.step);
  same('epoch', row.epoch, ckpt.epoch);
  same('lastLoss', row.lastLoss, ckpt.history.at(-1)?.metrics.loss ?? NaN);
  // The row's size is computed from the very checkpoint written with it: another save's would differ.
  same('sizeBytes', row.sizeBytes, estimateBytes(ckpt));
  const all = [...floats(ckpt.weights), ...floats(ckpt.optimizers)];
  let count = 0;
  let nonFinite = 0;
  for (const values of all) {
    count += values.length;
    for (const v of values) if (!Number.isFinite(v)) nonFinite++;
  }
  return { step: ckpt.step, mismatches, floats: count, nonFinite };
}

/** Pauses the live worker (it checkpoints) and ends it, to leave the database at rest. */
async function pauseAndEnd(): Promise<Heard> {
  await api!.pause();
  kill();
  return heard;
}

(globalThis as Record<string, unknown>).killProbe = {
  start,
  startNew,
  resume,
  killAfter,
  killedInWrite,
  progress,
  lockReleased,
  stored,
  pauseAndEnd,
};
