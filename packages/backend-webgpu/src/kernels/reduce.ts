import { type DType, type Node, normAxis, type Shape, sizeOf, stridesOf } from '@tunekit/core';
import type { Kernel, Lowering } from './kernel.js';
import { bindings, coords, launch, stored, WORKGROUP, wgslType } from './wgsl.js';

/** One fold: its start value and how it takes in a value. */
interface Fold {
  init(dtype: DType): string;
  combine(acc: string, v: string): string;
}

const SUM: Fold = { init: (d) => `${wgslType(d)}(0)`, combine: (acc, v) => `${acc} + ${v}` };
const MAX: Fold = {
  init: (d) =>
    ({ f32: 'bits_f32(0xff800000u)', i32: 'i32(-2147483647 - 1)', u32: '0u' })[wgslType(d)],
  combine: (acc, v) => `max(${acc}, ${v})`,
};

/** At or above this many values per output, a workgroup folds each output; below, one invocation. */
const PARALLEL_FOLD = 64;

/**
 * `fn at(o, r)`: the input offset of value r of output o, where o runs over the kept axes and r
 * over the reduced ones, each in row-major order.
 */
function offsetFn(shape: Shape, axes: readonly number[]): string {
  const strides = stridesOf(shape);
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const term = (ds: number[], p: string) => ds.map((d, k) => `${p}${k} * ${strides[d]}u`);
  const sum = [...term(kept, 'o'), ...term([...axes], 'r'), '0u'].join(' + ');
  return `fn at(o: u32, r: u32) -> u32 {
  ${coords(
    kept.map((d) => shape[d]),
    'o',
    'o',
  )}
  ${coords(
    axes.map((d) => shape[d]),
    'r',
    'r',
  )}
  return ${sum};
}
`;
}

/** y[o] = fold of x over `axes`, for each o over the kept axes (keepdims does not move data). */
export function foldKernel(x: Node, out: Node, axes: readonly number[], fold: Fold): Kernel {
  const sorted = [...axes].map((a) => normAxis('reduce', a, x.shape.length)).sort((a, b) => a - b);
  const outputs = sizeOf(out.shape);
  const count = sizeOf(sorted.map((d) => x.shape[d]));
  const t = wgslType(x.dtype);
  const head = `${bindings([x.dtype], out.dtype)}${offsetFn(x.shape, sorted)}`;
  if (count < PARALLEL_FOLD) {
    const { workgroups, index } = launch(outputs);
    const source = `${head}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let o = ${index};
  if (o >= ${outputs}u) { return; }
  var acc: ${t} = ${fold.init(x.dtype)};
  for (var r = 0u; r < ${count}u; r++) { acc = ${fold.combine('acc', 'x0[at(o, r)]')}; }
  y[o] = ${stored(out.dtype, 'acc')};
}
`;
    return { source, inputs: [x.id], workgroups, workgroupBytes: 0, invocations: WORKGROUP };
  }
  // one workgroup per output: strided partial folds, then a tree in workgroup memory
  const gx = Math.min(outputs, 65535);
  const source = `${head}
var<workgroup> part: array<${t}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let o = wid.x + wid.y * ${gx}u;
  if (o >= ${outputs}u) { return; }
  var acc: ${t} = ${fold.init(x.dtype)};
  for (var r = t; r < ${count}u; r += ${WORKGROUP}u) { acc = ${fold.combine('acc', 'x0[at(o, r)]')}; }
  part[t] = acc;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { part[t] = ${fold.combine('part[t]', 'part[t + s]')}; }
    workgroupBarrier();
  }
  if (t == 0u) { y[o] = ${stored(out.dtype, 'part[0]')}; }
}
`;
  return {
    source,
    inputs: [x.id],
    workgroups: [gx, Math.ceil(outputs / gx), 1],
    workgroupBytes: WORKGROUP * 4,
    invocations: WORKGROUP,
  };
}

export const REDUCE: {
  readonly sum: Lowering<'sum'>;
  readonly max: Lowering<'max'>;
  readonly argmax: Lowering<'argmax'>;
} = {
  sum: (node, [x]) => [foldKernel(x, node, node.attrs.axes, SUM)],
  max: (node, [x]) => [foldKernel(x, node, node.attrs.axes, MAX)],
  // the first index of the largest value along the axis
  argmax(node, [x]) {
    const axis = normAxis('argmax', node.attrs.axis, x.shape.length);
    const outputs = sizeOf(node.shape);
    const n = x.shape[axis];
    const { workgroups, index } = launch(outputs);
    const source = `${bindings([x.dtype], node.dtype)}${offsetFn(x.shape, [axis])}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let o = ${index};
  if (o >= ${outputs}u) { return; }
  var best = x0[at(o, 0u)];
  var arg = 0;
  for (var r = 1u; r < ${n}u; r++) {
    let v = x0[at(o, r)];
    if (v > best) { best = v; arg = i32(r); }
  }
  y[o] = arg;
}
`;
    return [{ source, inputs: [x.id], workgroups, workgroupBytes: 0, invocations: WORKGROUP }];
  },
};
