import type { HalfRead } from '../kernels/half.js';

/**
 * Whether frozen weights that only matmuls read are stored as f16 (half the memory; the values
 * rounded to f16, so losses move by about 1e-3 relative): `'off'` (default: f32, the reference's
 * numbers), `'auto'` (where the adapter has `shader-f16`), `'on'` (everywhere: without
 * `shader-f16`, as pairs of halves in 32-bit words, unpacked to f32 by each read).
 */
export type F16Weights = (typeof F16_WEIGHTS)[number];

/** F16Weights' settings, as the webgpu backend's `f16_weights` option takes them. */
export const F16_WEIGHTS = ['off', 'auto', 'on'] as const;

export interface WeightStorage {
  /** How kernels read f16-stored weights; absent: weights stay f32. */
  readonly halfWeights?: HalfRead;
  /** One line saying which storage is used and why. */
  readonly statement: string;
}

/** The storage `option` gives on an adapter with or without `shader-f16`. */
export function weightStorage(option: F16Weights, shaderF16: boolean): WeightStorage {
  if (option === 'off')
    return { statement: 'webgpu backend: frozen weights in f32 (f16_weights: off)' };
  if (shaderF16)
    return {
      halfWeights: 'f16',
      statement: `webgpu backend: frozen matmul weights stored and read as f16 (shader-f16), accumulated in f32 (f16_weights: ${option})`,
    };
  if (option === 'on')
    return {
      halfWeights: 'packed',
      statement:
        "webgpu backend: frozen matmul weights stored as f16 pairs in 32-bit words and unpacked to f32 by each read: this adapter has no 'shader-f16' (f16_weights: on)",
    };
  return {
    statement:
      "webgpu backend: frozen weights in f32: this adapter has no 'shader-f16' (f16_weights: auto; 'on' stores them as f16 pairs without it)",
  };
}
