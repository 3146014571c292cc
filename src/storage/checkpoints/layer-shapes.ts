// Weight shapes of a tfjs layers topology, worked out from the JSON alone, so an imported model.json
// can be checked against its weights manifest on the UI thread without tfjs and without building
// anything from the file (imported files are data, never code). Only the layer classes our own
// models use are known here; the importer refuses every other class before calling this.

/** A tensor shape without its batch dimension; `null` is a dimension the topology leaves open. */
type Shape = (number | null)[];

/** A layer of a serialized topology (`model.toJSON(null, false)`). */
interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown;
}

/** Thrown with a human reason when a topology cannot be read. */
export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1e7)
    throw new TopologyError(`${what} is not a whole number`);
  return v;
};

const pair = (v: unknown, what: string): [number, number] =>
  Array.isArray(v) ? [num(v[0], what), num(v[1], what)] : [num(v, what), num(v, what)];

const mul = (a: number | null, b: number): number | null => (a === null ? null : a * b);

// Output length of a strided window along one axis, as tfjs' convOutputLength computes it.
function windowed(n: number | null, k: number, s: number, d: number, padding: unknown) {
  if (n === null) return null;
  const span = (k - 1) * d + 1;
  return padding === 'same' ? Math.ceil(n / s) : Math.ceil((n - span + 1) / s);
}

// Output length of a transposed convolution along one axis (tfjs' deconvLength).
function deconv(n: number | null, k: number, s: number, padding: unknown) {
  if (n === null) return null;
  return padding === 'same' ? n * s : n * s + Math.max(k - s, 0);
}

function last(shape: Shape, layer: string): number {
  const c = shape[shape.length - 1];
  if (typeof c !== 'number') throw new TopologyError(`layer “${layer}” has an open input size`);
  return c;
}

/** One layer: its output shape from its input shapes, and the shapes of its weights by weight name. */
function applyLayer(layer: LayerJson, inputs: Shape[], weights: Map<string, number[]>): Shape {
  const c = layer.config;
  const name = String(c.name ?? layer.name);
  const input = inputs[0];
  const w = (weight: string, shape: number[]) => weights.set(`${name}/${weight}`, shape);
  if (c.data_format !== undefined && c.data_format !== 'channels_last')
    throw new TopologyError(`layer “${name}” is not channels_last`);
  switch (layer.class_name) {
    case 'InputLayer':
      if (!Array.isArray(c.batch_input_shape))
        throw new TopologyError(`input “${name}” has no shape`);
      return c.batch_input_shape.slice(1).map((d) => (d === null ? null : num(d, name)));
    case 'Dense': {
      const units = num(c.units, `the units of “${name}”`);
      w('kernel', [last(input, name), units]);
      if (c.use_bias !== false) w('bias', [units]);
      return [...input.slice(0, -1), units];
    }
    case 'LSTM': {
      const u = num(c.units, `the units of “${name}”`);
      w('kernel', [last(input, name), 4 * u]);
      w('recurrent_kernel', [u, 4 * u]);
      if (c.use_bias !== false) w('bias', [4 * u]);
      return c.return_sequences ? [input[0], u] : [u];
    }
    case 'Conv2D':
    case 'Conv2DTranspose': {
      const filters = num(c.filters, `the filters of “${name}”`);
      const [kh, kw] = pair(c.kernel_size, `the kernel size of “${name}”`);
      const [sh, sw] = pair(c.strides ?? 1, `the strides of “${name}”`);
      const [dh, dw] = pair(c.dilation_rate ?? 1, `the dilation of “${name}”`);
      const inC = last(input, name);
      const transpose = layer.class_name === 'Conv2DTranspose';
      w('kernel', transpose ? [kh, kw, filters, inC] : [kh, kw, inC, filters]);
      if (c.use_bias !== false) w('bias', [filters]);
      return transpose
        ? [deconv(input[0], kh, sh, c.padding), deconv(input[1], kw, sw, c.padding), filters]
        : [
            windowed(input[0], kh, sh, dh, c.padding),
            windowed(input[1], kw, sw, dw, c.padding),
            filters,
          ];
    }
    case 'BatchNormalization': {
      const axis = c.axis === undefined ? -1 : Number(c.axis);
      // Keras axes count the batch dimension; the shapes here leave it out.
      const dim = Number.isInteger(axis) ? input[axis < 0 ? input.length + axis : axis - 1] : null;
      if (typeof dim !== 'number') throw new TopologyError(`layer “${name}” has an open axis`);
      if (c.scale !== false) w('gamma', [dim]);
      if (c.center !== false) w('beta', [dim]);
      w('moving_mean', [dim]);
      w('moving_variance', [dim]);
      return input;
    }
    case 'ReLU':
    case 'LeakyReLU':
    case 'Dropout':
      return input;
    case 'Reshape':
      if (!Array.isArray(c.target_shape)) throw new TopologyError(`“${name}” has no target shape`);
      return c.target_shape.map((d) => num(d, `the target shape of “${name}”`));
    case 'Flatten':
      return [input.reduce<number | null>((a, b) => (a === null || b === null ? null : a * b), 1)];
    case 'UpSampling2D': {
      const [fh, fw] = pair(c.size ?? 2, `the size of “${name}”`);
      return [mul(input[0], fh), mul(input[1], fw), input[2]];
    }
    case 'MaxPooling2D': {
      const [ph, pw] = pair(c.pool_size ?? 2, `the pool size of “${name}”`);
      const [sh, sw] = pair(c.strides ?? [ph, pw], `the strides of “${name}”`);
      return [
        windowed(input[0], ph, sh, 1, c.padding),
        windowed(input[1], pw, sw, 1, c.padding),
        input[2],
      ];
    }
    case 'GlobalAveragePooling2D':
      return [input[input.length - 1]];
    case 'Concatenate': {
      const out = [...input];
      const axis = out.length - 1;
      if (c.axis !== undefined && c.axis !== -1 && c.axis !== out.length)
        throw new TopologyError(`“${name}” concatenates along an axis other than the last`);
      out[axis] = inputs.reduce<number | null>((sum, s) => {
        const d = s[axis];
        return sum === null || d === null ? null : sum + d;
      }, 0);
      return out;
    }
    default:
      throw new TopologyError(`the layer class “${layer.class_name}” is not supported`);
  }
}

/** The layers of a `Sequential` or functional (`Model`) topology, each with its class name. */
export function topologyLayers(topology: unknown): LayerJson[] {
  const t = topology as { config?: unknown } | null;
  const config = t?.config;
  // Old Sequential topologies store the layer list directly as `config`.
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown })?.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new TopologyError('it lists no layers');
  for (const l of layers) {
    const layer = l as LayerJson | null;
    if (!layer || typeof layer.class_name !== 'string' || typeof layer.config !== 'object')
      throw new TopologyError('a layer has no class name or config');
  }
  return layers as LayerJson[];
}

/** Every weight's shape (`"layer/weight"` → shape) implied by a topology of known layer classes. */
export function topologyWeightShapes(topology: unknown): Map<string, number[]> {
  const layers = topologyLayers(topology);
  const weights = new Map<string, number[]>();
  const isSequential = (topology as { class_name?: unknown }).class_name === 'Sequential';
  if (isSequential) {
    const first = layers[0].config;
    let shape: Shape | null = Array.isArray(first.batch_input_shape)
      ? first.batch_input_shape.slice(1).map((d) => (d === null ? null : num(d, 'input shape')))
      : null;
    if (!shape) throw new TopologyError('its first layer has no input shape');
    for (const layer of layers) {
      if (layer.class_name !== 'InputLayer') shape = applyLayer(layer, [shape], weights);
    }
    return weights;
  }
  // Functional: resolve each layer once all the layers it reads from have outputs.
  const outputs = new Map<string, Shape>();
  let pending = layers;
  while (pending.length) {
    const next: LayerJson[] = [];
    for (const layer of pending) {
      const name = String(layer.name ?? layer.config.name);
      const sources = inboundNames(layer);
      if (!sources.every((s) => outputs.has(s))) {
        next.push(layer);
        continue;
      }
      const inputs = sources.map((s) => outputs.get(s) as Shape);
      if (layer.class_name !== 'InputLayer' && inputs.length === 0)
        throw new TopologyError(`layer “${name}” has no input`);
      outputs.set(name, applyLayer(layer, inputs, weights));
    }
    if (next.length === pending.length)
      throw new TopologyError('its layers are not connected in order');
    pending = next;
  }
  return weights;
}

// tfjs writes inbound_nodes as [[[layerName, nodeIndex, tensorIndex, kwargs], ...]] per call.
function inboundNames(layer: LayerJson): string[] {
  const nodes = layer.inbound_nodes;
  if (nodes === undefined) return [];
  if (!Array.isArray(nodes)) throw new TopologyError(`layer “${layer.config.name}” is malformed`);
  if (nodes.length > 1) throw new TopologyError(`layer “${layer.config.name}” is shared`);
  const calls = (nodes[0] ?? []) as unknown[];
  if (!Array.isArray(calls)) throw new TopologyError(`layer “${layer.config.name}” is malformed`);
  return calls.map((c) => {
    if (!Array.isArray(c) || typeof c[0] !== 'string')
      throw new TopologyError(`layer “${layer.config.name}” is malformed`);
    return c[0];
  });
}
