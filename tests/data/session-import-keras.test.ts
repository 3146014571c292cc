// The importer on small hand-made files in the layouts Keras and tensorflowjs_converter write: what it
// accepts (and how it stores it so tfjs rebuilds it), and what it refuses, in plain words.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normaliseTopology } from '../../src/storage/checkpoints/keras-topology';
import { parseSessionZip } from '../../src/storage/checkpoints/import';
import { buildCharLstm, createCharLstmConfig } from '../../src/models/char-lstm/model';
import { buildDiscriminator, buildGenerator, createGanConfig } from '../../src/models/gan/model';
import { buildClassifier, buildEncoder, buildSegmenter } from '../../src/models/segmenter/model';
import type { ModelKind } from '../../src/shared/protocol';
import { restoreModel } from '../../src/storage/checkpoints/snapshot';

import {
  ganNets,
  LSTM_TOPOLOGY,
  LSTM_WEIGHTS,
  policy,
  sessionZip,
  size,
  STALE_OPTIMIZER,
  values,
  type Json,
} from './keras-files';

function parsed(zip: Uint8Array, kind: ModelKind) {
  const result = parseSessionZip(zip, kind, 'keras.zip');
  if (!result.ok) throw new Error(result.message);
  return result.checkpoint;
}

const refusal = (zip: Uint8Array, kind: ModelKind) => {
  const result = parseSessionZip(zip, kind, 'keras.zip');
  return result.ok ? 'accepted' : result.message;
};

describe('session import of Keras and tensorflowjs_converter files', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('leaves the topologies the app itself writes as they are', () => {
    const encoder = buildEncoder({
      size: 16,
      filters: [2, 3],
      numClasses: 3,
      seed: 1,
      batchNorm: true,
    });
    const models = [
      buildCharLstm(createCharLstmConfig(5, { maxLen: 4, units: 2 }), 1),
      ...(['nearest', 'transpose'] as const).flatMap((upsample) => {
        const cfg = createGanConfig({ upsample, latentDim: 4 });
        return [buildGenerator(cfg, 1), buildDiscriminator(cfg, 1)];
      }),
      buildSegmenter(encoder),
      buildClassifier(encoder, { name: 'attr', head: 'multiClass', units: 3 }),
    ];
    for (const model of models) {
      const topology = model.toJSON(null, false) as Json;
      expect(normaliseTopology(structuredClone(topology))).toEqual(topology);
    }
  });

  it('accepts a converted Keras 3 char-LSTM, stores it in tfjs form under its layer names, with a fresh optimizer', async () => {
    const ckpt = parsed(
      sessionZip(
        'char-lstm',
        { model: { topology: LSTM_TOPOLOGY, weights: LSTM_WEIGHTS } },
        STALE_OPTIMIZER,
      ),
      'char-lstm',
    );
    const topology = ckpt.topologies.model as {
      class_name: string;
      config: { layers: { class_name: string; config: Json }[] };
    };
    expect(topology.class_name).toBe('Sequential');
    expect(topology.config.layers.map((l) => l.class_name)).toEqual(['LSTM', 'Dense']);
    expect(topology.config.layers[0].config).toMatchObject({
      batch_input_shape: [null, 4, 3],
      dtype: 'float32',
      kernel_initializer: { class_name: 'GlorotUniform' },
    });
    expect(JSON.stringify(topology)).not.toMatch(/DTypePolicy|registered_name|"module"/);
    expect(ckpt.weights.model.specs.map((s) => s.name)).toEqual([
      'dense/kernel',
      'dense/bias',
      'lstm/kernel',
      'lstm/recurrent_kernel',
      'lstm/bias',
    ]);
    expect(ckpt.optimizers).toEqual({});

    // tfjs rebuilds it, and it computes what the same layers built by hand compute.
    const model = await restoreModel(ckpt.topologies.model, ckpt.weights.model);
    const all = values(LSTM_WEIGHTS);
    const at = (i: number) => LSTM_WEIGHTS.slice(0, i).reduce((s, w) => s + size(w.shape), 0);
    const slice = (i: number) => tf.tensor(all.slice(at(i), at(i + 1)), LSTM_WEIGHTS[i].shape);
    const ref = tf.sequential({
      layers: [
        tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', inputShape: [4, 3] }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    ref.setWeights([slice(2), slice(3), slice(4), slice(0), slice(1)]);
    const x = tf.oneHot(tf.tensor2d([[0, 1, 2, 1]], [1, 4], 'int32'), 3).toFloat();
    const got = await (model.predict(x) as tf.Tensor).data();
    const want = await (ref.predict(x) as tf.Tensor).data();
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('accepts Keras 3 functional networks: dict inbound nodes, flat input layers, negative_slope read as alpha', async () => {
    const ckpt = parsed(sessionZip('gan', ganNets()), 'gan');
    const g = ckpt.topologies.generator as {
      class_name: string;
      config: Json & { layers: { config: Json; inbound_nodes: unknown }[] };
    };
    expect(g.class_name).toBe('Model');
    expect(g.config.input_layers).toEqual([['generator_in', 0, 0]]);
    expect(g.config.layers[2].inbound_nodes).toEqual([[['g_dense', 0, 0, {}]]]);
    expect(g.config.layers[2].config.alpha).toBe(0.2);
    const model = await restoreModel(g, ckpt.weights.generator);
    const y = await (model.predict(tf.tensor2d([[1, -2]])) as tf.Tensor).data();
    const w = values(ganNets().generator.weights);
    const pre = [0, 1, 2].map((j) => 1 * w[j] + -2 * w[3 + j] + w[6 + j]);
    pre.forEach((v, j) => expect(y[j]).toBeCloseTo(v > 0 ? v : 0.2 * v, 6));
  });

  it('maps weights whose layer names differ from the topology by layer order and shape', () => {
    const renamed = LSTM_WEIGHTS.slice(2)
      .concat(LSTM_WEIGHTS.slice(0, 2))
      .map((w) => ({
        ...w,
        name: w.name
          .replace('sequential_1/lstm/lstm_cell', 'rnn')
          .replace('sequential_1/dense', 'out'),
      }));
    const ckpt = parsed(
      sessionZip('char-lstm', { model: { topology: LSTM_TOPOLOGY, weights: renamed } }),
      'char-lstm',
    );
    expect(ckpt.weights.model.specs.map((s) => s.name)).toEqual([
      'lstm/kernel',
      'lstm/recurrent_kernel',
      'lstm/bias',
      'dense/kernel',
      'dense/bias',
    ]);
  });

  const refusals: [string, () => Uint8Array, ModelKind, string][] = [
    [
      'a mixed-precision dtype policy',
      () =>
        sessionZip(
          'gan',
          ganNets([['Dense', { name: 'g_out', units: 3, dtype: policy('mixed_float16') }]]),
        ),
      'gan',
      'layer “g_out” computes in mixed_float16; this app computes in float32',
    ],
    [
      'a functional model in the Text tab',
      () => sessionZip('char-lstm', { model: { ...ganNets().discriminator } }),
      'char-lstm',
      'model/model.json holds a functional model (Model), but the model of a char-LSTM text session is a Sequential model',
    ],
    [
      'a topology without a model class',
      () =>
        sessionZip('char-lstm', { model: { topology: { config: { layers: [] } }, weights: [] } }),
      'char-lstm',
      'holds no model class',
    ],
    [
      'weights by order that do not fit a layer',
      () =>
        sessionZip('char-lstm', {
          model: {
            topology: LSTM_TOPOLOGY,
            weights: LSTM_WEIGHTS.map((w, i) => ({ name: `w/${i}`, shape: w.shape })),
          },
        }),
      'char-lstm',
      'the weight “w/0” is named after no layer, and matching by order fails: the weights are grouped in 1 layer, but 2 layers of the model have weights',
    ],
    [
      'weights of the wrong shape by order',
      () =>
        sessionZip('char-lstm', {
          model: {
            topology: LSTM_TOPOLOGY,
            weights: [
              LSTM_WEIGHTS[2],
              LSTM_WEIGHTS[3],
              LSTM_WEIGHTS[4],
              { name: 'out/kernel', shape: [3, 2] },
              { name: 'out/bias', shape: [3] },
            ].map((w) => ({ ...w, name: w.name.replace('sequential_1/lstm/lstm_cell', 'rnn') })),
          },
        }),
      'char-lstm',
      'the weight “out/kernel” has shape [3, 2], but “dense/kernel” (layer 2 with weights) needs [2, 3]',
    ],
    [
      'a ReLU with a threshold',
      () => sessionZip('gan', ganNets([['ReLU', { name: 'g_relu', threshold: 0.5 }]])),
      'gan',
      'layer “g_relu” has a slope or threshold, which this app cannot run',
    ],
  ];

  it.each(refusals)('refuses %s in plain words', (_what, make, kind, expected) => {
    const message = refusal(make(), kind);
    console.log(`IMPORT MESSAGE | ${_what} | ${message}`);
    expect(message).toContain(expected);
    expect(message).toMatch(
      /^Could not import “keras\.zip”: .*Your saved sessions are unchanged\.$/,
    );
    expect(message).not.toMatch(/undefined|null|\[object/);
  });
});
