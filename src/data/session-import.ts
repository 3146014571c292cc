// The inverse of session-zip: a session .zip back into a checkpoint, checked piece by piece so that a
// bad file gets a specific human message instead of an exception. Pure data: JSON is parsed, never
// evaluated; layer classes must be ones our models use; every weight's shape is checked against the
// shapes its layer implies and against the bytes in the weight files. The zip guards (archive size,
// entry count, declared unpacked size) are the mask import's.
import { strFromU8 } from 'fflate';
import type { HistoryPoint, ModelKind, SessionMeta } from '../shared/protocol';
import type { Checkpoint, TensorBlob } from '../storage/checkpoints';
import { TopologyError, topologyLayers, topologyWeightShapes } from './layer-shapes';
import type { ZipLimits } from './mask-import';
import { unzipChecked } from './mask-import';

/** What a session of one model kind holds; the layer classes are all our builders use (a test keeps them in step). */
export interface SessionLayout {
  label: string;
  tab: string;
  networks: readonly string[];
  optionalNetworks: readonly string[];
  optimizers: readonly string[];
  modelClass: 'Sequential' | 'Model';
  layerClasses: readonly string[];
}

/** The layout of each model kind's sessions. */
export const SESSION_LAYOUTS: Readonly<Record<ModelKind, SessionLayout>> = {
  'char-lstm': {
    label: 'char-LSTM text',
    tab: 'Text',
    networks: ['model'],
    optionalNetworks: [],
    optimizers: ['rmsprop'],
    modelClass: 'Sequential',
    layerClasses: ['LSTM', 'Dense'],
  },
  gan: {
    label: 'DCGAN faces',
    tab: 'Faces',
    networks: ['generator', 'discriminator'],
    optionalNetworks: [],
    optimizers: ['generator', 'discriminator'],
    modelClass: 'Model',
    layerClasses: ['InputLayer', 'Dense', 'LeakyReLU', 'Reshape', 'UpSampling2D', 'Conv2D'].concat([
      'Conv2DTranspose',
      'BatchNormalization',
      'Dropout',
      'Flatten',
    ]),
  },
  segmenter: {
    label: 'segmentation',
    tab: 'Segmentation',
    networks: ['segmenter'],
    optionalNetworks: ['classifier'],
    optimizers: ['adam'],
    modelClass: 'Model',
    layerClasses: ['InputLayer', 'Conv2D', 'BatchNormalization', 'ReLU', 'MaxPooling2D'].concat([
      'UpSampling2D',
      'Concatenate',
      'Dense',
      'GlobalAveragePooling2D',
    ]),
  },
};

const MB = 1024 * 1024;

/** Limits on an imported session archive: 100 MB packed, 300 MB unpacked, 64 files. */
export const SESSION_ZIP_LIMITS: Required<ZipLimits> = {
  maxZipBytes: 100 * MB,
  maxUnzippedBytes: 300 * MB,
  maxEntries: 64,
};

/** A parsed session (its own id still; storage gives it a new one) or the message to show. */
export type SessionImport =
  { ok: true; meta: SessionMeta; checkpoint: Checkpoint } | { ok: false; message: string };

type Spec = TensorBlob['specs'][number];
type Json = Record<string, unknown>;

class Refusal extends Error {}

const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const bytesOf = (specs: Spec[]) =>
  specs.reduce((sum, s) => sum + elements(s.shape) * (s.dtype === 'bool' ? 1 : 4), 0);
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The message for a file over the size limit, or null; checked before a picked file is read. */
export function sizeRefusal(
  fileName: string,
  bytes: number,
  limits: ZipLimits = SESSION_ZIP_LIMITS,
): string | null {
  const max = limits.maxZipBytes ?? SESSION_ZIP_LIMITS.maxZipBytes;
  if (bytes <= max) return null;
  return importMessage(
    fileName,
    `it is ${(bytes / MB).toFixed(1)} MB, over the limit of ${max / MB} MB for a session`,
  );
}

function importMessage(fileName: string, reason: string): string {
  return `Could not import “${fileName}”: ${reason}. Your saved sessions are unchanged.`;
}

/** Reads a session .zip exported by this app for the tab of `expected`; never throws. */
export function parseSessionZip(
  zip: Uint8Array,
  expected: ModelKind,
  fileName = 'the file',
  limits: ZipLimits = SESSION_ZIP_LIMITS,
): SessionImport {
  try {
    return { ok: true, ...readSession(zip, expected, limits) };
  } catch (err) {
    const reason =
      err instanceof Refusal
        ? err.message
        : `it is not a session this app can read (${(err as Error).message})`;
    return { ok: false, message: importMessage(fileName, reason) };
  }
}

function readSession(zip: Uint8Array, expected: ModelKind, limits: ZipLimits) {
  const max = limits.maxZipBytes ?? SESSION_ZIP_LIMITS.maxZipBytes;
  if (zip.length > max)
    refuse(
      `it is ${(zip.length / MB).toFixed(1)} MB, over the limit of ${max / MB} MB for a session`,
    );
  if (zip.length < 4 || zip[0] !== 0x50 || zip[1] !== 0x4b)
    refuse('it is not a .zip file (choose a session exported with Export)');
  const unzipped = unzipChecked(zip, limits);
  if ('reason' in unzipped) return refuse(unzipped.reason);
  const files = new Map(unzipped.files.map((f) => [f.name, f.bytes]));
  const metaBytes = files.get('metadata.json');
  if (!metaBytes) {
    const bare = [...files.keys()].some((n) => n.endsWith('model.json'));
    refuse(
      bare
        ? 'it holds a model but no metadata.json, so it is not a session exported by this app'
        : 'it has no metadata.json, so it is not a session exported by this app',
    );
  }
  const metadata = parseJson(metaBytes as Uint8Array, 'metadata.json');
  if (metadata.format !== 1)
    refuse(`metadata.json has format ${String(metadata.format)}; this app reads format 1`);
  const rawMeta = metadata.meta;
  const raw = metadata.checkpoint;
  if (!isObject(rawMeta) || !isObject(raw)) return refuse('metadata.json lacks the session');
  const kind = rawMeta.model;
  if (!(typeof kind === 'string' && kind in SESSION_LAYOUTS) || raw.model !== kind)
    refuse('metadata.json names no model kind this app has');
  const layout = SESSION_LAYOUTS[kind as ModelKind];
  if (kind !== expected)
    refuse(`it holds a ${layout.label} session; import it in the ${layout.tab} tab instead`);
  const meta = readMeta(rawMeta, kind as ModelKind);
  const topologies: Record<string, unknown> = {};
  const weights: Record<string, TensorBlob> = {};
  for (const net of [...layout.networks, ...layout.optionalNetworks]) {
    if (!files.has(`${net}/model.json`)) {
      if (layout.networks.includes(net)) refuse(`${net}/model.json is missing`);
      continue;
    }
    const model = readModel(files, net, layout);
    topologies[net] = model.topology;
    weights[net] = model.weights;
  }
  const optimizers: Record<string, TensorBlob> = {};
  for (const name of layout.optimizers) optimizers[name] = readOptimizer(files, name, weights);
  const checkpoint: Checkpoint = {
    sessionId: meta.id,
    model: kind as ModelKind,
    version: 1,
    step: count(raw.step, 'step'),
    epoch: count(raw.epoch, 'epoch'),
    cursor: count(raw.cursor, 'cursor'),
    rngState: finite(raw.rngState, 'rngState'),
    config: isObject(raw.config) ? raw.config : refuse('metadata.json lacks the training config'),
    topologies,
    weights,
    optimizers,
    history: readHistory(raw.history),
    samples: [],
    extra: isObject(raw.extra) ? raw.extra : {},
  };
  if (kind === 'char-lstm') checkVocab(checkpoint);
  return { meta: { ...meta, step: checkpoint.step, epoch: checkpoint.epoch }, checkpoint };
}

function parseJson(bytes: Uint8Array, path: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(strFromU8(bytes));
  } catch (err) {
    return refuse(`${path} is not valid JSON (${(err as Error).message})`);
  }
  return isObject(value) ? value : refuse(`${path} does not hold a JSON object`);
}

function count(v: unknown, field: string): number {
  return Number.isInteger(v) && (v as number) >= 0
    ? (v as number)
    : refuse(`metadata.json has no valid ${field}`);
}

function finite(v: unknown, field: string): number {
  return Number.isFinite(v) ? (v as number) : refuse(`metadata.json has no valid ${field}`);
}

function text(v: unknown, field: string): string {
  return typeof v === 'string' && v.length <= 500
    ? v
    : refuse(`metadata.json has no valid ${field}`);
}

function readMeta(m: Json, model: ModelKind): SessionMeta {
  return {
    id: text(m.id, 'session id'),
    name: text(m.name, 'name').trim() || 'Imported session',
    model,
    dataset: text(m.dataset ?? '', 'dataset'),
    step: 0,
    epoch: 0,
    // JSON writes NaN (no loss yet) as null.
    lastLoss: m.lastLoss === null ? NaN : finite(m.lastLoss, 'last loss'),
    createdAt: finite(m.createdAt, 'creation time'),
    savedAt: finite(m.savedAt, 'save time'),
    sizeBytes: 0,
    backend: typeof m.backend === 'string' ? m.backend : '',
  };
}

function readHistory(v: unknown): HistoryPoint[] {
  if (!Array.isArray(v)) return refuse('metadata.json has no loss history');
  return v.map((p: unknown) => {
    if (!isObject(p) || !isObject(p.metrics))
      return refuse('metadata.json has a malformed history');
    const metrics: Record<string, number> = {};
    for (const [k, m] of Object.entries(p.metrics)) metrics[k] = m === null ? NaN : finite(m, k);
    return { step: count(p.step, 'history step'), metrics };
  });
}

function readSpecs(v: unknown, path: string, dtypes: readonly string[]): Spec[] {
  if (!Array.isArray(v)) return refuse(`${path} lists no weights`);
  const seen = new Set<string>();
  return v.map((s: unknown) => {
    if (!isObject(s) || typeof s.name !== 'string')
      return refuse(`${path} has a weight without a name`);
    if (isObject(s.quantization))
      refuse(`${path} holds quantized weights, which this app cannot read`);
    if (seen.has(s.name)) refuse(`${path} lists the weight “${s.name}” twice`);
    seen.add(s.name);
    const shape = s.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0 && d < 1e8))
      refuse(`${path}: the weight “${s.name}” has no valid shape`);
    if (!dtypes.includes(s.dtype as string))
      refuse(`${path}: the weight “${s.name}” is ${String(s.dtype)}, not ${dtypes.join(' or ')}`);
    return { name: s.name, shape: shape as number[], dtype: s.dtype as Spec['dtype'] };
  });
}

function checkBytes(data: Uint8Array, specs: Spec[], file: string, manifest: string): void {
  const need = bytesOf(specs);
  if (data.length < need)
    refuse(`${file} is truncated: it holds ${data.length} bytes, but ${manifest} needs ${need}`);
  if (data.length > need)
    refuse(
      `${file} holds ${data.length} bytes, but the weight shapes in ${manifest} add up to ${need}: the shapes do not match the weights`,
    );
}

function readModel(files: Map<string, Uint8Array>, net: string, layout: SessionLayout) {
  const path = `${net}/model.json`;
  const json = parseJson(files.get(path) as Uint8Array, path);
  const topology = json.modelTopology;
  if (!isObject(topology)) return refuse(`${path} has no modelTopology`);
  if (topology.class_name !== layout.modelClass)
    refuse(
      `${path} is a ${String(topology.class_name)} model, not the ${layout.modelClass} model of a ${layout.label} session`,
    );
  let shapes: Map<string, number[]>;
  try {
    for (const layer of topologyLayers(topology)) {
      if (!layout.layerClasses.includes(layer.class_name))
        refuse(
          `${path} uses the layer class “${layer.class_name}”, which ${layout.label} models do not have (they use ${layout.layerClasses.join(', ')})`,
        );
    }
    shapes = topologyWeightShapes(topology);
  } catch (err) {
    if (err instanceof TopologyError) return refuse(`${path} cannot be read: ${err.message}`);
    throw err;
  }
  const groups = json.weightsManifest;
  if (!Array.isArray(groups) || groups.length === 0)
    return refuse(`${path} has no weightsManifest`);
  const specs: Spec[] = [];
  const parts: Uint8Array[] = [];
  for (const g of groups as unknown[]) {
    if (!isObject(g) || !Array.isArray(g.paths))
      return refuse(`${path} has a malformed weightsManifest`);
    specs.push(...readSpecs(g.weights, path, ['float32']));
    for (const p of g.paths as unknown[]) {
      if (typeof p !== 'string' || p.includes('..') || p.startsWith('/'))
        refuse(`${path} refers to a weight file outside its folder`);
      const bytes = files.get(`${net}/${String(p)}`);
      parts.push(bytes ?? refuse(`the weight file ${net}/${String(p)} is missing`));
    }
  }
  if (new Set(specs.map((s) => s.name)).size !== specs.length)
    refuse(`${path} lists a weight twice`);
  const data = concat(parts);
  const file =
    parts.length === 1
      ? `${net}/${String((groups[0] as Json).paths)}`
      : `the weight files of ${net}`;
  checkBytes(data, specs, file, path);
  for (const s of specs) {
    const need = shapes.get(s.name);
    if (!need) refuse(`${path} lists the weight “${s.name}”, which none of its layers has`);
    else if (shapeText(need) !== shapeText(s.shape))
      refuse(
        `the weight “${s.name}” has shape ${shapeText(s.shape)}, but its layer in ${path} needs ${shapeText(need)}`,
      );
  }
  for (const name of shapes.keys()) {
    if (!specs.some((s) => s.name === name)) refuse(`${path} has no weights for “${name}”`);
  }
  const buffer = copyBuffer(data);
  // Every spec is float32 here, so the whole buffer is one run of float32 values.
  if (new Float32Array(buffer).some((v) => !Number.isFinite(v)))
    refuse(`${file} holds NaN or infinite weights (training diverged before the export)`);
  return { topology, weights: { specs, data: buffer } };
}

function readOptimizer(
  files: Map<string, Uint8Array>,
  name: string,
  weights: Record<string, TensorBlob>,
): TensorBlob {
  const path = `optimizers/${name}.json`;
  const bin = `optimizers/${name}.bin`;
  const json = files.get(path);
  const data = files.get(bin);
  if (!json) return refuse(`${path} (the optimizer state) is missing`);
  if (!data) return refuse(`${bin} (the optimizer state) is missing`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(strFromU8(json));
  } catch (err) {
    return refuse(`${path} is not valid JSON (${(err as Error).message})`);
  }
  const specs = readSpecs(parsed, path, ['float32', 'int32']);
  checkBytes(data, specs, bin, path);
  const [iter, ...slots] = specs;
  if (!iter || iter.name !== 'iter' || iter.dtype !== 'int32' || iter.shape.length !== 0)
    refuse(`${path} does not start with the step counter “iter”`);
  const known = new Map<string, number[]>();
  for (const blob of Object.values(weights)) for (const s of blob.specs) known.set(s.name, s.shape);
  for (const s of slots) {
    const slotOf = s.name.slice(0, s.name.lastIndexOf('/'));
    // Slots are named after the variable, which tfjs may suffix ('kernel_1') to keep names unique.
    const weight = known.has(slotOf) ? slotOf : slotOf.replace(/_\d+$/, '');
    const shape = known.get(weight);
    if (!shape) refuse(`${path} has state for “${weight}”, which the model does not have`);
    else if (shapeText(shape) !== shapeText(s.shape))
      refuse(
        `${path}: the state “${s.name}” has shape ${shapeText(s.shape)}, but the weight is ${shapeText(shape)}`,
      );
  }
  return { specs, data: copyBuffer(data) };
}

function checkVocab(ckpt: Checkpoint): void {
  const cfg = ckpt.config as { vocab?: unknown; model?: { vocabSize?: unknown } };
  const vocab = cfg.vocab;
  if (!Array.isArray(vocab) || !vocab.every((c) => typeof c === 'string'))
    refuse('metadata.json has no character vocabulary');
  const first = topologyLayers(ckpt.topologies.model)[0].config.batch_input_shape;
  const inputs = Array.isArray(first) ? first.at(-1) : undefined;
  if ((vocab as string[]).length !== inputs || cfg.model?.vocabSize !== inputs)
    refuse(
      `metadata.json's vocabulary has ${(vocab as string[]).length} characters, but the model reads ${String(inputs)}`,
    );
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// A view into the unzipped archive may start at an offset or share a buffer: stored blobs own theirs.
function copyBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}
