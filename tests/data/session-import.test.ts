import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSessionZip, sizeRefusal } from '../../src/storage/checkpoints/import';
import { checkpointToZip } from '../../src/storage/checkpoints/zip';
import type { ModelKind, SessionMeta, TrainProgress } from '../../src/shared/protocol';
import type { Checkpoint } from '../../src/storage/checkpoints/store';
import {
  deleteSession,
  duplicateSession,
  getSession,
  importSession,
  listSessions,
  loadCheckpoint,
  renameSession,
} from '../../src/storage/checkpoints/store';
import type { AppDatabase } from '../../src/storage/db';
import { openAppDb } from '../../src/storage/db';
import { createCharLstmApi } from '../../src/workers/text/api';
import { createGanApi } from '../../src/workers/faces/api';
import { createSegApi } from '../../src/workers/segmentation/api';
import { Rng } from '../../src/shared/rng';
import { restoreModel } from '../../src/storage/checkpoints/snapshot';

const CORPUS = 'a session goes out as a zip and comes back the same. '.repeat(8);
type Files = Record<string, Uint8Array>;

function stopped() {
  let done!: () => void;
  const promise = new Promise<void>((r) => (done = r));
  return { promise, onProgress: (p: TrainProgress) => p.state !== 'running' && done() };
}

/** The whole database as comparable data: every session meta and checkpoint. */
async function snapshotDb(db: AppDatabase) {
  const sessions = await db.getAll('sessions');
  const checkpoints = await db.getAll('checkpoints');
  return JSON.stringify({ sessions, checkpoints }, (_k, v: unknown) =>
    v instanceof ArrayBuffer ? Array.from(new Uint8Array(v)) : v,
  );
}

/** What the Import button does: parse, and store only when valid. */
async function importZip(db: AppDatabase, zip: Uint8Array, kind: ModelKind = 'char-lstm') {
  const parsed = parseSessionZip(zip, kind, 'my-session.zip');
  if (!parsed.ok) return parsed;
  return { ok: true as const, meta: await importSession(db, parsed.meta, parsed.checkpoint) };
}

function edit(zip: Uint8Array, fn: (files: Files) => void): Uint8Array {
  const files = unzipSync(zip);
  fn(files);
  return zipSync(files);
}

const json = (bytes: Uint8Array) => JSON.parse(strFromU8(bytes));
const bytes = (value: unknown) => strToU8(JSON.stringify(value));

describe('session import', () => {
  const factory = new IDBFactory();
  let db: AppDatabase;
  let meta: SessionMeta;
  let ckpt: Checkpoint;
  let zip: Uint8Array;
  let ganZip: Uint8Array;
  const openDb = () => openAppDb('import', factory);

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const text = createCharLstmApi({ openDb, loadBundled: async () => CORPUS });
    await text.init('cpu');
    const run = stopped();
    const started = await text.startNew(
      {
        corpus: { kind: 'bundled', name: 'zip corpus' },
        config: { units: 6, batchSize: 8, maxLen: 8 },
        seed: 4,
      },
      run.onProgress,
      3,
    );
    await run.promise;
    db = await openDb();
    meta = (await getSession(db, started.id))!;
    ckpt = (await loadCheckpoint(db, started.id))!;
    zip = checkpointToZip(meta, ckpt);

    const gan = createGanApi({ openDb });
    await gan.init('cpu');
    const ganRun = stopped();
    const g = await gan.startNew(
      {
        dataset: { kind: 'builtin', name: 'faces' },
        config: { imageSize: 32, batchSize: 2, latentDim: 8 },
        seed: 1,
      },
      ganRun.onProgress,
      1,
    );
    await ganRun.promise;
    ganZip = checkpointToZip((await getSession(db, g.id))!, (await loadCheckpoint(db, g.id))!);
  });

  it('round trip: the imported session is a new session that predicts exactly what the exported one did', async () => {
    const before = await listSessions(db, 'char-lstm');
    const result = await importZip(db, zip);
    if (!result.ok) throw new Error(result.message);
    expect(result.meta.id).not.toBe(meta.id);
    expect(result.meta).toMatchObject({ name: meta.name, step: 3, model: 'char-lstm' });
    expect(result.meta.sizeBytes).toBeGreaterThan(0);
    expect(await listSessions(db, 'char-lstm')).toHaveLength(before.length + 1);
    expect(await loadCheckpoint(db, meta.id)).toEqual(ckpt);

    const imported = (await loadCheckpoint(db, result.meta.id))!;
    const { samples: _s, sessionId: _i, ...rest } = imported;
    const { samples: _s2, sessionId: _i2, ...original } = ckpt;
    void [_s, _i, _s2, _i2];
    expect(rest).toEqual(original);

    const x = tf.randomUniform(
      [2, 8, (ckpt.config as { vocab: string[] }).vocab.length],
      0,
      1,
      'float32',
      5,
    );
    const a = await restoreModel(ckpt.topologies.model, ckpt.weights.model);
    const b = await restoreModel(imported.topologies.model, imported.weights.model);
    const pa = await (a.predict(x) as tf.Tensor).data();
    const pb = await (b.predict(x) as tf.Tensor).data();
    expect(Array.from(pb)).toEqual(Array.from(pa));
    a.dispose();
    b.dispose();
    x.dispose();

    // Through the worker API too: the same seed and state generate the same text.
    const sample = async (id: string) => {
      const api = createCharLstmApi({ openDb, loadBundled: async () => CORPUS });
      await api.init('cpu');
      await api.open(id);
      return api.sample({ seed: 'a sessio', length: 40, temperatures: [0.5, 1] }, () => undefined);
    };
    expect((await sample(result.meta.id)).texts).toEqual((await sample(meta.id)).texts);
  });

  const bad: [string, () => Uint8Array | Promise<Uint8Array>, string][] = [
    ['a text file', () => strToU8('just some notes, not a zip'), 'it is not a .zip file'],
    [
      'a broken zip',
      () => Uint8Array.from([0x50, 0x4b, 3, 4, 9, 9, 9, 9, 9]),
      'not a readable zip file',
    ],
    [
      'a zip bomb (declares 2 GB unpacked)',
      () => {
        const z = zipSync({ 'metadata.json': new Uint8Array(10) }, { level: 0 });
        const view = new DataView(z.buffer, z.byteOffset, z.byteLength);
        // Central directory entries (signature PK\1\2) declare the uncompressed size at offset 24.
        for (let i = 0; i < z.length - 4; i++)
          if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, 2 ** 31, true);
        return z;
      },
      'would unpack to 2048.0 MB, over the limit of 300 MB (a zip bomb?)',
    ],
    [
      'an archive of 65 files',
      () =>
        zipSync(
          Object.fromEntries(
            Array.from({ length: 65 }, (_, i) => [`f${i}.txt`, new Uint8Array(1)]),
          ),
        ),
      'it holds 65 files, over the limit of 64',
    ],
    [
      'a zip without metadata.json',
      () => zipSync({ 'notes.txt': strToU8('hi') }),
      'it has no metadata.json',
    ],
    [
      'a bare tfjs model (no session metadata)',
      () => edit(zip, (f) => delete f['metadata.json']),
      'it holds a model but no metadata.json',
    ],
    [
      'malformed metadata.json',
      () => edit(zip, (f) => (f['metadata.json'] = strToU8('{"format": 1, "meta": {'))),
      'metadata.json is not valid JSON',
    ],
    [
      'malformed model.json',
      () => edit(zip, (f) => (f['model/model.json'] = strToU8('{"modelTopology": [1, 2'))),
      'model/model.json is not valid JSON',
    ],
    [
      'a missing weight file',
      () => edit(zip, (f) => delete f['model/weights.bin']),
      'the weight file model/weights.bin is missing',
    ],
    [
      'truncated weights',
      () => edit(zip, (f) => (f['model/weights.bin'] = f['model/weights.bin'].slice(0, 100))),
      'model/weights.bin is truncated: it holds 100 bytes, but model/model.json needs',
    ],
    [
      'a weight shape that does not match the weight data',
      () =>
        edit(zip, (f) => {
          const m = json(f['model/model.json']);
          m.weightsManifest[0].weights[2].shape = [23];
          f['model/model.json'] = bytes(m);
        }),
      'the shapes do not match the weights',
    ],
    [
      'a weight shape that does not match its layer',
      () =>
        edit(zip, (f) => {
          const m = json(f['model/model.json']);
          const kernel = m.weightsManifest[0].weights[3];
          kernel.shape = [...kernel.shape].reverse();
          f['model/model.json'] = bytes(m);
        }),
      'has shape [19, 6], but its layer in model/model.json needs [6, 19]',
    ],
    [
      'weights with NaN in them',
      () =>
        edit(zip, (f) => {
          const w = f['model/weights.bin'].slice();
          new DataView(w.buffer).setFloat32(8, NaN, true);
          f['model/weights.bin'] = w;
        }),
      'model/weights.bin holds NaN or infinite weights',
    ],
    [
      'an unknown layer class',
      () =>
        edit(zip, (f) => {
          const m = json(f['model/model.json']);
          m.modelTopology.config.layers[1].class_name = 'Lambda';
          f['model/model.json'] = bytes(m);
        }),
      'model/model.json uses the layer class “Lambda”, which char-LSTM text models do not have',
    ],
    [
      'a model for another model kind (DCGAN into Text)',
      () => ganZip,
      'it holds a DCGAN faces session; import it in the Faces tab instead',
    ],
    [
      'a missing optimizer state',
      () => edit(zip, (f) => delete f['optimizers/rmsprop.bin']),
      'optimizers/rmsprop.bin (the optimizer state) is missing',
    ],
    [
      'optimizer state for a weight the model lacks',
      () =>
        edit(zip, (f) => {
          const specs = json(f['optimizers/rmsprop.json']);
          specs[1].name = 'other_layer/kernel/rms';
          f['optimizers/rmsprop.json'] = bytes(specs);
        }),
      'has state for “other_layer/kernel”, which the model does not have',
    ],
    [
      'a vocabulary that does not fit the model',
      () =>
        edit(zip, (f) => {
          const m = json(f['metadata.json']);
          m.checkpoint.config.vocab.pop();
          f['metadata.json'] = bytes(m);
        }),
      'has 18 characters, but the model reads 19',
    ],
    [
      'an absurd weight shape',
      () =>
        edit(zip, (f) => {
          const m = json(f['model/model.json']);
          m.weightsManifest[0].weights[0].shape = [100000, 100000];
          f['model/model.json'] = bytes(m);
        }),
      'has 10,000,000,000 values, more than any model of this app',
    ],
    [
      'a session whose metadata sits under a traversal name',
      () =>
        edit(zip, (f) => {
          f['../../metadata.json'] = f['metadata.json'];
          delete f['metadata.json'];
        }),
      'it has an entry named “../../metadata.json”, which points outside the archive',
    ],
    [
      'a valid session with an extra traversal entry',
      () => edit(zip, (f) => (f['../../evil.json'] = strToU8('{}'))),
      'it has an entry named “../../evil.json”, which points outside the archive',
    ],
    [
      'an absolute entry name',
      () => edit(zip, (f) => (f['/etc/evil.json'] = strToU8('{}'))),
      'it has an entry named “/etc/evil.json”, which points outside the archive',
    ],
  ];

  it.each(bad)(
    'refuses %s with its own message and changes no session',
    async (_what, make, expected) => {
      const before = await snapshotDb(db);
      const input = await make();
      const result = await importZip(db, input);
      expect(result.ok).toBe(false);
      const message = result.ok ? '' : result.message;
      expect(message).toContain(expected);
      expect(message).toMatch(
        /^Could not import “my-session\.zip”: .*Your saved sessions are unchanged\.$/,
      );
      console.log(`IMPORT MESSAGE | ${_what} | ${message}`);
      expect(await snapshotDb(db)).toBe(before);
    },
  );

  it('refuses an archive over the size limit before reading it', () => {
    const message = sizeRefusal('huge.zip', 101 * 1024 * 1024);
    expect(message).toBe(
      'Could not import “huge.zip”: it is 101.0 MB, over the limit of 100 MB for a session. Your saved sessions are unchanged.',
    );
    console.log(`IMPORT MESSAGE | a 101 MB file | ${message}`);
    expect(sizeRefusal('small.zip', zip.length)).toBeNull();
    const small = parseSessionZip(zip, 'char-lstm', 'x.zip', { maxZipBytes: 1000 });
    expect(small.ok ? '' : small.message).toContain('over the limit');
  });

  it('accepts real exports of every model kind in their own tab (GAN; segmenter in pretrain and frozen phases)', async () => {
    const gan = parseSessionZip(ganZip, 'gan');
    expect(gan.ok ? gan.checkpoint.model : gan.message).toBe('gan');
    for (const steps of [1, 3]) {
      // A fresh API each time: SegSession's dispose trips over the encoder layers it shares.
      const seg = createSegApi({ openDb });
      await seg.init('cpu');
      const run = stopped();
      const req = {
        mode: 'binary',
        pretrainTask: 'glasses',
        pretrainSteps: 2,
        frozenSteps: 2,
      } as const;
      const m = await seg.startNew(
        { ...req, batchSize: 2, evalEvery: 2, seed: 5 },
        run.onProgress,
        steps,
      );
      await run.promise;
      const z = checkpointToZip((await getSession(db, m.id))!, (await loadCheckpoint(db, m.id))!);
      const parsed = parseSessionZip(z, 'segmenter');
      expect(parsed.ok ? parsed.checkpoint.step : parsed.message).toBe(steps);
      const wrongTab = parseSessionZip(z, 'char-lstm');
      expect(wrongTab.ok ? '' : wrongTab.message).toContain('import it in the Segmentation tab');
    }
  });

  it('never throws on randomly damaged archives', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 60; i++) {
      const damaged = zip.slice();
      for (let k = 0; k < 1 + rng.int(4); k++) damaged[rng.int(damaged.length)] = rng.int(256);
      const cut = i % 3 === 0 ? damaged.slice(0, rng.int(damaged.length)) : damaged;
      const result = parseSessionZip(cut, 'char-lstm');
      if (!result.ok) expect(result.message).toMatch(/^Could not import/);
    }
  });

  it('storage: import never overwrites; rename, duplicate and delete touch only their session', async () => {
    // Earlier tests sample from the original session, which saves it: compare with it as it is now.
    const originalCkpt = await loadCheckpoint(db, meta.id);
    const parsed = parseSessionZip(zip, 'char-lstm');
    if (!parsed.ok) throw new Error(parsed.message);
    const first = await importSession(db, parsed.meta, parsed.checkpoint);
    const second = await importSession(db, parsed.meta, parsed.checkpoint);
    expect(new Set([first.id, second.id, meta.id]).size).toBe(3);
    const original = await snapshotDb(db);

    const renamed = await renameSession(db, first.id, 'Renamed branch');
    expect(renamed.name).toBe('Renamed branch');
    const copy = await duplicateSession(db, first.id, 'Renamed branch (copy)');
    expect((await loadCheckpoint(db, copy.id))!.weights).toEqual(
      (await loadCheckpoint(db, first.id))!.weights,
    );
    await deleteSession(db, copy.id);
    await renameSession(db, first.id, meta.name);
    expect(await snapshotDb(db)).toBe(original);
    await deleteSession(db, first.id);
    await deleteSession(db, second.id);
    expect(await getSession(db, first.id)).toBeUndefined();
    expect(await loadCheckpoint(db, second.id)).toBeUndefined();
    expect(await loadCheckpoint(db, meta.id)).toEqual(originalCkpt);
  });

  it('a rename survives the next save of a worker that still holds the old name', async () => {
    // The worker is the only writer: it renames the session it holds, so its next save keeps the name.
    const api = createCharLstmApi({ openDb, loadBundled: async () => CORPUS });
    await api.init('cpu');
    const stored = await api.importZip(zip, 'char-lstm', 'branch.zip');
    await api.open(stored.id);
    await api.rename(stored.id, 'Renamed while paused');
    let saved: SessionMeta | undefined;
    const run = stopped();
    await api.resume(
      stored.id,
      (p) => {
        saved = p.saved ?? saved;
        run.onProgress(p);
      },
      1,
    );
    await run.promise;
    expect(saved).toMatchObject({ name: 'Renamed while paused', step: 4 });
    expect(await getSession(db, stored.id)).toMatchObject({
      name: 'Renamed while paused',
      step: 4,
    });
    await api.remove(stored.id);
  });
});
