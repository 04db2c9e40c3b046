import { ShapeError } from '../../../errors/index.js';
import { checkBlockwise, scaleBlocks } from '../../blockwise.js';
import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';
import { formatShape, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';

/**
 * bitsandbytes' `dequantize_4bit` (its default/CPU kernel, backends/default/ops.py): element i of
 * the flat output is code[nibble i] * absmax[floor(i / blocksize)], where byte j of `packed` holds
 * element 2j in its HIGH nibble and element 2j + 1 in its low one (`packed = q[::2] << 4 | q[1::2]`),
 * an odd count padding the last low nibble. Inputs: packed u8 with ceil(n / 2) elements (any shape;
 * bitsandbytes stores [n/2, 1]), absmax f32 [ceil(n / blocksize)] (the last block may be short),
 * code f32 [16] (the NF4 or FP4 table). The output is f32 of `shape`, computed as bitsandbytes does:
 * one f32 product per element.
 *
 * The weight is frozen and integer: autodiff never sends a cotangent into `packed` (only float nodes
 * are on a gradient path); absmax and code are differentiated through the decomposition if asked.
 * The gradient of a frozen 4-bit Linear flows through its matmul to the activations only.
 */
export const dequantize4bit = {
  arity: 3,
  infer([packed, absmax, code], { blocksize, shape }) {
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ShapeError(
        `dequantize_4bit: shape ${formatShape(shape)} must be positive integers`,
      );
    }
    const n = sizeOf(shape);
    const qCount = Math.ceil(n / 2);
    checkBlockwise('dequantize_4bit', n, blocksize, {
      q: packed,
      qCount,
      absmax,
      code,
      codeSize: 16,
    });
    return { shape, dtype: 'f32' };
  },
  reference([packed, absmax, code], { blocksize }, out, ctx) {
    const y = ctx.alloc(out.dtype, sizeOf(out.shape));
    for (let i = 0; i < y.length; i++) {
      const byte = packed.data[i >> 1];
      const nibble = i % 2 === 0 ? byte >> 4 : byte & 0xf;
      y[i] = code.data[nibble] * absmax.data[Math.floor(i / blocksize)];
    }
    return y;
  },
  // The nibble unpack runs on the 256 possible bytes, not on the weight: pairs[b] = (code[b >> 4],
  // code[b & 15]) with b >> 4 = floor(b / 16) (truncation, b >= 0) and b & 15 = b - 16 floor(b / 16).
  // The weight then costs one gather of that table by its bytes and one blockwise scale.
  decompose([packed, absmax, code], { blocksize, shape }) {
    const bytes = packed.reshape([Math.ceil(sizeOf(shape) / 2)]).cast('i32');
    return scaleBlocks(nibblePairs(code).gather(bytes, 0), absmax, blocksize, shape);
  },
} satisfies OpDef<'dequantize_4bit'>;

/** [256, 2]: for each byte value b, the code entries of its high and its low nibble. */
function nibblePairs(code: Tensor): Tensor {
  const b = code.builder.arange(256, 'f32');
  const high = b.mul(1 / 16).cast('i32');
  const low = b.sub(high.cast('f32').mul(16)).cast('i32');
  return ops.concat([code.gather(high, 0).unsqueeze(-1), code.gather(low, 0).unsqueeze(-1)], -1);
}
