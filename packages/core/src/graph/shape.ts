import { ShapeError } from '../errors/index.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of two shapes; `op` names the op in the error. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${i - rank}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** A possibly negative axis made non-negative, checked against the rank. */
export function normAxis(op: string, axis: number, rank: number, shape?: Shape): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    const of = shape ? ` of shape ${formatShape(shape)}` : '';
    throw new ShapeError(`${op}: axis ${axis} is out of range for rank ${rank}${of}`);
  }
  return a;
}

export function normAxes(
  op: string,
  axes: readonly number[],
  rank: number,
  shape?: Shape,
): number[] {
  const out = axes.map((a) => normAxis(op, a, rank, shape));
  if (new Set(out).size !== out.length) {
    throw new ShapeError(`${op}: repeated axis in [${axes.join(', ')}]`);
  }
  return out.sort((x, y) => x - y);
}
