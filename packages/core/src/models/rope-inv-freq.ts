import type { Tensor } from '../graph/tensor.js';
import type { InvFreq } from '../nn/rotary-embedding.js';
import type { RopeParameters } from './rope-parameters.js';

// transformers' `ROPE_INIT_FUNCTIONS` (modeling_rope_utils.py) for the rope types tunekit supports.
// transformers computes inv_freq in float32 tensors from an int64 arange; the host values here
// round every step to float32 (Math.fround) in the same order, so they agree with it to the last
// bit or so (the golden test checks). None of these types has an attention_scaling other than 1.

const f32 = Math.fround;

type Init<K extends RopeParameters['rope_type']> = (
  rope: Extract<RopeParameters, { rope_type: K }>,
  dim: number,
  maxPositions: number,
) => InvFreq;

const ROPE_INIT: { [K in RopeParameters['rope_type']]: Init<K> } = {
  default: (rope, dim) => constant(defaultInvFreq(rope.rope_theta, dim)),
  // inv_freq / factor: the same as dividing the positions by the factor
  linear: (rope, dim) =>
    constant(defaultInvFreq(rope.rope_theta, dim).map((x) => f32(x / f32(rope.factor)))),
  dynamic: (rope, dim, maxPositions) => (positionIds) =>
    dynamicInvFreq(positionIds, rope.rope_theta, rope.factor, dim, maxPositions),
  llama3: (rope, dim) => constant(llama3InvFreq(rope, dim)),
};

/**
 * The rotary inverse frequencies [dim / 2] of a config, as a graph function of the pass's
 * position ids: a constant for every type but `dynamic`, whose base grows with the positions.
 */
export function ropeInvFreq(rope: RopeParameters, dim: number, maxPositions: number): InvFreq {
  return (ROPE_INIT[rope.rope_type] as Init<RopeParameters['rope_type']>)(rope, dim, maxPositions);
}

/** 1 / base^(2i / dim), i = 0 .. dim/2 - 1 */
export function defaultInvFreq(base: number, dim: number): Float32Array {
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < out.length; i++) out[i] = f32(1 / f32(f32(base) ** f32((2 * i) / dim)));
  return out;
}

/**
 * Llama 3.1: wavelengths longer than original/low_freq_factor are slowed by `factor`, those
 * shorter than original/high_freq_factor are kept, and the band between is interpolated smoothly.
 */
export function llama3InvFreq(
  rope: Extract<RopeParameters, { rope_type: 'llama3' }>,
  dim: number,
): Float32Array {
  const { factor, low_freq_factor: low, high_freq_factor: high } = rope;
  const old = rope.original_max_position_embeddings;
  const lowFreqWavelen = f32(old / low);
  const highFreqWavelen = f32(old / high);
  return defaultInvFreq(rope.rope_theta, dim).map((inv) => {
    const wavelen = f32(f32(1 / inv) * f32(2 * Math.PI));
    const scaled = wavelen > lowFreqWavelen ? f32(inv / f32(factor)) : inv;
    if (wavelen < highFreqWavelen || wavelen > lowFreqWavelen) return scaled;
    const smooth = f32(f32(f32(f32(1 / wavelen) * f32(old)) - f32(low)) / f32(high - low));
    return f32(f32(f32(f32(1 - smooth) * scaled) / f32(factor)) + f32(smooth * scaled));
  });
}

/**
 * Dynamic NTK scaling, traced: with s = max(max(position_ids) + 1, max_position_embeddings),
 * base' = base * (factor * s / max_pos - (factor - 1))^(dim / (dim - 2)). Up to max_pos it is the
 * default rope. transformers recomputes it from the positions of each forward call (keeping the
 * largest seen until a call falls back within max_pos); here each traced pass uses its own positions.
 */
function dynamicInvFreq(
  positionIds: Tensor,
  base: number,
  factor: number,
  dim: number,
  maxPositions: number,
): Tensor {
  const seqLen = positionIds.max().add(1).maximum(maxPositions).cast('f32');
  const grownBase = seqLen
    .mul(factor)
    .div(maxPositions)
    .sub(factor - 1)
    .pow(dim / (dim - 2))
    .mul(base);
  const exponents = Array.from({ length: dim / 2 }, (_, i) => f32((2 * i) / dim));
  return grownBase.pow(positionIds.builder.constant(exponents, [dim / 2])).reciprocal();
}

function constant(values: Float32Array): InvFreq {
  return (positionIds) => positionIds.builder.constant(Array.from(values), [values.length]);
}
