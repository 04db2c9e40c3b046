import { f32 } from './f32.js';

/**
 * bitsandbytes' dynamic 8-bit map, `functional.create_dynamic_map(signed, max_exponent_bits=7,
 * total_bits=8)` (BNB_SOURCE): for each exponent e = 0..6 the midpoints of torch.linspace(0.1, 1) in
 * 2^e + 1 (signed) or 2^(e+1) + 1 (unsigned) steps, times 10^(e-6), mirrored when signed; then 0 and 1,
 * zeros up to 256 entries, sorted. 8-bit Adam keeps its first moment in the signed map, the second in
 * the unsigned one; double quantization uses the signed map.
 */
export function createDynamicMap(signed: boolean): Float32Array {
  const data: number[] = [];
  for (let e = 0; e < 7; e++) {
    const boundaries = torchLinspace(0.1, 1, signed ? 2 ** e + 1 : 2 ** (e + 1) + 1);
    const scale = f32(10 ** (e - 6));
    for (let i = 0; i + 1 < boundaries.length; i++) {
      const mean = f32(boundaries[i] + boundaries[i + 1]) / 2;
      data.push(f32(scale * mean));
      if (signed) data.push(f32(-scale * mean));
    }
  }
  data.push(0, 1);
  while (data.length < 256) data.push(0);
  return Float32Array.from(data).sort();
}

export const DYNAMIC_MAP_SIGNED: Float32Array = createDynamicMap(true);
export const DYNAMIC_MAP_UNSIGNED: Float32Array = createDynamicMap(false);

/**
 * torch.linspace(start, end, steps, dtype=float32) on CPU (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp):
 * step = (end - start) / (steps - 1) in f32; index i below steps / 2 is start + step * i, above it
 * end - step * (steps - i - 1), each one fused multiply-add (rounded once; exact in f64 here). Whole chunks
 * of 16 go through two 8-lane `Vectorized::arange(base, step)` calls: the first lane from the rule above,
 * lane k = base + k * step with the product rounded on its own. Checked against Debian's torch 1.13 (AVX2)
 * by the golden test; the order of rounding is the compiled kernel's, not written in its source.
 */
function torchLinspace(startValue: number, endValue: number, steps: number): Float32Array {
  const start = f32(startValue);
  const end = f32(endValue);
  const step = f32(f32(end - start) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  const at = (idx: number): number =>
    idx < halfway ? f32(start + step * idx) : f32(end - step * (steps - idx - 1));
  const out = new Float32Array(steps);
  const lanes = 8;
  const vectorised = steps - (steps % (2 * lanes));
  for (let base = 0; base < vectorised; base += lanes) {
    const first = at(base);
    for (let k = 0; k < lanes; k++) out[base + k] = k === 0 ? first : f32(first + f32(k * step));
  }
  for (let idx = vectorised; idx < steps; idx++) out[idx] = at(idx);
  return out;
}
