import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { topologyLayers, topologyWeightShapes } from '../../src/storage/checkpoints/layer-shapes';
import { SESSION_LAYOUTS } from '../../src/storage/checkpoints/import';
import { buildCharLstm, createCharLstmConfig } from '../../src/models/char-lstm/model';
import { buildDiscriminator, buildGenerator, createGanConfig } from '../../src/models/gan/model';
import type { GanConfig } from '../../src/models/gan/model';
import { buildClassifier, buildEncoder, buildSegmenter } from '../../src/models/segmenter/model';
import type { ModelKind } from '../../src/shared/protocol';

// Every variant the app can build, per model kind: the import allow list and the shape inference
// must cover exactly these.
function variants(): Record<ModelKind, tf.LayersModel[]> {
  const gan = (o: Partial<GanConfig>) => {
    const cfg = createGanConfig(o);
    return [buildGenerator(cfg, 1), buildDiscriminator(cfg, 1)];
  };
  const seg = (numClasses: number, batchNorm: boolean) => {
    const encoder = buildEncoder({ size: 16, filters: [2, 3, 4], numClasses, seed: 1, batchNorm });
    const cls = buildClassifier(encoder, { name: 'attr', head: 'multiClass', units: 3 });
    return [buildSegmenter(encoder), cls];
  };
  return {
    'char-lstm': [buildCharLstm(createCharLstmConfig(7, { maxLen: 5, units: 3 }), 1)],
    gan: [
      ...gan({ upsample: 'resize' }),
      ...gan({ upsample: 'nearest', emaDecay: 0.999 }),
      ...gan({ upsample: 'transpose' }),
      ...gan({ upsample: 'transpose', imageSize: 64, width: 'standard', latentDim: 16 }),
    ],
    segmenter: [...seg(2, true), ...seg(4, false)],
  };
}

describe('layer shapes from a topology', () => {
  let models: Record<ModelKind, tf.LayersModel[]>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    models = variants();
  });

  it('infers exactly the weight names and shapes tfjs builds, for every model variant', () => {
    for (const list of Object.values(models)) {
      for (const model of list) {
        const inferred = topologyWeightShapes(model.toJSON(null, false));
        const actual = new Map(model.weights.map((w) => [w.originalName, w.shape]));
        expect(inferred).toEqual(actual);
      }
    }
  });

  it('the import allow list of each kind is exactly the layer classes its builders use', () => {
    for (const [kind, list] of Object.entries(models)) {
      const used = new Set<string>();
      for (const model of list)
        for (const layer of topologyLayers(model.toJSON(null, false))) used.add(layer.class_name);
      expect([...used].sort()).toEqual([...SESSION_LAYOUTS[kind as ModelKind].layerClasses].sort());
      for (const model of list) {
        const cls = (model.toJSON(null, false) as { class_name: string }).class_name;
        expect(cls).toBe(SESSION_LAYOUTS[kind as ModelKind].modelClass);
      }
    }
  });

  it('refuses a layer class it does not know and layers that never connect', () => {
    const topology = models['char-lstm'][0].toJSON(null, false) as {
      config: { layers: { class_name: string }[] };
    };
    topology.config.layers[1].class_name = 'Lambda';
    expect(() => topologyWeightShapes(topology)).toThrow(
      'the layer class “Lambda” is not supported',
    );
    const g = models.gan[0].toJSON(null, false) as {
      config: { layers: { inbound_nodes: unknown[] }[] };
    };
    g.config.layers[1].inbound_nodes = [[['nowhere', 0, 0, {}]]];
    expect(() => topologyWeightShapes(g)).toThrow('not connected');
  });
});
