// Helpers for the op tests beside this file; not part of the public API.
import { evaluate, type Precision } from '../../backend/index.js';
import { HostTensor } from '../../tensor/index.js';
import { GraphBuilder } from '../builder.js';
import type { DType } from '../dtype.js';
import type { Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** A host tensor from plain numbers (f32 unless given). */
export function host(shape: Shape, values: readonly number[], dtype: DType = 'f32'): HostTensor {
  return HostTensor.from(dtype, shape, values);
}

/** Evaluates `f` over `inputs` on the reference backend and returns its one output. */
export async function run1(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly HostTensor[],
  precision: Precision = 'f32',
): Promise<HostTensor> {
  const b = new GraphBuilder();
  const xs = inputs.map((h, i) => b.input(`x${i}`, h.shape, h.dtype));
  const y = f(...xs);
  const feeds = Object.fromEntries(inputs.map((h, i) => [`x${i}`, h]));
  return (await evaluate(b.build({ y }), feeds, precision)).y;
}

/** Traces `f` over fresh inputs of the given shapes and dtypes (f32 by default), computing nothing. */
export function trace(
  f: (...xs: Tensor[]) => Tensor,
  ...specs: (Shape | [Shape, DType])[]
): Tensor {
  const b = new GraphBuilder();
  const xs = specs.map((spec, i) => {
    const [shape, dtype] = isPair(spec) ? spec : [spec, 'f32' as const];
    return b.input(`x${i}`, shape, dtype);
  });
  return f(...xs);
}

function isPair(spec: Shape | [Shape, DType]): spec is [Shape, DType] {
  return typeof spec[1] === 'string';
}

/** `n` distinct values spread over [lo, hi) (golden-ratio sequence): no ties, no kinks if the range avoids them. */
export function spread(n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + (hi - lo) * (((i + 1) * 0.6180339887498949) % 1));
}
