import { describe, expect, it } from 'vitest';
import { describeRule, parseNumberList, parseStrictNumber } from '../../src/ui/number-parse';

const RATE = { min: 0, max: 10, aboveMin: true };
const BATCH = { min: 1, max: 1024, integer: true };
const WEIGHT = { min: 0, max: 10 };

describe('parseStrictNumber', () => {
  it('reads plain decimals, exponents and surrounding spaces', () => {
    expect(parseStrictNumber('0.01', RATE)).toBe(0.01);
    expect(parseStrictNumber('.5', RATE)).toBe(0.5);
    expect(parseStrictNumber('5.', RATE)).toBe(5);
    expect(parseStrictNumber('1e-3', RATE)).toBe(0.001);
    expect(parseStrictNumber('+2E0', RATE)).toBe(2);
    expect(parseStrictNumber(' 128 ', BATCH)).toBe(128);
    expect(parseStrictNumber('1e2', BATCH)).toBe(100);
    expect(parseStrictNumber('0', WEIGHT)).toBe(0);
  });

  it('refuses what Number() would silently reinterpret', () => {
    // Number('0x10') is 16 and the old field trained with it; Number('') is 0.
    for (const text of [
      '0x10',
      '0b1',
      '0o7',
      '',
      '   ',
      'Infinity',
      'NaN',
      '1,5',
      '1 000',
      '1e',
      'e3',
    ])
      expect(parseStrictNumber(text, RATE), JSON.stringify(text)).toBeNull();
  });

  it('refuses exponent overflow, -0 where negatives are not allowed, fractions of whole numbers and the range ends', () => {
    expect(parseStrictNumber('1e309', { min: 0, max: Infinity })).toBeNull();
    expect(parseStrictNumber('-0', WEIGHT)).toBeNull();
    expect(parseStrictNumber('-0', { min: -1, max: 1 })).toBe(-0);
    expect(parseStrictNumber('1.5', BATCH)).toBeNull();
    expect(parseStrictNumber('0', BATCH)).toBeNull();
    expect(parseStrictNumber('1025', BATCH)).toBeNull();
    expect(parseStrictNumber('1024', BATCH)).toBe(1024);
    expect(parseStrictNumber('0', RATE)).toBeNull();
    expect(parseStrictNumber('10', RATE)).toBe(10);
    expect(parseStrictNumber('10.0001', RATE)).toBeNull();
  });

  it('describes each rule in one sentence', () => {
    expect(describeRule(BATCH)).toBe('Enter a whole number from 1 to 1,024, in digits only.');
    expect(describeRule(RATE)).toBe(
      'Enter a number above 0 and at most 10, in plain decimals such as 0.01.',
    );
  });

  it('reads a list only when every item is accepted', () => {
    expect(parseNumberList('0.2, 0.5,1', RATE)).toEqual([0.2, 0.5, 1]);
    for (const text of ['', '0.2,', '0.2, 0x10', '0.2; 0.5', '0, 1'])
      expect(parseNumberList(text, RATE), JSON.stringify(text)).toBeNull();
  });
});
