import { seededRandom } from '@tunekit/core';
import { dequantize4bit, Linear4bit } from '@tunekit/peft-qlora';
import { describe, expect, it } from 'vitest';
import { randomNf4 } from './random-nf4.js';

describe('randomNf4', () => {
  it('draws a double-quantized NF4 weight of the asked standard deviation that a Linear4bit holds', () => {
    const [out, inp] = [96, 130]; // 12480 values: the last absmax block of 256 is short
    const q = randomNf4(out * inp, 0.02, seededRandom(7));
    const values = dequantize4bit(q);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    expect(Math.abs(mean)).toBeLessThan(0.002); // NF4 has one more positive level than negative ones
    const layer = new Linear4bit(inp, out, false, {
      quant_type: 'nf4',
      blocksize: 64,
      compress_statistics: true,
    });
    layer.setQuantized(q);
    expect(layer.dequantizedWeight().data).toEqual(values);
    const plain = new Linear4bit(inp, out, false, {
      quant_type: 'nf4',
      blocksize: 64,
      compress_statistics: false,
    });
    expect(() => plain.setQuantized(q)).toThrow(/double quantization.*does not fit/);
  });
});
