/**
 * The counter-based generator behind `random_uniform` and `dropout`: element i of a draw with
 * seed s is pcg(i + pcg(s)) mapped to [0, 1) with 24 bits. Only 32-bit integer multiply, add, xor
 * and shifts, so every backend (WGSL, ONNX bit ops) reproduces it exactly. PCG hash from Jarzynski
 * and Olano, "Hash Functions for GPU Rendering", JCGT 2020.
 */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

export function uniformAt(seed: number, i: number): number {
  return (pcgHash((i + pcgHash(seed)) >>> 0) >>> 8) * 2 ** -24;
}
