// `npm run pretrain -- text` continues bit-exactly from its own output: 4 steps straight write the
// same weights as 2 steps, a stop, and `--resume` to 4.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../scripts/pretrain/common';
import { pretrainText } from '../../scripts/pretrain/text';
import type { StarterCard } from '../../src/shared/starters';

const TEXT =
  'Supposing that Truth is a woman--what then? Is there not ground for suspecting. '.repeat(40);

describe('pretrain text', () => {
  let dir = '';
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'pretrain-'));
    writeFileSync(join(dir, 'corpus.txt'), TEXT);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (out: string, steps: number, resume?: string) =>
    pretrainText(
      parseArgs(
        [
          '--data',
          join(dir, 'corpus.txt'),
          '--steps',
          String(steps),
          '--save-every',
          '2',
          '--out',
          join(dir, out),
          '--resume-out',
          join(dir, out, 'full.zip'),
          ...(resume ? ['--resume', join(dir, resume, 'full.zip')] : []),
        ],
        'text',
        steps,
      ),
      'cpu',
    );
  const card = (out: string) =>
    JSON.parse(readFileSync(join(dir, out, 'card.json'), 'utf8')) as StarterCard;

  it(
    '4 straight steps equal 2 steps + --resume to 4, bit for bit',
    { timeout: 400_000 },
    async () => {
      await run('straight', 4);
      await run('split', 2);
      expect(card('split').steps).toBe(2);
      await run('split', 4, 'split');
      const [a, b] = [card('straight'), card('split')];
      expect(b.steps).toBe(4);
      expect(b.weightsSha256).toBe(a.weightsSha256);
      expect(b.lossPer100).toEqual(a.lossPer100);
      expect(b.figures.heldOutLoss).toBe(a.figures.heldOutLoss);
      expect(a.data.sha256).toMatch(/^[0-9a-f]{64}$/);
    },
  );
});
