/** |candidate - reference| <= atol + rtol * |reference|, per element. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Defaults for an f32 backend against the f64 reference (kernels may reorder sums, use FMA). */
export const F32_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** The first element outside tolerance, described, or null when all agree. */
export function firstMismatch(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: Tolerance,
): string | null {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const bad = Number.isNaN(want[i])
      ? !Number.isNaN(got[i])
      : !(Math.abs(got[i] - want[i]) <= tol.atol + tol.rtol * Math.abs(want[i]));
    if (bad) return `element ${i}: got ${got[i]}, expected ${want[i]}`;
  }
  return null;
}
