// With real Keras 3 (jax backend): sessions exported by the app load through python/playground_keras.py
// and predict the same; weights changed in Keras come back through Import session (written by the
// helper's save_for_app, or in tensorflowjs_converter's layout), predict what Keras predicts and train.
// CI installs Keras (.ci/run); on a machine without it these tests are skipped with a message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSessionZip } from '../../src/storage/checkpoints/import';
import type { ModelKind, TrainProgress } from '../../src/shared/protocol';
import { loadCheckpoint } from '../../src/storage/checkpoints/store';
import { restoreModel } from '../../src/storage/checkpoints/snapshot';
import { appPredict, exportSessions, inputFor, sessionStore } from './sessions';

const PYTHON = process.env.PYTHON ?? 'python3';
const SCRIPT = fileURLToPath(new URL('../../python/test_keras_parity.py', import.meta.url));
// Bytecode caches would land in python/ of the work tree.
const ENV = { ...process.env, KERAS_BACKEND: 'jax', PYTHONDONTWRITEBYTECODE: '1' };
const hasKeras =
  spawnSync(PYTHON, ['-c', 'import keras, jax'], { stdio: 'ignore', env: ENV }).status === 0;
const inCi = Boolean(process.env.CI);
if (!hasKeras && !inCi)
  console.warn(
    `SKIPPED tests/keras: ${PYTHON} cannot import keras and jax (pip install keras "jax[cpu]" to run them).`,
  );

const TOLERANCE = 1e-5;
const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), a.length === b.length ? 0 : Infinity);

interface Summary {
  keras: string;
  backend: string;
  parity: { id: string; network: string; maxAbsDiff: number }[];
  back: {
    id: string;
    appZip: string;
    converterZip: string;
    networks: { network: string; expected: string; changed: number }[];
  }[];
  refused: { id: string; error: string | null }[];
}

describe.skipIf(!hasKeras && !inCi)('Keras 3 both ways (python/playground_keras.py)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keras-'));
  const store = sessionStore();
  const sessions: Record<string, { kind: ModelKind; zip: Uint8Array; networks: string[] }> = {};
  const inputs: Record<string, { data: Float32Array; shape: number[] }> = {};
  let summary: Summary;

  beforeAll(async () => {
    if (!hasKeras)
      throw new Error(`CI must run the Keras tests, but ${PYTHON} cannot import keras and jax`);
    await tf.setBackend('cpu');
    Object.assign(sessions, await exportSessions(store));
    const cases = { parity: [] as object[], back: [] as object[], refuse: [] as object[] };
    for (const [id, s] of Object.entries(sessions)) {
      const zipPath = join(dir, `${id}.zip`);
      writeFileSync(zipPath, s.zip);
      const parsed = parseSessionZip(s.zip, s.kind);
      if (!parsed.ok) throw new Error(parsed.message);
      const back = [];
      for (const [n, network] of s.networks.entries()) {
        const input = inputFor(parsed.checkpoint.topologies[network], 17 + n);
        inputs[`${id}/${network}`] = input;
        const expected = await appPredict(s.zip, s.kind, network, input);
        const files = {
          input: join(dir, `${id}-${network}-in.f32`),
          expected: join(dir, `${id}-${network}-app.f32`),
        };
        writeFileSync(files.input, input.data);
        writeFileSync(files.expected, expected);
        cases.parity.push({ id, zip: zipPath, network, shape: input.shape, ...files });
        back.push({ network, input: files.input, shape: input.shape });
      }
      if (!['gan-transpose', 'gan-resize'].includes(id))
        cases.back.push({ id, zip: zipPath, networks: back });
    }
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    const run = spawnSync(PYTHON, [SCRIPT, join(dir, 'cases.json')], {
      encoding: 'utf8',
      env: ENV,
      timeout: 600_000,
    });
    if (run.status !== 0) throw new Error(`python/test_keras_parity.py failed:\n${run.stderr}`);
    summary = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as Summary;
  }, 900_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every network predicts in Keras what it predicts in the app (max abs diff ≤ 1e-5)', () => {
    for (const p of summary.parity)
      console.log(
        `KERAS PARITY | ${p.id} ${p.network} | max abs diff ${p.maxAbsDiff.toExponential(2)}`,
      );
    console.log(`KERAS | keras ${summary.keras}, backend ${summary.backend}`);
    expect(summary.parity.map((p) => `${p.id}/${p.network}`)).toEqual([
      'lstm/model',
      'gan-resize/generator',
      'gan-resize/discriminator',
      'gan-nearest/generator',
      'gan-nearest/discriminator',
      'gan-transpose/generator',
      'gan-transpose/discriminator',
      'segmenter/segmenter',
      'segmenter/classifier',
    ]);
    for (const p of summary.parity)
      expect(p.maxAbsDiff, `${p.id}/${p.network}`).toBeLessThanOrEqual(TOLERANCE);
  });

  for (const layout of ['appZip', 'converterZip'] as const) {
    it(`the way back (${layout === 'appZip' ? 'save_for_app' : 'tensorflowjs_converter layout'}): Import session, the same predictions as Keras, then 2 training steps`, async () => {
      for (const back of summary.back) {
        const { kind } = sessions[back.id];
        const api =
          kind === 'char-lstm' ? store.text() : kind === 'gan' ? store.faces() : store.seg();
        await api.init('cpu');
        // The Import button's path: validate the zip, store it as a new session.
        const meta = await api.importZip(
          new Uint8Array(readFileSync(back[layout])),
          kind,
          'keras.zip',
        );
        const ckpt = (await loadCheckpoint(await store.openDb(), meta.id))!;
        // Weights from Keras start a fresh optimizer: the exported slots belonged to the old weights.
        expect(ckpt.optimizers).toEqual({});
        for (const net of back.networks) {
          const input = inputs[`${back.id}/${net.network}`];
          const model = await restoreModel(ckpt.topologies[net.network], ckpt.weights[net.network]);
          const x = tf.tensor(input.data, input.shape);
          const y = model.predict(x) as tf.Tensor;
          const got = (await y.data()) as Float32Array;
          tf.dispose([x, y]);
          model.dispose();
          const keras = new Float32Array(new Uint8Array(readFileSync(net.expected)).buffer);
          const diff = maxAbsDiff(got, keras);
          console.log(
            `KERAS BACK | ${layout} ${back.id} ${net.network} | max abs diff ${diff.toExponential(2)} (Keras changed the output by ${net.changed.toFixed(3)})`,
          );
          expect(net.changed).toBeGreaterThan(1e-3);
          expect(diff, `${back.id}/${net.network}`).toBeLessThanOrEqual(TOLERANCE);
        }
        let stopped!: (p: TrainProgress) => void;
        const done = new Promise<TrainProgress>((r) => (stopped = r));
        await api.resume(meta.id, (p) => p.state !== 'running' && stopped(p), 2);
        const end = await done;
        expect(end.step).toBe(meta.step + 2);
        expect((await store.openDb().then((db) => loadCheckpoint(db, meta.id)))!.step).toBe(
          meta.step + 2,
        );
      }
    });
  }
});
