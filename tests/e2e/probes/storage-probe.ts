// Bundled by tests/e2e/checkpoint-fault.test.ts and evaluated in the app's page, so the real storage
// code writes to Chromium's real IndexedDB of the app's origin.
import { openAppDb } from '../../../src/storage/db';
import { getSession, loadCheckpoint, saveCheckpoint } from '../../../src/storage/checkpoints/store';
import type { Checkpoint } from '../../../src/storage/checkpoints/store';
import type { SessionMeta } from '../../../src/shared/protocol';

const ID = 'fault-probe';

/** A session whose every weight equals its step, so a mixed old/new write is detectable. */
function session(step: number, floats: number): { meta: SessionMeta; ckpt: Checkpoint } {
  const data = new Float32Array(floats).fill(step);
  const meta: SessionMeta = {
    id: ID,
    model: 'char-lstm',
    name: 'fault probe',
    dataset: 'probe',
    step,
    epoch: 0,
    lastLoss: 1,
    createdAt: 0,
    savedAt: step,
    sizeBytes: 0,
    backend: 'cpu',
  };
  const blob = {
    specs: [{ name: 'w', shape: [floats], dtype: 'float32' as const }],
    data: data.buffer,
  };
  const ckpt: Checkpoint = {
    sessionId: ID,
    model: 'char-lstm',
    version: 1,
    step,
    epoch: 0,
    cursor: 0,
    rngState: step,
    config: {},
    topologies: {},
    weights: { model: blob },
    optimizers: {},
    history: [],
    samples: [],
    extra: {},
  };
  return { meta, ckpt };
}

/** Saves the probe session at `step`; with `fault`, fails between the two puts. */
async function save(step: number, floats: number, fault = false): Promise<string> {
  const db = await openAppDb();
  const { meta, ckpt } = session(step, floats);
  try {
    await saveCheckpoint(db, meta, ckpt, { faultAfterFirstPut: fault });
    return 'saved';
  } catch (err) {
    return String(err);
  } finally {
    db.close();
  }
}

/** Starts a save and never awaits it: the caller crashes the page while it is in flight. */
function saveInFlight(step: number, floats: number): void {
  void save(step, floats);
}

/** What is stored: meta step, checkpoint step, and the distinct weight values. */
async function read(): Promise<{ metaStep?: number; ckptStep?: number; values: number[] }> {
  const db = await openAppDb();
  const [meta, ckpt] = await Promise.all([getSession(db, ID), loadCheckpoint(db, ID)]);
  db.close();
  const w = ckpt ? new Float32Array(ckpt.weights.model.data) : new Float32Array();
  return { metaStep: meta?.step, ckptStep: ckpt?.step, values: [...new Set(w)] };
}

(globalThis as Record<string, unknown>).storageProbe = { save, saveInFlight, read };
