// Small hand-made files in the layouts Keras 3 and tensorflowjs_converter write, for the importer's
// unit tests: a converted char-LSTM and tiny functional GAN networks, zipped as sessions.
import { strToU8, zipSync } from 'fflate';
import type { ModelKind } from '../../src/shared/protocol';

/** A JSON object. */
export type Json = Record<string, unknown>;
/** A weight of a manifest. */
export interface Weight {
  name: string;
  shape: number[];
}
/** One network of a session: its model.json topology and its weights. */
export interface Net {
  topology: Json;
  weights: Weight[];
}

/** A Keras 3 dtype policy object. */
export const policy = (name = 'float32') => ({
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name },
  registered_name: null,
});
const init = (className: string) => ({
  module: 'keras.initializers',
  class_name: className,
  config: { seed: null },
  registered_name: null,
});
const tensor = (name: string, shape: (number | null)[]) => ({
  class_name: '__keras_tensor__',
  config: { shape, dtype: 'float32', keras_history: [name, 0, 0] },
});
const keras3 = (class_name: string, config: Json) => ({
  module: 'keras.layers',
  class_name,
  config: { trainable: true, dtype: policy(), ...config },
  registered_name: null,
  build_config: { input_shape: null },
});
/** Elements in a tensor of `shape`. */
export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The weight values every test uses: small, distinct, deterministic. */
export function values(weights: Weight[]): Float32Array {
  const n = weights.reduce((s, w) => s + size(w.shape), 0);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 0.5);
}

/** A session zip of `kind` with the given networks in the converter's file layout, plus `extra` files. */
export function sessionZip(
  kind: ModelKind,
  nets: Record<string, Net>,
  extra: Record<string, Uint8Array> = {},
) {
  const files: Record<string, Uint8Array> = { ...extra };
  for (const [net, { topology, weights }] of Object.entries(nets)) {
    const manifest = [
      {
        paths: ['group1-shard1of1.bin'],
        weights: weights.map((w) => ({ ...w, dtype: 'float32' })),
      },
    ];
    const json = {
      format: 'layers-model',
      generatedBy: 'keras v3.15.1',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: topology,
      weightsManifest: manifest,
    };
    files[`${net}/model.json`] = strToU8(JSON.stringify(json));
    files[`${net}/group1-shard1of1.bin`] = new Uint8Array(values(weights).buffer);
  }
  const meta = {
    id: 's1',
    name: 'From Keras',
    model: kind,
    dataset: 'd',
    lastLoss: null,
    createdAt: 1,
    savedAt: 2,
    backend: 'cpu',
  };
  const config = kind === 'char-lstm' ? { vocab: ['a', 'b', 'c'], model: { vocabSize: 3 } } : {};
  const checkpoint = {
    model: kind,
    step: 5,
    epoch: 0,
    cursor: 0,
    rngState: 1,
    config,
    history: [],
    extra: {},
  };
  files['metadata.json'] = strToU8(JSON.stringify({ format: 1, meta, checkpoint }));
  return zipSync(files);
}

// A char-LSTM as Keras 3 saves it and the converter wraps it: InputLayer first, Keras 3 objects,
// weights named by variable path (the cell's own name inside) and listed in alphabetical layer order.
/** The converted char-LSTM's modelTopology. */
export const LSTM_TOPOLOGY = {
  keras_version: '3.15.1',
  backend: 'jax',
  model_config: {
    class_name: 'Sequential',
    config: {
      name: 'sequential_1',
      trainable: true,
      dtype: policy(),
      layers: [
        {
          class_name: 'InputLayer',
          config: {
            batch_shape: [null, 4, 3],
            dtype: 'float32',
            sparse: false,
            ragged: false,
            name: 'input_layer',
            optional: false,
          },
        },
        keras3('LSTM', {
          name: 'lstm',
          units: 2,
          activation: 'tanh',
          recurrent_activation: 'sigmoid',
          use_bias: true,
          kernel_initializer: init('GlorotUniform'),
          return_sequences: false,
          unroll: false,
          seed: null,
        }),
        keras3('Dense', {
          name: 'dense',
          units: 3,
          activation: 'softmax',
          use_bias: true,
          kernel_initializer: init('GlorotUniform'),
          quantization_config: null,
        }),
      ],
    },
  },
};
/** The converted char-LSTM's weights, as the converter lists them. */
export const LSTM_WEIGHTS: Weight[] = [
  { name: 'sequential_1/dense/kernel', shape: [2, 3] },
  { name: 'sequential_1/dense/bias', shape: [3] },
  { name: 'sequential_1/lstm/lstm_cell/kernel', shape: [3, 8] },
  { name: 'sequential_1/lstm/lstm_cell/recurrent_kernel', shape: [2, 8] },
  { name: 'sequential_1/lstm/lstm_cell/bias', shape: [8] },
];

/** A one-layer functional network in Keras 3's layout: input [null, n] into the given layers in a chain. */
export function functional(name: string, n: number, layers: [string, Json][]): Json {
  let prev = `${name}_in`;
  const out: Json[] = [
    {
      class_name: 'InputLayer',
      name: prev,
      inbound_nodes: [],
      config: { batch_shape: [null, n], dtype: 'float32', name: prev },
    },
  ];
  for (const [cls, config] of layers) {
    out.push({
      ...keras3(cls, config),
      name: config.name,
      inbound_nodes: [{ args: [tensor(prev, [null, n])], kwargs: {} }],
    });
    prev = String(config.name);
  }
  return {
    model_config: {
      class_name: 'Functional',
      config: {
        name,
        layers: out,
        input_layers: [`${name}_in`, 0, 0],
        output_layers: [prev, 0, 0],
      },
    },
  };
}

/** A tiny GAN (generator Dense + LeakyReLU + `generatorLayers`, discriminator Dense) in Keras 3's layout. */
export function ganNets(generatorLayers: [string, Json][] = []): Record<string, Net> {
  const g: [string, Json][] = [
    ['Dense', { name: 'g_dense', units: 3, activation: 'linear', use_bias: true }],
    ['LeakyReLU', { name: 'g_act', negative_slope: 0.2 }],
    ...generatorLayers,
  ];
  return {
    generator: {
      topology: functional('generator', 2, g),
      weights: [
        { name: 'g_dense/kernel', shape: [2, 3] },
        { name: 'g_dense/bias', shape: [3] },
      ],
    },
    discriminator: {
      topology: functional('discriminator', 3, [
        ['Dense', { name: 'd_prob', units: 1, activation: 'sigmoid' }],
      ]),
      weights: [
        { name: 'd_prob/kernel', shape: [3, 1] },
        { name: 'd_prob/bias', shape: [1] },
      ],
    },
  };
}

/** Optimizer files of an earlier export, which weights from Keras must not inherit. */
export const STALE_OPTIMIZER = {
  'optimizers/rmsprop.json': strToU8(
    JSON.stringify([
      { name: 'iter', shape: [], dtype: 'int32' },
      { name: 'lstm_LSTM1/kernel/rms', shape: [57, 512], dtype: 'float32' },
    ]),
  ),
  'optimizers/rmsprop.bin': new Uint8Array(4 + 57 * 512 * 4),
};
