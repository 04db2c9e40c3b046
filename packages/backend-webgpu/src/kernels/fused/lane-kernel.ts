import { type DType, type Node, sizeOf } from '@tunekit/core';
import type { Kernel } from '../kernel.js';
import { bindings, WORKGROUP } from '../wgsl.js';

/**
 * Workgroup-wide sum and max of one f32 per invocation, through workgroup memory (a tree of
 * log2(WORKGROUP) steps); every invocation gets the result. Called in uniform control flow.
 */
const TREE_REDUCTIONS = `var<workgroup> red: array<f32, ${WORKGROUP}>;
fn wg_sum(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = red[t] + red[t + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn wg_max(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = max(red[t], red[t + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
`;

/**
 * The same through subgroups: each subgroup folds its values with subgroupAdd/subgroupMax, its
 * first invocation stores the result, and every invocation folds the few stored ones in order (one
 * barrier instead of log2(WORKGROUP)). `sg_*` are set from the builtins at the entry point.
 */
const SUBGROUP_REDUCTIONS = `var<workgroup> red: array<f32, ${WORKGROUP}>;
var<private> sg_lane: u32;
var<private> sg_id: u32;
var<private> sg_count: u32;
fn wg_fold(s: f32, is_max: bool) -> f32 {
  if (sg_lane == 0u) { red[sg_id] = s; }
  workgroupBarrier();
  var r = red[0];
  for (var g = 1u; g < sg_count; g++) { r = select(r + red[g], max(r, red[g]), is_max); }
  workgroupBarrier();
  return r;
}
fn wg_sum(v: f32, t: u32) -> f32 { return wg_fold(subgroupAdd(v), false); }
fn wg_max(v: f32, t: u32) -> f32 { return wg_fold(subgroupMax(v), true); }
`;

/**
 * One workgroup per 1-D lane of `x` along `axis`: element k of lane `lane` is at
 * `base + k * stride` (both u32 in `body`), for k < n; invocation t handles k = t, t + 64, ...
 * `body` uses wg_sum/wg_max and writes y.
 */
export function laneKernel(opts: {
  readonly node: Node;
  readonly x: Node;
  readonly axis: number;
  readonly inputs: readonly Node[];
  readonly body: string;
  readonly helpers?: string;
  /** Reduce through subgroups (the device has `subgroups`); else through workgroup memory. */
  readonly subgroups: boolean;
}): Kernel {
  const { x, axis } = opts;
  const n = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const lanes = sizeOf(x.shape) / n;
  const gx = Math.min(lanes, 65535);
  const sg = opts.subgroups;
  const source = `${sg ? 'enable subgroups;\n' : ''}${bindings(
    opts.inputs.map((i) => i.dtype as DType),
    opts.node.dtype,
  )}${sg ? SUBGROUP_REDUCTIONS : TREE_REDUCTIONS}${opts.helpers ?? ''}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32${
    sg
      ? `,
    @builtin(subgroup_invocation_id) sgl: u32, @builtin(subgroup_id) sgi: u32, @builtin(num_subgroups) sgn: u32`
      : ''
  }) {
  ${sg ? 'sg_lane = sgl; sg_id = sgi; sg_count = sgn;' : ''}
  let lane = wid.x + wid.y * ${gx}u;
  if (lane >= ${lanes}u) { return; }
  let base = (lane / ${inner}u) * ${n * inner}u + lane % ${inner}u;
  let stride = ${inner}u;
  let n = ${n}u;
  ${opts.body}
}
`;
  return {
    source,
    inputs: opts.inputs.map((i) => i.id),
    workgroups: [gx, Math.ceil(lanes / gx), 1],
    workgroupBytes: WORKGROUP * 4,
    invocations: WORKGROUP,
  };
}
