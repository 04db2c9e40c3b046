import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { dequantizeBlockwise8bit, quantizeBlockwise8bit } from './blockwise-8bit.js';
import { DYNAMIC_MAP_SIGNED, DYNAMIC_MAP_UNSIGNED } from './dynamic-map.js';

describe('quantizeBlockwise8bit', () => {
  it('gives an all-zero block absmax 0 and code 0, as the C++ kernel does', () => {
    const q = quantizeBlockwise8bit(Float32Array.of(0, 0, 0.5, -2), { blocksize: 2 });
    expect(Array.from(q.absmax)).toEqual([0, 2]);
    expect(Array.from(q.quantized.subarray(0, 2))).toEqual([0, 0]);
    // the signed map's most negative code is -0.99297, not -1
    const y = Array.from(dequantizeBlockwise8bit(q));
    expect(y).toEqual([-0, -0, expect.closeTo(0.5, 1), Math.fround(DYNAMIC_MAP_SIGNED[0] * 2)]);
  });

  it('round-trips to within 1% of each block absmax with the signed and unsigned maps', () => {
    const x = Float32Array.from({ length: 700 }, (_, i) => Math.sin(i) * (1 + (i % 5)));
    for (const [values, code] of [
      [x, DYNAMIC_MAP_SIGNED],
      [x.map(Math.abs), DYNAMIC_MAP_UNSIGNED],
    ] as const) {
      const q = quantizeBlockwise8bit(values, { blocksize: 256, code });
      const y = dequantizeBlockwise8bit(q);
      for (let i = 0; i < x.length; i++) {
        expect(Math.abs(y[i] - values[i])).toBeLessThan(0.01 * q.absmax[Math.floor(i / 256)]);
      }
    }
  });

  it.each([
    [{ blocksize: 0 }, Float32Array.of(1), /blocksize must be a positive integer, got 0/],
    [{ code: new Float32Array(16) }, Float32Array.of(1), /code must have 256 entries, got 16/],
    [
      { blocksize: 2 },
      Float32Array.of(1, 2, Infinity),
      /block 1 \(values 2..2\) holds a NaN or infinite/,
    ],
  ])('rejects %j with a UserError', (options, values, message) => {
    const run = () => quantizeBlockwise8bit(values, options);
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
  });
});
