import { ShapeError, UserError } from '../errors/index.js';
import type { TypeInfo } from './op-def.js';
import { formatShape, type Shape, sizeOf } from './shape.js';
import type { Tensor } from './tensor.js';

// bitsandbytes' blockwise quantization, read back with primitives: a flat tensor of n values is cut
// into blocks of `blocksize` consecutive values, each with one absmax; the last block may be short
// (the tail), and its absmax covers only the values it has.

/** Number of blocks (absmax entries) for n values: ceil(n / blocksize). */
export function blockCount(n: number, blocksize: number): number {
  return Math.ceil(n / blocksize);
}

/**
 * Checks what a blockwise dequantization reads: `q` (any shape) holds `qCount` u8 values, `absmax`
 * is f32 [ceil(n / blocksize)] and `code` is the f32 table of `codeSize` entries. `op` names the
 * caller in the error.
 */
export function checkBlockwise(
  op: string,
  n: number,
  blocksize: number,
  { q, qCount, absmax, code, codeSize }: BlockwiseInputs,
): void {
  if (!(Number.isInteger(blocksize) && blocksize > 0)) {
    throw new UserError(`${op}: blocksize must be a positive integer, got ${blocksize}`);
  }
  const blocks = blockCount(n, blocksize);
  const wants: [string, TypeInfo, string, boolean][] = [
    ['q', q, `u8 with ${qCount} elements`, q.dtype === 'u8' && sizeOf(q.shape) === qCount],
    ['absmax', absmax, `f32[${blocks}]`, isVector(absmax, blocks)],
    ['code', code, `f32[${codeSize}]`, isVector(code, codeSize)],
  ];
  for (const [name, t, want, ok] of wants) {
    if (!ok) {
      throw new ShapeError(
        `${op}: ${name} ${t.dtype}${formatShape(t.shape)} must be ${want} (${n} values in blocks of ${blocksize})`,
      );
    }
  }
}

interface BlockwiseInputs {
  readonly q: TypeInfo;
  readonly qCount: number;
  readonly absmax: TypeInfo;
  readonly code: TypeInfo;
  readonly codeSize: number;
}

function isVector(t: TypeInfo, size: number): boolean {
  return t.dtype === 'f32' && t.shape.length === 1 && t.shape[0] === size;
}

/**
 * values[i] * absmax[floor(i / blocksize)] for the first n = size(shape) of `values` (any shape, in
 * row-major order, at least n and at most blockCount * blocksize elements), as a tensor of `shape`.
 * Values are zero-padded to whole blocks so that the scale is one broadcast multiply of [blocks,
 * blocksize] by [blocks, 1]; a tail block's padding is cut off after. Without a tail the values go
 * through two reshapes and the multiply, nothing else (no copy of the weight beyond the product).
 */
export function scaleBlocks(
  values: Tensor,
  absmax: Tensor,
  blocksize: number,
  shape: Shape,
): Tensor {
  const n = sizeOf(shape);
  const blocks = blockCount(n, blocksize);
  const whole = blocks * blocksize;
  const length = sizeOf(values.shape);
  const grid =
    length === whole
      ? values.reshape([blocks, blocksize])
      : values
          .reshape([length])
          .pad([0], [whole - length])
          .reshape([blocks, blocksize]);
  const scaled = grid.mul(absmax.reshape([blocks, 1]));
  return whole === n
    ? scaled.reshape(shape)
    : scaled.reshape([whole]).slice([0], [n]).reshape(shape);
}

/**
 * bitsandbytes' `dequantize_blockwise` (its default/CPU kernel): out[i] = code[q[i]] * absmax[block
 * of i], for u8 codes q of any shape, a 256-entry code table and f32 absmax per block; the result has
 * q's shape. Double quantization reads its absmax this way (blocksize 256, the signed dynamic map),
 * then adds the stored offset.
 */
export function dequantizeBlockwise(
  q: Tensor,
  absmax: Tensor,
  code: Tensor,
  blocksize: number,
): Tensor {
  const n = sizeOf(q.shape);
  checkBlockwise('dequantize_blockwise', n, blocksize, {
    q,
    qCount: n,
    absmax,
    code,
    codeSize: 256,
  });
  const values = code.gather(q.reshape([n]).cast('i32'), 0);
  return scaleBlocks(values, absmax, blocksize, q.shape);
}
