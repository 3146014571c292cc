// The inverse of zip.ts: a session .zip back into a checkpoint, checked piece by piece so that a
// bad file gets a specific human message instead of an exception. Pure data: JSON is parsed, never
// evaluated; layer classes must be ones our models use; every weight's shape is checked against the
// shapes its layer implies and against the bytes in the weight files. The zip guards (archive size,
// entry count, declared unpacked size) are the mask import's.
import type { HistoryPoint, ModelKind, SessionMeta } from '../../shared/protocol';
import type { Checkpoint, TensorBlob } from './store';
import { topologyLayers } from './layer-shapes';
import { unzipChecked, type ZipLimits } from '../../data/zip';
import {
  isObject,
  parseJson,
  readModel,
  readOptimizer,
  Refusal,
  refuse,
  type Json,
} from './tensors';

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
    optionalNetworks: ['generatorEma'],
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
  let foreign = false;
  for (const net of [...layout.networks, ...layout.optionalNetworks]) {
    if (!files.has(`${net}/model.json`)) {
      if (layout.networks.includes(net)) refuse(`${net}/model.json is missing`);
      continue;
    }
    const model = readModel(files, net, layout);
    topologies[net] = model.topology;
    weights[net] = model.weights;
    foreign ||= model.foreign;
  }
  // A session without any optimizer state (a starter, weights from Keras) resumes with fresh optimizers;
  // so does one whose weights come from elsewhere: the stored slots belonged to the weights replaced.
  const optimizers: Record<string, TensorBlob> = {};
  const withState = layout.optimizers.filter((name) => files.has(`optimizers/${name}.json`));
  if (withState.length > 0 && !foreign)
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
