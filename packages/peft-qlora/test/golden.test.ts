import { describe, expect, it } from 'vitest';
import {
  createDynamicMap,
  DYNAMIC_MAP_SIGNED,
  DYNAMIC_MAP_UNSIGNED,
  dequantize4bit,
  dequantizeBlockwise8bit,
  quantize4bit,
  quantizeBlockwise8bit,
  torchMeanF32,
} from '../src/index.js';
import { bitsOf, bytes, firstDifference, floats, golden } from './golden.js';

// Golden vectors from scripts/golden-quantization.py: bitsandbytes' CPU path reproduced in torch from its
// published source; nothing in them comes from tunekit. Every comparison is byte for byte.
const sameBytes = (got: Uint8Array, want: Uint8Array) =>
  expect(firstDifference(got, want)).toBe(-1);

describe('bitsandbytes dynamic map', () => {
  it.each([true, false])('create_dynamic_map(signed=%s) has the same 256 f32 values', (signed) => {
    const want = floats(signed ? golden.dynamic_map_signed : golden.dynamic_map_unsigned);
    sameBytes(bitsOf(createDynamicMap(signed)), bitsOf(want));
    sameBytes(bitsOf(signed ? DYNAMIC_MAP_SIGNED : DYNAMIC_MAP_UNSIGNED), bitsOf(want));
  });
});

describe('torch.mean in f32', () => {
  it.each(golden.means)('n = $n', ({ n, mean }) => {
    // the same input formula as the script, exact in f64 then rounded to f32
    const x = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 10007) / 10007 - 0.3);
    sameBytes(bitsOf(Float32Array.of(torchMeanF32(x))), bytes(mean));
  });
});

const name4 = (c: (typeof golden.four_bit)[number]) =>
  `${c.input} ${c.quant_type} blocksize ${c.blocksize}${c.compress_statistics ? ' double-quant' : ''}`;

describe.each(golden.four_bit.map((c) => [name4(c), c] as const))('quantize_4bit %s', (_, c) => {
  const values = floats(golden.inputs[c.input]);
  const q = quantize4bit(values, {
    quant_type: c.quant_type,
    blocksize: c.blocksize,
    compress_statistics: c.compress_statistics,
  });

  it('packs the same nibbles and the same absmax bits', () => {
    sameBytes(q.packed, bytes(c.packed));
    if (q.absmax instanceof Float32Array) {
      expect(c.compress_statistics).toBe(false);
      sameBytes(bitsOf(q.absmax), bytes(c.absmax));
    } else {
      expect(c.compress_statistics).toBe(true);
      sameBytes(q.absmax.quantized, bytes(c.absmax));
      sameBytes(bitsOf(q.absmax.absmax), bytes(c.nested_absmax ?? ''));
      sameBytes(bitsOf(Float32Array.of(q.absmax.offset)), bytes(c.offset ?? ''));
      sameBytes(bitsOf(q.absmax.code), bitsOf(floats(golden.dynamic_map_signed)));
    }
  });

  it('dequantizes to the same f32 bits', () => {
    sameBytes(bitsOf(dequantize4bit(q)), bytes(c.dequantized));
  });
});

const name8 = (c: (typeof golden.eight_bit)[number]) =>
  `${c.input} ${c.signed ? 'signed' : 'unsigned'} blocksize ${c.blocksize}`;

describe.each(golden.eight_bit.map((c) => [name8(c), c] as const))(
  'quantize_blockwise %s',
  (_, c) => {
    it('gives the same codes, absmax and dequantized bits', () => {
      const code = c.signed ? DYNAMIC_MAP_SIGNED : DYNAMIC_MAP_UNSIGNED;
      const q = quantizeBlockwise8bit(floats(golden.inputs[c.input]), {
        blocksize: c.blocksize,
        code,
      });
      sameBytes(q.quantized, bytes(c.quantized));
      sameBytes(bitsOf(q.absmax), bytes(c.absmax));
      sameBytes(bitsOf(dequantizeBlockwise8bit(q)), bytes(c.dequantized));
    });
  },
);
