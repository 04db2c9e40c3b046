import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { CODE_4BIT } from './code-4bit.js';
import { blockAbsmax4bit, dequantize4bit, quantize4bit } from './quantize-4bit.js';

describe('quantize4bit', () => {
  it('puts the first value of a pair in the high nibble and pads an odd count with the code of 0', () => {
    const q = quantize4bit(Float32Array.of(1, -1, 0.5), { quant_type: 'nf4', blocksize: 32 });
    expect(Array.from(q.packed)).toEqual([0xf0, (12 << 4) | 7]); // nf4: 1 -> 15, -1 -> 0, 0.5 -> 12, 0 -> 7
    expect(q.numel).toBe(3);
    expect(q.quant_map).toBe(CODE_4BIT.nf4);
  });

  it('maps FP4 zero to code 0 and tiny positive values to code 8 (torch.argsort puts the two zeros 0, 8)', () => {
    const q = quantize4bit(Float32Array.of(1, 0, 0.001, -0.001), {
      quant_type: 'fp4',
      blocksize: 32,
    });
    expect(Array.from(q.packed)).toEqual([(3 << 4) | 0, (8 << 4) | 0]);
  });

  it.each(['nf4', 'fp4'] as const)(
    '%s: dequantizes within half the widest code gap of each block',
    (quant_type) => {
      const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
      for (const compress_statistics of [false, true]) {
        const q = quantize4bit(x, { quant_type, blocksize: 64, compress_statistics });
        const absmax = blockAbsmax4bit(q);
        const y = dequantize4bit(q);
        const code = [...q.quant_map].sort((a, b) => a - b);
        const halfGap = Math.max(...code.slice(1).map((c, i) => c - code[i])) / 2;
        for (let i = 0; i < x.length; i++) {
          expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(
            halfGap * absmax[Math.floor(i / 64)] * 1.01,
          );
        }
      }
    },
  );

  it('keeps double-quantized absmax close to the plain one', () => {
    const x = Float32Array.from({ length: 64 * 300 }, (_, i) => Math.cos(i * 1.3) * (1 + (i % 11)));
    const plain = blockAbsmax4bit(quantize4bit(x, { quant_type: 'nf4' }));
    const nested = quantize4bit(x, { quant_type: 'nf4', compress_statistics: true });
    expect(nested.absmax).not.toBeInstanceOf(Float32Array);
    const approx = blockAbsmax4bit(nested);
    for (let b = 0; b < plain.length; b++)
      expect(Math.abs(approx[b] - plain[b])).toBeLessThan(0.05);
  });

  it.each([
    [
      { quant_type: 'nf4', blocksize: 48 },
      Float32Array.of(1),
      /blocksize must be one of 32, 64,.*got 48/,
    ],
    [{ quant_type: 'int4' }, Float32Array.of(1), /quant_type must be one of nf4, fp4, got 'int4'/],
    [{ quant_type: 'nf4' }, new Float32Array(0), /nothing to quantize/],
    [
      { quant_type: 'nf4' },
      Float32Array.of(1, Number.NaN),
      /values 0..1 hold a NaN or infinite value/,
    ],
  ])('rejects %j with a UserError', (options, values, message) => {
    const run = () => quantize4bit(values, options as never);
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
  });
});
