// The tensor half of a session import: each network's model.json and weight files and each optimizer's
// state, checked against the layers' shapes and the bytes present. A bad piece throws a `Refusal` whose
// message is shown to the person as is.
import { strFromU8 } from 'fflate';
import { concatBytes } from '../../shared/bytes';
import type { TensorBlob } from './store';
import {
  isForeignModel,
  matchWeightNames,
  modelClassText,
  normaliseTopology,
} from './keras-topology';
import { TopologyError, topologyLayers, topologyWeightShapes } from './layer-shapes';
import type { SessionLayout } from './import';

type Spec = TensorBlob['specs'][number];
/** A parsed JSON object. */
export type Json = Record<string, unknown>;

// The largest weight of any network the app builds is well under a million values; 50 million
// (200 MB as float32) leaves room for any config the forms allow and refuses absurd shapes by name.
const MAX_WEIGHT_VALUES = 50_000_000;

/** A reason to refuse an imported file, shown to the person as is. */
export class Refusal extends Error {}

/** Throws the `Refusal` with `reason`. */
export const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

/** Whether `v` is a JSON object (not an array). */
export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const bytesOf = (specs: Spec[]) =>
  specs.reduce((sum, s) => sum + elements(s.shape) * (s.dtype === 'bool' ? 1 : 4), 0);
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Parses a JSON object out of a file of the archive, refusing anything else. */
export function parseJson(bytes: Uint8Array, path: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(strFromU8(bytes));
  } catch (err) {
    return refuse(`${path} is not valid JSON (${(err as Error).message})`);
  }
  return isObject(value) ? value : refuse(`${path} does not hold a JSON object`);
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
    const values = (shape as number[]).reduce((a, b) => a * b, 1);
    if (values > MAX_WEIGHT_VALUES)
      refuse(
        `${path}: the weight “${s.name}” has ${values.toLocaleString('en-US')} values, more than any model of this app`,
      );
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

/** Reads one network (`<net>/model.json` and its weight files), checking classes, shapes and bytes; a Keras topology is normalised and Keras weight names mapped to its layers. */
export function readModel(files: Map<string, Uint8Array>, net: string, layout: SessionLayout) {
  const path = `${net}/model.json`;
  const json = parseJson(files.get(path) as Uint8Array, path);
  const raw = json.modelTopology;
  if (!isObject(raw)) return refuse(`${path} has no modelTopology`);
  const rawClass = (isObject(raw.model_config) ? raw.model_config : raw).class_name;
  let topology: Json;
  let shapes: Map<string, number[]>;
  try {
    topology = normaliseTopology(raw);
    if (topology.class_name !== layout.modelClass)
      refuse(
        `${path} holds ${modelClassText(rawClass)}, but the ${net} of a ${layout.label} session is ${modelClassText(layout.modelClass)}`,
      );
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
  const data = concatBytes(parts);
  const file =
    parts.length === 1
      ? `${net}/${String((groups[0] as Json).paths)}`
      : `the weight files of ${net}`;
  checkBytes(data, specs, file, path);
  let names: string[];
  try {
    names = matchWeightNames(specs, shapes);
  } catch (err) {
    if (err instanceof TopologyError)
      return refuse(`${path} does not fit its weights: ${err.message}`);
    throw err;
  }
  const renamed = names.some((n, i) => n !== specs[i].name);
  names.forEach((name, i) => (specs[i] = { ...specs[i], name }));
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
  return { topology, weights: { specs, data: buffer }, foreign: renamed || isForeignModel(json) };
}

/** Reads one optimizer's state, checking each slot against the weight it belongs to. */
export function readOptimizer(
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

// A view into the unzipped archive may start at an offset or share a buffer: stored blobs own theirs.
function copyBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}
