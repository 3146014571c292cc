// Topologies written by Keras (through tensorflowjs_converter, from Keras 2 or Keras 3) rewritten in
// the form tfjs itself writes, so that an imported model is checked by the same rules as the app's own
// exports and tfjs can rebuild it. Pure JSON in, JSON out; the app's own topologies pass unchanged.
import { TopologyError } from './layer-shapes';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The class names a model topology may carry, in the words a person reads. */
export function modelClassText(className: unknown): string {
  if (className === 'Functional' || className === 'Model') return 'a functional model (Model)';
  if (className === 'Sequential') return 'a Sequential model';
  return typeof className === 'string'
    ? `a model of the unknown class “${className}”`
    : 'no model class';
}

// Keras 3 serialises objects as {module, class_name, config, registered_name}; tfjs reads {class_name, config}.
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v))
    if (k !== 'module' && k !== 'registered_name' && k !== 'build_config') out[k] = plain(x);
  return out;
}

function dtypeName(v: unknown, layer: string): string {
  const name = isObject(v) && isObject(v.config) ? v.config.name : v;
  if (name !== 'float32')
    throw new TopologyError(
      `layer “${layer}” computes in ${String(name)}; this app computes in float32 (use the dtype policy “float32” in Keras)`,
    );
  return name;
}

function refuseIf(bad: boolean, layer: string, what: string): void {
  if (bad) throw new TopologyError(`layer “${layer}” ${what}, which this app cannot run`);
}

/** One layer's config in tfjs' words: Keras 3 keys renamed, options tfjs lacks refused. */
function layerConfig(className: string, raw: Json): Json {
  const c = plain(raw) as Json;
  const name = String(c.name);
  if (raw.dtype !== undefined) c.dtype = dtypeName(raw.dtype, name);
  if (className === 'InputLayer') {
    if (c.batch_shape !== undefined) c.batch_input_shape = c.batch_shape;
    refuseIf(c.sparse === true || c.ragged === true, name, 'takes sparse or ragged input');
    for (const k of ['batch_shape', 'ragged', 'optional']) delete c[k];
  }
  if (className === 'LeakyReLU' && c.negative_slope !== undefined) {
    c.alpha = c.negative_slope;
    delete c.negative_slope;
  }
  if (className === 'ReLU') {
    refuseIf(Boolean(c.negative_slope) || Boolean(c.threshold), name, 'has a slope or threshold');
    delete c.negative_slope;
    delete c.threshold;
  }
  refuseIf(c.groups !== undefined && c.groups !== 1, name, 'is a grouped convolution');
  refuseIf(c.renorm === true, name, 'uses batch renormalization');
  refuseIf(c.keepdims === true, name, 'keeps pooled dimensions');
  refuseIf(c.quantization_config != null || Boolean(c.lora_rank), name, 'is quantized or has LoRA');
  return c;
}

// Keras 3: [{args: [...], kwargs}] holding {class_name: '__keras_tensor__', config: {keras_history}}.
function kerasHistory(v: unknown, into: unknown[][]): void {
  if (Array.isArray(v)) v.forEach((x) => kerasHistory(x, into));
  else if (isObject(v)) {
    const history = isObject(v.config) ? v.config.keras_history : undefined;
    if (v.class_name === '__keras_tensor__' && Array.isArray(history)) into.push([...history, {}]);
    else Object.values(v).forEach((x) => kerasHistory(x, into));
  }
}

function inboundNodes(nodes: unknown, layer: string): unknown {
  if (!Array.isArray(nodes) || !nodes.some(isObject)) return nodes;
  if (nodes.length > 1) throw new TopologyError(`layer “${layer}” is shared`);
  const calls: unknown[][] = [];
  kerasHistory((nodes[0] as Json).args, calls);
  return [calls];
}

// Keras 3 writes a single model input or output as ['name', 0, 0] rather than [['name', 0, 0]].
const endpoints = (v: unknown) => (Array.isArray(v) && typeof v[0] === 'string' ? [v] : v);

/**
 * A model topology in the form tfjs writes (`class_name` Sequential or Model, no leading InputLayer in
 * a Sequential, float32 dtypes), from the app's own or a Keras one (`model_config` wrapper, Keras 3
 * `Functional`, `batch_shape`, dtype policies, `negative_slope`, dict inbound nodes).
 */
export function normaliseTopology(raw: Json): Json {
  const t = isObject(raw.model_config) ? raw.model_config : raw;
  const config = Array.isArray(t.config) ? { layers: t.config } : t.config;
  if (!isObject(config) || !Array.isArray(config.layers))
    throw new TopologyError('it lists no layers');
  const className = t.class_name === 'Functional' ? 'Model' : t.class_name;
  let layers = config.layers.map((l: unknown) => {
    if (!isObject(l) || typeof l.class_name !== 'string' || !isObject(l.config))
      throw new TopologyError('a layer has no class name or config');
    const c = layerConfig(l.class_name, l.config);
    const out: Json = { class_name: l.class_name, config: c };
    if (className !== 'Sequential') {
      out.name = l.name ?? c.name;
      out.inbound_nodes = inboundNodes(l.inbound_nodes, String(out.name));
    }
    return out;
  });
  if (className === 'Sequential' && layers[0]?.class_name === 'InputLayer') {
    // tfjs writes a Sequential's input shape on its first real layer.
    const [input, first, ...rest] = layers;
    if (!first) throw new TopologyError('it has an input but no layers');
    layers = [
      {
        ...first,
        config: {
          ...(first.config as Json),
          batch_input_shape: (input.config as Json).batch_input_shape,
        },
      },
      ...rest,
    ];
  }
  const out: Json = { name: config.name, layers };
  if (className !== 'Sequential') {
    out.input_layers = endpoints(config.input_layers);
    out.output_layers = endpoints(config.output_layers);
  }
  const top: Json = { class_name: className, config: out };
  for (const k of ['keras_version', 'backend']) if (raw[k] !== undefined) top[k] = raw[k];
  return top;
}

/** Whether a model.json was written by something other than this app (its weights then start a fresh optimizer). */
export function isForeignModel(json: Json): boolean {
  const topology = json.modelTopology;
  return (
    json.generatedBy !== 'offline-dl-playground' ||
    (isObject(topology) && 'model_config' in topology)
  );
}

interface Named {
  name: string;
  shape: readonly number[];
}
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const prefix = (name: string) => name.slice(0, Math.max(0, name.lastIndexOf('/')));
const leaf = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/**
 * The topology's names (`layer/weight`) for the weights of a manifest, in its order: the same names;
 * Keras paths that hold them (`sequential_1/lstm/lstm_cell/kernel` for `lstm/kernel`); or else the
 * manifest's layers in order onto the topology's layers with weights, checked by shape.
 * Throws a `TopologyError` saying which weight does not fit.
 */
export function matchWeightNames(given: Named[], expected: Map<string, number[]>): string[] {
  if (given.every((g) => expected.has(g.name))) return given.map((g) => g.name);
  const byPath = given.map((g) => {
    const parts = g.name.split('/');
    for (let i = parts.length - 2; i >= 0; i--) {
      const name = `${parts[i]}/${leaf(g.name)}`;
      if (expected.has(name)) return name;
    }
    return null;
  });
  if (byPath.every((n) => n !== null) && new Set(byPath).size === given.length)
    return byPath as string[];
  const layers = [...new Set([...expected.keys()].map(prefix))];
  const groups = [...new Set(given.map((g) => prefix(g.name)))];
  const stranger = given.find((_g, i) => byPath[i] === null)?.name;
  if (groups.length !== layers.length)
    throw new TopologyError(
      `the weight “${stranger}” is named after no layer, and matching by order fails: the weights are grouped in ${groups.length} ${groups.length === 1 ? 'layer' : 'layers'}, but ${layers.length} layers of the model have weights`,
    );
  return given.map((g) => {
    const i = groups.indexOf(prefix(g.name));
    const mine = given.filter((x) => prefix(x.name) === groups[i]);
    const theirs = [...expected.keys()].filter((n) => prefix(n) === layers[i]);
    // The same weight name inside the layer when there is one, else the same position.
    const target = theirs.find((n) => leaf(n) === leaf(g.name)) ?? theirs[mine.indexOf(g)];
    const need = target === undefined ? undefined : expected.get(target);
    if (mine.length !== theirs.length || !need)
      throw new TopologyError(
        `the layer “${groups[i]}” has ${mine.length} weights, but “${layers[i]}” (layer ${i + 1} with weights) has ${theirs.length}`,
      );
    if (shapeText(need) !== shapeText(g.shape))
      throw new TopologyError(
        `the weight “${g.name}” has shape ${shapeText(g.shape)}, but “${target}” (layer ${i + 1} with weights) needs ${shapeText(need)}`,
      );
    return target as string;
  });
}
