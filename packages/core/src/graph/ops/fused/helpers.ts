import type { Shape } from '../../shape.js';
import { sizeOf } from '../../shape.js';

/**
 * Calls `f` once per 1-D lane of `shape` along `axis` (already normalized): element k of the lane
 * sits at flat index `base + k * stride`. The reference kernels of the softmax family walk rows
 * this way.
 */
export function forEachLane(
  shape: Shape,
  axis: number,
  f: (base: number, stride: number, n: number) => void,
): void {
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) f(o * n * inner + i, inner, n);
  }
}

/** Whether a tensor of shape `from` broadcasts to exactly `to` (NumPy rules, one direction). */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const lead = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[lead + i]);
}
