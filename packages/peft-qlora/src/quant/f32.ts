/**
 * f32 arithmetic as torch and C++ do it, on JavaScript doubles: one IEEE f32 operation on f32 operands
 * equals the f64 operation rounded once to f32 (f64 carries more than 2·24 + 2 bits, so the double
 * rounding is harmless for +, -, *, /).
 */
export const f32 = Math.fround;

/** Source of the bitsandbytes code this package matches bit for bit. */
export const BNB_SOURCE =
  'bitsandbytes-foundation/bitsandbytes@95f9af309d4d5793847169c39288dcd3fcbdf564';

const f32Bits = new Float32Array(1);
const f32Int = new Int32Array(f32Bits.buffer);

/**
 * fma(a, b, c) on f32 operands, rounded once to f32, as `vfmadd` computes it (torch's CPU kernels use
 * it for `add_(x, alpha=)` and `addcmul_`). a * b is exact in f64; the sum's f64 rounding error is
 * recovered (TwoSum) to settle a sum that lands on the midpoint between two f32 values.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f32(s);
  const bv = s - p;
  const err = p - (s - bv) + (c - bv);
  if (err === 0 || !Number.isFinite(s)) return r;
  // the neighbour of r on s's side: if s is their midpoint, the exact sum is past it by err
  const other = nextF32(r, s > r ? 1 : -1);
  if (s !== (r + other) / 2) return r;
  return err > 0 === other > r ? other : r;
}

/** The f32 next to finite `x` towards +infinity (dir 1) or -infinity (dir -1). */
function nextF32(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * 2 ** -149;
  f32Bits[0] = x;
  f32Int[0] += x > 0 === dir > 0 ? 1 : -1;
  return f32Bits[0];
}
