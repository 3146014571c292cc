// The shipped Text starter: it imports through the normal path, its card tells the truth, it writes
// words, it samples with no corpus stored, and Fine-tune trains a copy without touching it.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { englishWords, wordFigures } from '../../scripts/pretrain/text';
import { sha256, weightsSha256 } from '../../scripts/pretrain/common';
import { parseSessionZip } from '../../src/storage/checkpoints/import';
import type { StarterCard } from '../../src/shared/starters';
import type { TrainProgress } from '../../src/shared/protocol';
import { loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb } from '../../src/storage/db';
import { createCharLstmApi } from '../../src/workers/text/api';
import { CharLstmSession } from '../../src/workers/text/session';
import { validWordRate } from '../../src/models/char-lstm/word-rate';

const DIR = new URL('../../public/starters/text/', import.meta.url);
const zip = new Uint8Array(readFileSync(new URL('session.zip', DIR)));
const card = JSON.parse(readFileSync(new URL('card.json', DIR), 'utf8')) as StarterCard;
const STARTER_URL = 'https://app.test/starters/text/session.zip';
const OWN_TEXT = 'the will to power is the will to truth, and the truth is a woman. '.repeat(12);

describe('Text starter', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    // The worker fetches the starter from the app's origin; here that is the file in public/.
    vi.stubGlobal('fetch', async (url: string) =>
      url === STARTER_URL ? new Response(zip) : new Response('', { status: 404 }),
    );
  });
  afterAll(() => vi.unstubAllGlobals());

  it('imports through the normal import path, and its card matches its weights and steps', () => {
    const parsed = parseSessionZip(zip, 'char-lstm', 'session.zip');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.checkpoint.step).toBe(card.steps);
    expect(weightsSha256(parsed.checkpoint)).toBe(card.weightsSha256);
    expect(card.data.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Shipped without optimizer slots: they would triple its size and Fine-tune starts fresh.
    expect(Object.keys(parsed.checkpoint.optimizers)).toEqual([]);
    expect(sha256(zip)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes words: valid-word rate ≥ 0.7 at T = 0.5 over 2,000 characters (untrained: near 0)', async () => {
    const parsed = parseSessionZip(zip, 'char-lstm');
    if (!parsed.ok) throw new Error(parsed.message);
    const session = await CharLstmSession.restore(parsed.meta, parsed.checkpoint, '');
    const seeds = session.config.sampleSeeds ?? [];
    expect(seeds.length).toBeGreaterThan(0);
    const words = await wordFigures(session, seeds.join(' '), 1);
    console.log(
      `starter valid-word rate ${words.validWordRate.toFixed(3)}: ${words.text.slice(0, 300)}`,
    );
    expect(words.validWordRate).toBeGreaterThanOrEqual(0.7);
    const untrained = CharLstmSession.create(
      parsed.meta,
      seeds.join(' '),
      { kind: 'bundled', name: 'x' },
      session.config.model,
      1,
    );
    const noise = await wordFigures(untrained, seeds.join(' '), 1);
    expect(noise.validWordRate).toBeLessThan(0.3);
    expect(validWordRate('xq zzkt vrrp', englishWords())).toBe(0);
    session.dispose();
    untrained.dispose();
  });

  it('samples with no corpus stored, and Fine-tune trains a copy while the starter stays bit-identical', async () => {
    const factory = new IDBFactory();
    const api = createCharLstmApi({
      openDb: () => openAppDb('test', factory),
      loadBundled: async () => OWN_TEXT,
    });
    await api.init('cpu');
    const starter = await api.openStarter(STARTER_URL);
    expect(starter.id).toBe('starter:char-lstm');
    const sample = await api.sample({ length: 200, temperatures: [0.5] }, () => undefined);
    expect(sample.texts[0]).toHaveLength(200);
    expect(sample.validWordRates?.[0]).toBeGreaterThan(0.3);
    await expect(api.checkpoint()).resolves.toBeNull();

    const mixed = { kind: 'bundled', name: 'Shouting' } as const;
    const stopped = new Promise<TrainProgress>((resolve) => {
      void api.fineTune(mixed, (p) => p.state !== 'running' && resolve(p), 2);
    });
    const end = await stopped;
    expect(end.step).toBe(card.steps + 2);
    const own = (await api.status())!.meta;
    expect(own.id).not.toBe(starter.id);
    const stored = await loadCheckpoint(await openAppDb('test', factory), own.id);
    const before = parseSessionZip(zip, 'char-lstm');
    if (!before.ok || !stored) throw new Error('missing checkpoint');
    expect(weightsSha256(stored)).not.toBe(card.weightsSha256);
    expect(stored.optimizers.rmsprop).toBeDefined();
    // The starter itself: the shipped file is unchanged and reopening it gives its exact weights.
    expect(weightsSha256(before.checkpoint)).toBe(card.weightsSha256);
    await api.openStarter(STARTER_URL);
    const reopened = await (api as unknown as { status(): { meta: { id: string } } }).status();
    expect(reopened.meta.id).toBe(starter.id);
  });

  it('refuses to fine-tune on a text with characters outside its vocabulary, naming them', async () => {
    const api = createCharLstmApi({
      openDb: () => openAppDb('test', new IDBFactory()),
      loadBundled: async () => 'Ünïcode ✓ text that the starter never saw. '.repeat(10),
    });
    await api.init('cpu');
    await api.openStarter(STARTER_URL);
    await expect(
      api.fineTune({ kind: 'bundled', name: 'odd' }, () => undefined, 2),
    ).rejects.toThrow(/never saw \(after lower-casing\): .*"✓"/);
  });
});
