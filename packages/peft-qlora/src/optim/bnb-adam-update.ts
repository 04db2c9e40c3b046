import { DYNAMIC_MAP_SIGNED, DYNAMIC_MAP_UNSIGNED } from '../quant/dynamic-map.js';

// V8 inlines Math.fround through a module-local binding; through an import (quant/f32.ts) the loops
// below ran 6x slower
const f32 = Math.fround;

/** bitsandbytes' blocksize for 8-bit optimizer states. */
export const OPTIMIZER_BLOCKSIZE = 256;

/** One step's scalars, rounded where torch rounds a Python float to the tensor's f32. */
export interface AdamStep {
  readonly beta1: number;
  readonly beta2: number;
  readonly oneMinusBeta1: number;
  readonly oneMinusBeta2: number;
  /** 1 - beta1^step and sqrt(1 - beta2^step), in f64 as Python computes them. */
  readonly correction1: number;
  readonly correction2: number;
  readonly lr: number;
  readonly eps: number;
  /** f32(1 - lr * weight_decay), or 1 without weight decay. */
  readonly decay: number;
}

export function adamStep(
  betas: readonly [number, number],
  eps: number,
  step: number,
  lr: number,
  weightDecay: number,
): AdamStep {
  const [beta1, beta2] = betas;
  return {
    beta1: f32(beta1),
    beta2: f32(beta2),
    oneMinusBeta1: f32(1 - beta1),
    oneMinusBeta2: f32(1 - beta2),
    correction1: 1 - beta1 ** step,
    correction2: Math.sqrt(1 - beta2 ** step),
    lr,
    eps,
    decay: weightDecay > 0 ? f32(1 - lr * weightDecay) : 1,
  };
}

/**
 * `_optimizer_update_32bit_cpu` for Adam: m = b1 m + (1 - b1) g and v = b2 v + (1 - b2) g^2 (torch's
 * fused add_/addcmul_), p *= 1 - lr wd, p += (-lr c2 / c1) * m / (sqrt(v) + eps c2). In place.
 */
export function adamUpdate32bit(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  k: AdamStep,
): void {
  const { beta1, beta2, oneMinusBeta1, oneMinusBeta2, decay } = k;
  const stepSize = f32((-k.lr * k.correction2) / k.correction1);
  const epsC2 = f32(k.eps * k.correction2);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const mi = fmaF32(g, oneMinusBeta1, f32(m[i] * beta1));
    const vi = fmaF32(f32(oneMinusBeta2 * g), g, f32(v[i] * beta2));
    m[i] = mi;
    v[i] = vi;
    const p = f32(param[i] * decay);
    param[i] = fmaF32(f32(mi / f32(f32(Math.sqrt(vi)) + epsC2)), stepSize, p);
  }
}

/**
 * `_optimizer_update_8bit_blockwise_cpu` for Adam over values [start, start + m.length): the states
 * dequantized (code[q] * absmax), updated into `m` and `v`, p *= 1 - lr wd, then
 * p += (-lr / c1) * m / (sqrt(v) / c2 + eps). Quantizing `m` and `v` back is the caller's.
 */
export function adamUpdate8bit(
  param: Float32Array,
  grad: Float32Array,
  state: {
    readonly state1: Uint8Array;
    readonly state2: Uint8Array;
    readonly absmax1: Float32Array;
    readonly absmax2: Float32Array;
  },
  start: number,
  m: Float32Array,
  v: Float32Array,
  k: AdamStep,
): void {
  const { beta1, beta2, oneMinusBeta1, oneMinusBeta2, decay } = k;
  const { state1, state2 } = state;
  const c2 = f32(k.correction2);
  const value = f32(-k.lr / k.correction1);
  const eps = f32(k.eps);
  for (let j0 = 0; j0 < m.length; j0 += OPTIMIZER_BLOCKSIZE) {
    const block = (start + j0) / OPTIMIZER_BLOCKSIZE;
    const absmax1 = state.absmax1[block];
    const absmax2 = state.absmax2[block];
    const end = Math.min(j0 + OPTIMIZER_BLOCKSIZE, m.length);
    for (let j = j0; j < end; j++) {
      const i = start + j;
      const g = grad[i];
      const m0 = f32(DYNAMIC_MAP_SIGNED[state1[i]] * absmax1);
      const v0 = f32(DYNAMIC_MAP_UNSIGNED[state2[i]] * absmax2);
      const mj = fmaF32(g, oneMinusBeta1, f32(m0 * beta1));
      const vj = fmaF32(f32(oneMinusBeta2 * g), g, f32(v0 * beta2));
      m[j] = mj;
      v[j] = vj;
      const denom = f32(f32(f32(Math.sqrt(vj)) / c2) + eps);
      const p = f32(param[i] * decay);
      param[i] = f32(p + f32(f32(value * mj) / denom));
    }
  }
}

/**
 * fma(a, b, c) on f32 operands, rounded once to f32, as `vfmadd` computes it (torch's CPU kernels use
 * it for `add_(x, alpha=)` and `addcmul_`). a * b is exact in f64, so only a sum that f64 rounds onto
 * the midpoint between two f32 values can round the wrong way: then the part f64 dropped (TwoSum)
 * decides. Kept in this module for the same inlining reason as `f32`.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f32(s);
  const d = s - r; // exact
  if (d === 0) return r;
  // s is a midpoint iff r + 2d (exact in f64) is the f32 on s's other side
  const other = r + 2 * d;
  if (f32(other) !== other || !Number.isFinite(other)) return r;
  const bv = s - p;
  const err = p - (s - bv) + (c - bv);
  if (err === 0) return r; // an exact tie: f32() rounded it to even
  return err > 0 === other > r ? other : r;
}
