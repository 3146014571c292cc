// A session as a .zip: every network in the standard tfjs layers format (model.json + weights.bin,
// loadable by tf.loadLayersModel and by `tensorflowjs_converter --input_format=tfjs_layers_model`),
// the optimizer slots, and a metadata JSON. Pure data: no tfjs, no IndexedDB.
import { strToU8, zipSync } from 'fflate';
import type { SessionMeta } from '../../shared/protocol';
import type { Checkpoint } from './store';

/** The `model.json` of one network, as tfjs' `io.browserDownloads` writes it. */
export function modelJson(topology: unknown, specs: Checkpoint['weights'][string]['specs']) {
  return {
    format: 'layers-model',
    generatedBy: 'offline-dl-playground',
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
}

/** Zips a checkpoint: `<network>/model.json`, `<network>/weights.bin`, `optimizers/*`, `metadata.json`. */
export function checkpointToZip(meta: SessionMeta, ckpt: Checkpoint): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, topology] of Object.entries(ckpt.topologies)) {
    const weights = ckpt.weights[name];
    files[`${name}/model.json`] = strToU8(
      JSON.stringify(modelJson(topology, weights.specs), null, 1),
    );
    files[`${name}/weights.bin`] = new Uint8Array(weights.data);
  }
  for (const [name, blob] of Object.entries(ckpt.optimizers)) {
    files[`optimizers/${name}.json`] = strToU8(JSON.stringify(blob.specs));
    files[`optimizers/${name}.bin`] = new Uint8Array(blob.data);
  }
  const { weights: _w, optimizers: _o, topologies: _t, samples: _s, ...rest } = ckpt;
  void [_w, _o, _t, _s];
  files['metadata.json'] = strToU8(JSON.stringify({ format: 1, meta, checkpoint: rest }, null, 1));
  return zipSync(files, { level: 6 });
}
