// Turns live tfjs models and optimizers into checkpoint blobs and back. Runs in workers and in Node;
// values are read with `await data()` (inside tf.io.encodeWeights), never a synchronous read.
import * as tf from '@tensorflow/tfjs';
import type { HistoryPoint, SessionMeta } from '../../shared/protocol';
import type { Checkpoint, TensorBlob } from './store';

type BlobSpec = TensorBlob['specs'][number];
type ModelJson = Parameters<typeof tf.models.modelFromJSON>[0];

/** One tensor with the name it is stored under. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

const BYTES_PER_ELEMENT: Record<BlobSpec['dtype'], number> = { float32: 4, int32: 4, bool: 1 };

// tfjs slot groups per optimizer class, in getWeights() order after 'iter'.
const SLOT_SUFFIXES: Record<string, string[][]> = {
  RMSProp: [
    ['/rms', '/momentum'],
    ['/rms', '/momentum', '/mg'],
  ],
  Adam: [['/m', '/v']],
};

/** Packs tensors (any shapes) into one blob in the given order; names must be unique. */
export async function encodeTensors(named: NamedTensor[]): Promise<TensorBlob> {
  const seen = new Set<string>();
  for (const { name, tensor } of named) {
    if (seen.has(name)) throw new Error(`Cannot store two tensors named "${name}"`);
    seen.add(name);
    if (!(tensor.dtype in BYTES_PER_ELEMENT)) {
      throw new Error(`Cannot store tensor "${name}" of dtype ${tensor.dtype}`);
    }
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  return {
    data,
    specs: specs.map((s) => ({
      name: s.name,
      shape: [...s.shape],
      dtype: s.dtype as BlobSpec['dtype'],
    })),
  };
}

/** Unpacks a blob into new tensors keyed by name; the caller disposes them. */
export function decodeTensors(blob: TensorBlob): tf.NamedTensorMap {
  checkBlobSize(blob);
  return tf.io.decodeWeights(blob.data, blob.specs);
}

/** Unpacks a blob into new tensors in spec order; the caller disposes them. */
export function decodeTensorList(blob: TensorBlob): NamedTensor[] {
  const map = decodeTensors(blob);
  return blob.specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}

/** Captures a layers model: its topology (`toJSON(null, false)`) and all weights by original name. */
export async function snapshotModel(
  model: tf.LayersModel,
): Promise<{ topology: unknown; weights: TensorBlob }> {
  const topology: unknown = model.toJSON(null, false);
  const weights = await encodeTensors(
    model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })),
  );
  return { topology, weights };
}

/** Writes stored weights into `model`, matched by original name (or by position with `byOrder`); throws before changing anything if a name, shape or dtype differs. */
export function restoreModelWeights(
  model: tf.LayersModel,
  blob: TensorBlob,
  opts: { byOrder?: boolean } = {},
): void {
  checkBlobSize(blob);
  const targets = model.weights;
  if (targets.length !== blob.specs.length) {
    throw new Error(
      `The stored weights do not fit this model: it has ${targets.length} weight tensors, the checkpoint ${blob.specs.length}`,
    );
  }
  const byName = new Map(blob.specs.map((s) => [s.name, s]));
  const pairs = targets.map((w, i) => {
    const spec = opts.byOrder ? blob.specs[i] : byName.get(w.originalName);
    if (!spec) throw new Error(`The stored weights lack "${w.originalName}" of this model`);
    if (!sameShape(w.shape, spec.shape) || w.dtype !== spec.dtype) {
      throw new Error(
        `Stored weight "${spec.name}" is ${spec.dtype}[${spec.shape.join(',')}] but the model's "${w.originalName}" is ${w.dtype}[${w.shape.join(',')}]`,
      );
    }
    return { w, name: spec.name };
  });
  const values = decodeTensors(blob);
  try {
    for (const { w, name } of pairs) w.write(values[name]);
  } finally {
    tf.dispose(values);
  }
}

/** Rebuilds a model from a stored topology and weights, so layer names match those saved. */
export async function restoreModel(topology: unknown, blob: TensorBlob): Promise<tf.LayersModel> {
  const model = await tf.models.modelFromJSON(topology as ModelJson);
  try {
    restoreModelWeights(model, blob);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** Captures an optimizer's slots (`getWeights()`, `iter` first). */
export async function snapshotOptimizer(opt: tf.Optimizer): Promise<TensorBlob> {
  const named = await opt.getWeights();
  try {
    return await encodeTensors(named);
  } finally {
    disposeTemporaries(named);
  }
}

/** Loads stored slots into an optimizer (fresh or not); `slotShapes` (trainable weight shapes in training order) adds a shape check. A weights-only checkpoint (a starter, a Keras import) has no blob: the optimizer stays fresh. */
export async function restoreOptimizer(
  opt: tf.Optimizer,
  blob: TensorBlob | undefined,
  slotShapes?: number[][],
): Promise<void> {
  if (!blob) return;
  checkBlobSize(blob);
  checkSlots(opt.getClassName(), blob.specs, slotShapes);
  const previous = await opt.getWeights();
  disposeTemporaries(previous);
  const values = decodeTensorList(blob);
  try {
    // tfjs pairs slot i with the i-th variable of the next minimize, so order is all that binds them.
    await opt.setWeights(values);
  } finally {
    tf.dispose(values.map((v) => v.tensor));
  }
  // setWeights replaced the slot arrays without disposing the old slot variables.
  tf.dispose(previous.map((v) => v.tensor).filter((t) => t instanceof tf.Variable));
}

function disposeTemporaries(named: NamedTensor[]): void {
  // getWeights returns the optimizer's own slot variables plus a fresh 'iter' scalar.
  tf.dispose(named.map((v) => v.tensor).filter((t) => !(t instanceof tf.Variable)));
}

function checkSlots(className: string, specs: BlobSpec[], slotShapes?: number[][]): void {
  const [iter, ...slots] = specs;
  if (!iter || iter.name !== 'iter' || iter.dtype !== 'int32' || iter.shape.length !== 0) {
    throw new Error(
      `Stored optimizer state is malformed: it does not start with the 'iter' counter`,
    );
  }
  const layouts = SLOT_SUFFIXES[className];
  if (!layouts) return;
  const layout = layouts.find(
    (l) =>
      slots.length % l.length === 0 &&
      slots.every((s, i) => s.name.endsWith(l[Math.floor(i / (slots.length / l.length))])),
  );
  if (!layout) {
    throw new Error(`Stored optimizer state does not belong to a ${className} optimizer`);
  }
  if (!slotShapes) return;
  const n = slots.length / layout.length;
  const bad = slots.findIndex((s, i) => !sameShape(s.shape, slotShapes[i % n] ?? []));
  if (n !== slotShapes.length || bad >= 0) {
    throw new Error(
      `Stored ${className} state does not fit this model (${n} slots per kind for ${slotShapes.length} trainable weights)`,
    );
  }
}

function checkBlobSize(blob: TensorBlob): void {
  const expected = blob.specs.reduce(
    (sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * (BYTES_PER_ELEMENT[s.dtype] ?? NaN),
    0,
  );
  if (expected !== blob.data.byteLength) {
    throw new Error(
      `Stored tensors are corrupt: expected ${expected} bytes, found ${blob.data.byteLength}`,
    );
  }
}

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** What a session hands `snapshotSession`: its live networks and optimizers and its training position. */
export interface SessionState {
  meta: SessionMeta;
  step: number;
  epoch: number;
  /** Data cursor inside the epoch (0 for endless generated data). */
  cursor: number;
  rngState: number;
  config: object;
  /** The loss the session list shows for this checkpoint. */
  lastLoss: number;
  models: Record<string, tf.LayersModel>;
  optimizers: Record<string, tf.Optimizer>;
  history: HistoryPoint[];
  samples: unknown[];
  extra?: Record<string, unknown>;
}

/** The whole checkpoint of a session, with its meta brought up to this step and time (the session keeps that meta). */
export async function snapshotSession(
  s: SessionState,
): Promise<{ checkpoint: Checkpoint; meta: SessionMeta }> {
  const topologies: Record<string, unknown> = {};
  const weights: Record<string, TensorBlob> = {};
  for (const [name, model] of Object.entries(s.models)) {
    ({ topology: topologies[name], weights: weights[name] } = await snapshotModel(model));
  }
  const optimizers: Record<string, TensorBlob> = {};
  for (const [name, opt] of Object.entries(s.optimizers)) {
    optimizers[name] = await snapshotOptimizer(opt);
  }
  const { step, epoch, lastLoss } = s;
  return {
    meta: { ...s.meta, step, epoch, lastLoss, savedAt: Date.now() },
    checkpoint: {
      sessionId: s.meta.id,
      model: s.meta.model,
      version: 1,
      step,
      epoch,
      cursor: s.cursor,
      rngState: s.rngState,
      config: s.config as Record<string, unknown>,
      topologies,
      weights,
      optimizers,
      history: s.history,
      samples: s.samples,
      extra: s.extra ?? {},
    },
  };
}
