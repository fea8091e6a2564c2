import { describe, expect, it } from 'vitest';
import { numberText } from '../../src/shared/index.js';

describe('numberText', () => {
  it('writes the same text as String() for every kind of number', () => {
    const numbers = [
      0,
      -0,
      1,
      -1,
      17,
      123456789,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      0.1 + 0.2,
      12500.5,
      -0.000001,
      1e-7,
      1.5e-10,
      1e21,
      123456789012345680000,
      2 ** 70,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
      46023.42708333333, // a date-time serial
      NaN,
      Infinity,
      -Infinity,
    ];
    for (const n of numbers) expect(numberText(n), String(n)).toBe(String(n));
    for (let i = 0; i < 2000; i++) {
      const n = (i * 7.31) / 100 - 50;
      expect(numberText(n)).toBe(String(n));
    }
  });
});
