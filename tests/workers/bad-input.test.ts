// Every bad text or hyperparameter input reaches the worker API as a rejected call with a specific
// human message; no exception escapes any other way and the stored sessions stay exactly as they were.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { listSessions, loadCheckpoint } from '../../src/storage/checkpoints/store';
import { putCorpus } from '../../src/storage/corpora';
import { openAppDb, type AppDatabase } from '../../src/storage/db';
import { createCharLstmApi } from '../../src/workers/text/api';
import { createGanApi } from '../../src/workers/faces/api';
import { createSegApi } from '../../src/workers/segmentation/api';

const TEXT = 'a good corpus of plain words, long enough to train on. '.repeat(10);
const TINY = { units: 8, batchSize: 8, maxLen: 10 };
const seen: [string, string][] = [];

async function snapshot(db: AppDatabase) {
  const sessions = await listSessions(db);
  const ckpts = await Promise.all(sessions.map((s) => loadCheckpoint(db, s.id)));
  return JSON.stringify({ sessions, steps: ckpts.map((c) => c?.step) });
}

/** Runs `call`, expects a rejection matching `message`, and the store unchanged. */
async function refused(
  db: AppDatabase,
  what: string,
  call: () => Promise<unknown>,
  message: RegExp,
) {
  const before = await snapshot(db);
  const err = await call().then(
    () => null,
    (e: Error) => e,
  );
  expect(err, what).toBeInstanceOf(Error);
  expect(err!.message, what).toMatch(message);
  expect(await snapshot(db), `${what}: stored sessions unchanged`).toBe(before);
  seen.push([what, err!.message]);
}

describe('bad inputs at the worker APIs (cpu)', () => {
  let db: AppDatabase;
  const factory = new IDBFactory();
  const openDb = () => openAppDb('bad', factory);
  const text = createCharLstmApi({ openDb, loadBundled: async () => TEXT });

  beforeAll(async () => {
    await tf.setBackend('cpu');
    db = await openDb();
    await text.init('cpu');
    // One existing session that every refusal must leave alone.
    await text.startNew(
      { corpus: { kind: 'bundled', name: 'good' }, config: TINY, seed: 1 },
      () => {},
      3,
    );
    await text.pause();
  });

  const corpora: [string, string, RegExp][] = [
    ['empty corpus', '', /The text is empty/],
    [
      'corpus shorter than maxLen + 1',
      'short text',
      /too short: it has 10 characters and needs at least 11/,
    ],
    [
      'binary file as corpus',
      '\u0000\u0001PK\u0003\u0004'.repeat(40),
      /binary file, not plain text/,
    ],
    ['corpus with a single distinct character', 'a'.repeat(500), /single character/],
    ['corpus over the size limit', 'ab'.repeat(10_000_001), /too large .* the limit is 20 M/],
  ];
  for (const [what, body, message] of corpora) {
    it(`refuses a ${what}`, async () => {
      const info = await putCorpus(db, { name: what, text: body, source: 'file' });
      await refused(
        db,
        what,
        () =>
          text.startNew(
            { corpus: { kind: 'stored', id: info.id, name: what }, config: TINY },
            () => {},
            1,
          ),
        message,
      );
    });
  }

  const textParams: [string, Record<string, number>, RegExp][] = [
    ['learning rate 0', { learningRate: 0 }, /learning rate must be a positive number/],
    ['learning rate -1', { learningRate: -1 }, /learning rate must be a positive number/],
    ['learning rate NaN', { learningRate: NaN }, /learning rate must be a positive number/],
    ['batch size 0', { batchSize: 0 }, /batch size must be an integer from 1/],
    ['units NaN', { units: NaN }, /LSTM units must be an integer/],
    ['window length 2.5', { maxLen: 2.5 }, /window length must be an integer/],
  ];
  for (const [what, config, message] of textParams) {
    it(`text: refuses ${what}`, async () => {
      await refused(
        db,
        `text ${what}`,
        () =>
          text.startNew(
            { corpus: { kind: 'bundled', name: 'good' }, config: { ...TINY, ...config } },
            () => {},
            1,
          ),
        message,
      );
    });
  }

  it('text: refuses temperatures ≤ 0 or NaN and a NaN length when sampling', async () => {
    const id = (await listSessions(db, 'char-lstm'))[0].id;
    await text.open(id);
    for (const t of [0, -0.5, NaN])
      await refused(
        db,
        `temperature ${t}`,
        () => text.sample({ length: 10, temperatures: [t] }, () => {}),
        /temperature must be a number above 0/,
      );
    await refused(
      db,
      'sample length NaN',
      () => text.sample({ length: NaN, temperatures: [0.5] }, () => {}),
      /length must be a whole number/,
    );
  });

  it('faces and segmentation: refuse out-of-range hyperparameters', async () => {
    const gan = createGanApi({ openDb });
    const seg = createSegApi({ openDb });
    const dataset = { kind: 'builtin', name: 'Built-in faces' } as const;
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        'faces learning rate 0',
        () => gan.startNew({ dataset, config: { learningRate: 0 } }, () => {}, 1),
        /learning rate must be a positive number/,
      ],
      [
        'faces batch size 0',
        () => gan.startNew({ dataset, config: { batchSize: 0 } }, () => {}, 1),
        /batch size must be an integer/,
      ],
      [
        'faces image size 48',
        () => gan.startNew({ dataset, config: { imageSize: 48 as 32 } }, () => {}, 1),
        /image size must be 32 or 64/,
      ],
      [
        'faces dropout NaN',
        () => gan.startNew({ dataset, config: { dropout: NaN } }, () => {}, 1),
        /dropout rate must be in/,
      ],
      [
        'segmentation learning rate -1',
        () => seg.startNew({ mode: 'binary', pretrainTask: null, learningRate: -1 }, () => {}, 1),
        /learning rate must be a number above 0/,
      ],
      [
        'segmentation batch size 0',
        () => seg.startNew({ mode: 'binary', pretrainTask: null, batchSize: 0 }, () => {}, 1),
        /batch size must be a whole number/,
      ],
      [
        'segmentation learning rate NaN',
        () => seg.startNew({ mode: 'binary', pretrainTask: null, learningRate: NaN }, () => {}, 1),
        /learning rate must be a number above 0/,
      ],
    ];
    for (const [what, call, message] of cases) await refused(db, what, call, message);
    console.log(seen.map(([w, m]) => `| ${w} | ${m} |`).join('\n'));
  });
});
